package store

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// segBases returns the base offsets of the store's segments.
func segBases(s *Store) []int64 {
	var out []int64
	for _, seg := range s.segments() {
		out = append(out, seg.base)
	}
	return out
}

// expectRetained checks everything that must hold once the log starts at min.
func expectRetained(t *testing.T, e *env, s *Store, res []Appended, min int64) {
	t.Helper()
	if lo, _ := s.CommitLogRange(); lo != min {
		t.Fatalf("CommitLogRange min = %d, want %d", lo, min)
	}
	for _, name := range e.segments() {
		base, err := strconv.ParseInt(name, 10, 64)
		if err != nil || base < min {
			t.Errorf("segment file %s below the log min %d still exists", name, min)
		}
	}
	wantQMin := map[int32]int64{0: -1, 1: -1}
	for i, a := range res {
		_, err := s.ReadAt(a.CommitLogOffset)
		if a.CommitLogOffset < min && !errors.Is(err, ErrNotFound) {
			t.Errorf("ReadAt(%d) of deleted msg %d: %v, want ErrNotFound", a.CommitLogOffset, i, err)
		}
		if a.CommitLogOffset >= min && err != nil {
			t.Errorf("ReadAt(%d) of retained msg %d: %v", a.CommitLogOffset, i, err)
		}
		if q := int32(i % 2); a.CommitLogOffset >= min && wantQMin[q] < 0 {
			wantQMin[q] = a.QueueOffset
		}
	}
	for q, want := range wantQMin {
		lo, hi := s.QueueOffsets("R", q)
		if want < 0 {
			want = hi
		}
		if lo != want {
			t.Errorf("QueueOffsets(R,%d) min = %d, want %d", q, lo, want)
		}
		if lo > 0 {
			if got, err := s.ReadQueue("R", q, lo-1, 10, 1<<20); err != nil || len(got) != 0 {
				t.Errorf("ReadQueue below min: %d msgs, %v", len(got), err)
			}
			if _, err := s.Entry("R", q, lo-1); !errors.Is(err, ErrNotFound) {
				t.Errorf("Entry below min: %v", err)
			}
		}
		if lo < hi {
			got, err := s.ReadQueue("R", q, lo, 1, 1<<20)
			if err != nil || len(got) != 1 || decode(t, got[0]).QueueOffset != lo {
				t.Errorf("ReadQueue at min %d: %d msgs, %v", lo, len(got), err)
			}
			if got := s.SearchOffsetByTime("R", q, 0); got != lo {
				t.Errorf("SearchOffsetByTime before everything = %d, want min %d", got, lo)
			}
		}
	}
	if err := s.Scan(0, func(off int64, _ []byte) error {
		if off < min {
			t.Errorf("Scan returned deleted offset %d", off)
		}
		return nil
	}); err != nil {
		t.Errorf("Scan from below min: %v", err)
	}
}

func TestRetentionBySize(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		e.opts.SegmentBytes = 1000
		e.opts.RetainBytes = 2500
		s := e.open()
		s.SetRetentionFloor(0) // hold the janitor (kicked by every roll) off until the log is built
		res := fill(t, s, 60)  // about 9 segments of ~7 records
		s.SetRetentionFloor(math.MaxInt64)
		all := segBases(s)
		_, end := s.CommitLogRange()
		// Oldest first, a segment goes while the log is still over the limit.
		want := all[len(all)-1]
		for _, b := range all {
			if end-b <= 2500 {
				want = b
				break
			}
		}
		if want == 0 {
			t.Fatalf("test setup: nothing to delete in %v", all)
		}
		s.runRetention()
		bases := segBases(s)
		if bases[0] != want {
			t.Errorf("oldest segment after retention is %d, want %d (segments were %v)", bases[0], want, all)
		}
		expectRetained(t, e, s, res, bases[0])
		if !strings.Contains(e.logs.String(), "retention deleted commit-log segment") {
			t.Error("deletions not logged")
		}
		// Persisted: a reopen sees the same min.
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = e.open()
		expectRetained(t, e, s, res, bases[0])
	})
}

func TestRetentionKeepsActiveSegment(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		e.opts.SegmentBytes = 1000
		e.opts.RetainBytes = 1
		s := e.open()
		res := fill(t, s, 30)
		s.runRetention()
		bases := segBases(s)
		if len(bases) != 1 {
			t.Fatalf("segments %v, want only the active one", bases)
		}
		expectRetained(t, e, s, res, bases[0])
		a := mustAppend(t, s, msg(t, "R", 0, "x"))[0]
		if b, err := s.ReadAt(a.CommitLogOffset); err != nil || string(decode(t, b).Body) != "x" {
			t.Errorf("append after retention: %v", err)
		}
	})
}

func TestRetentionRespectsFloor(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		e.opts.SegmentBytes = 1000
		e.opts.RetainBytes = 1
		s := e.open()
		s.SetRetentionFloor(0) // nothing may go before the test sets the real floor
		res := fill(t, s, 40)
		bases := segBases(s)
		if len(bases) < 5 {
			t.Fatalf("want at least 5 segments, have %v", bases)
		}
		// A pending message in the third segment pins it and all later ones.
		s.SetRetentionFloor(bases[2] + 5)
		s.runRetention()
		expectRetained(t, e, s, res, bases[2])
		// A floor exactly at a segment's end lets that segment go, not the next.
		s.SetRetentionFloor(bases[4])
		s.runRetention()
		expectRetained(t, e, s, res, bases[4])
		s.SetRetentionFloor(math.MaxInt64)
		s.runRetention()
		last := segBases(s)
		if len(last) != 1 {
			t.Errorf("without a floor only the active segment should remain, have %v", last)
		}
		expectRetained(t, e, s, res, last[0])
	})
}

func TestRetentionByAge(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		e.opts.SegmentBytes = 1000
		e.opts.RetainAge = 90 * time.Minute
		s := e.open()
		s.SetRetentionFloor(0) // hold the janitor off while the clock moves
		t0 := e.clock.Now()
		var res []Appended
		for h := range 5 { // one hour per ~segment
			e.clock.set(t0.Add(time.Duration(h) * time.Hour).UnixMilli())
			for i := range 7 {
				res = append(res, mustAppend(t, s, msg(t, "R", int32(len(res)%2), fmt.Sprintf("h%d-%d", h, i)))...)
			}
		}
		bases := segBases(s)
		if len(bases) < 5 {
			t.Fatalf("want at least 5 segments, have %v", bases)
		}
		now := t0.Add(4 * time.Hour) // the clock stays at the last write
		s.SetRetentionFloor(math.MaxInt64)
		s.runRetention()
		// Newest record older than 90 minutes: written at hour 0, 1 or 2 (2h+ ago)
		// unless the segment also holds records of hour 3.
		var keepFrom int64 = -1
		for i, a := range res {
			stored := time.UnixMilli(a.StoreTimestamp)
			if now.Sub(stored) <= 90*time.Minute {
				// the segment holding this record must stay
				seg := findSegment(s.segments(), a.CommitLogOffset)
				if seg == nil {
					t.Fatalf("record %d stored %v ago was deleted", i, now.Sub(stored))
				}
				if keepFrom < 0 {
					keepFrom = seg.base
				}
			}
		}
		if keepFrom <= 0 {
			t.Fatalf("nothing was deleted by age (keep from %d, segments %v)", keepFrom, segBases(s))
		}
		expectRetained(t, e, s, res, keepFrom)
		// Time passes: everything is old, but the active segment stays.
		e.clock.advance(10 * time.Hour)
		s.runRetention()
		left := segBases(s)
		if len(left) != 1 {
			t.Errorf("segments %v, want only the active one", left)
		}
		expectRetained(t, e, s, res, left[0])
	})
}

func TestRetentionByAgeAfterReopen(t *testing.T) {
	// Segments the replay does not cover get their age from the next
	// segment's first record: an upper bound, so nothing young is deleted.
	eachMode(t, func(t *testing.T, e *env) {
		e.opts.SegmentBytes = 1000
		e.opts.RetainAge = time.Hour
		s := e.open()
		t0 := e.clock.Now()
		var res []Appended
		for i := range 30 {
			e.clock.set(t0.Add(time.Duration(i) * time.Minute).UnixMilli())
			res = append(res, mustAppend(t, s, msg(t, "R", int32(i%2), fmt.Sprint(i)))...)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = e.open()
		// At t0+70m records older than 60m are those written before minute 10.
		e.clock.set(t0.Add(70 * time.Minute).UnixMilli())
		s.runRetention()
		lo, _ := s.CommitLogRange()
		for i, a := range res {
			if i >= 10 && a.CommitLogOffset < lo {
				t.Errorf("record %d written %dm ago was deleted", i, 70-i)
			}
		}
		if lo == 0 {
			t.Error("nothing was deleted although the oldest segments are over an hour old")
		}
		expectRetained(t, e, s, res, lo)
		if !slices.IsSorted(segBases(s)) {
			t.Error("segments out of order")
		}
	})
}
