package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

func TestAppendReadBack(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		s := e.open()
		type sent struct {
			topic string
			qid   int32
			body  string
		}
		in := []sent{{"TopicA", 0, "a0"}, {"TopicA", 1, "a1-0"}, {"TopicA", 0, "a0-1"}, {"TopicB", 3, "b3"}, {"TopicA", 1, "a1-1"}}
		wantQOff := []int64{0, 0, 1, 0, 1}
		var raw [][]byte
		var got []Appended
		for i, m := range in {
			e.clock.set(1_700_000_000_000 + int64(i))
			b := msg(t, m.topic, m.qid, m.body)
			raw = append(raw, b)
			got = append(got, mustAppend(t, s, b)[0])
		}
		var next int64
		for i, a := range got {
			if a.CommitLogOffset != next {
				t.Errorf("msg %d: commit-log offset %d, want %d (contiguous)", i, a.CommitLogOffset, next)
			}
			next += frameLen(raw[i])
			if a.QueueOffset != wantQOff[i] {
				t.Errorf("msg %d: queue offset %d, want %d", i, a.QueueOffset, wantQOff[i])
			}
			if want := 1_700_000_000_000 + int64(i); a.StoreTimestamp != want {
				t.Errorf("msg %d: store timestamp %d, want %d", i, a.StoreTimestamp, want)
			}
			b, err := s.ReadAt(a.CommitLogOffset)
			if err != nil {
				t.Fatalf("ReadAt(%d): %v", a.CommitLogOffset, err)
			}
			m := decode(t, b)
			if m.Topic != in[i].topic || m.QueueID != in[i].qid || string(m.Body) != in[i].body ||
				m.Flag != 7 || m.BornTimestamp != 1234 || m.BornHost != bornHost || m.StoreHost != storeHost ||
				m.ReconsumeTimes != 2 || m.Properties[wire.PropKeys] != "k-"+in[i].body {
				t.Errorf("msg %d decoded as %+v", i, m)
			}
			if m.CommitLogOffset != a.CommitLogOffset || m.QueueOffset != a.QueueOffset || m.StoreTimestamp != a.StoreTimestamp {
				t.Errorf("msg %d: stamped (%d, %d, %d), want %+v", i, m.CommitLogOffset, m.QueueOffset, m.StoreTimestamp, a)
			}
			ent, err := s.Entry(in[i].topic, in[i].qid, a.QueueOffset)
			if err != nil || ent != (QueueEntry{a.CommitLogOffset, int32(len(raw[i])), a.StoreTimestamp}) {
				t.Errorf("Entry(%s,%d,%d) = %+v, %v", in[i].topic, in[i].qid, a.QueueOffset, ent, err)
			}
		}
		for _, q := range []struct {
			topic    string
			qid      int32
			min, max int64
		}{{"TopicA", 0, 0, 2}, {"TopicA", 1, 0, 2}, {"TopicB", 3, 0, 1}, {"TopicB", 0, 0, 0}, {"Nope", 0, 0, 0}} {
			if lo, hi := s.QueueOffsets(q.topic, q.qid); lo != q.min || hi != q.max {
				t.Errorf("QueueOffsets(%s,%d) = (%d,%d), want (%d,%d)", q.topic, q.qid, lo, hi, q.min, q.max)
			}
		}
		if lo, hi := s.CommitLogRange(); lo != 0 || hi != next {
			t.Errorf("CommitLogRange = (%d,%d), want (0,%d)", lo, hi, next)
		}
		wantTopics := []TopicQueues{{"TopicA", []int32{0, 1}}, {"TopicB", []int32{3}}}
		if tq := s.Topics(); fmt.Sprint(tq) != fmt.Sprint(wantTopics) {
			t.Errorf("Topics = %v, want %v", tq, wantTopics)
		}
		if st := s.Stats(); st != (Stats{Segments: 1, CommitLogBytes: next, MinOffset: 0, MaxOffset: next, Queues: 3}) {
			t.Errorf("Stats = %+v", st)
		}
		for _, off := range []int64{-1, 1, got[1].CommitLogOffset + 4, next, next + 100} {
			if _, err := s.ReadAt(off); !errors.Is(err, ErrNotFound) {
				t.Errorf("ReadAt(%d) err = %v, want ErrNotFound", off, err)
			}
		}
		for _, off := range []int64{-1, 2} {
			if _, err := s.Entry("TopicA", 0, off); !errors.Is(err, ErrNotFound) {
				t.Errorf("Entry(TopicA,0,%d) err = %v, want ErrNotFound", off, err)
			}
		}
	})
}

func TestBatchAppendOneWritePerSegment(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		one := msg(t, "T", 0, "xxxxxxxxxx")
		e.opts.SegmentBytes = 4 * frameLen(one) // 4 records per segment
		e.opts.FlushInterval = 1 << 62          // no background syncs to miscount
		s := e.open()
		mustAppend(t, s, msg(t, "T", 0, "xxxxxxxxxx")) // segment 0 holds 1
		e.fs.resetCounts()
		var batch [][]byte
		for i := range 6 { // 3 more fit in segment 0, 3 go to segment 1
			batch = append(batch, msg(t, "T", int32(i%2), fmt.Sprintf("batch%05d", i)))
		}
		res := mustAppend(t, s, batch...)
		for i, a := range res {
			if want := frameLen(one) * int64(i+1); a.CommitLogOffset != want {
				t.Errorf("batch msg %d at %d, want %d", i, a.CommitLogOffset, want)
			}
			if want := int64(1-i%2) + int64(i/2); a.QueueOffset != want {
				t.Errorf("batch msg %d queue offset %d, want %d", i, a.QueueOffset, want)
			}
		}
		writes, syncs := e.fs.counts()
		if w0, w1 := writes[e.segPath(0)], writes[e.segPath(4*frameLen(one))]; w0 != 1 || w1 != 1 {
			t.Errorf("segment writes = %d, %d, want one per segment touched (all writes: %v)", w0, w1, writes)
		}
		// Even without Fsync a full segment is synced before the next one gets
		// data, so a crash cannot tear a segment that is no longer the last.
		if n, m := syncs[e.segPath(0)], syncs[e.segPath(4*frameLen(one))]; n != 1 || m != 0 {
			t.Errorf("syncs: rolled-over segment %d, new segment %d; want 1 and 0", n, m)
		}
		if w := writes[e.cqPath("T", 0)]; w != 1 {
			t.Errorf("consume-queue writes for T/0 = %d, want 1", w)
		}
		got, err := s.ReadQueue("T", 1, 0, 100, 1<<20)
		if err != nil || len(got) != 3 {
			t.Fatalf("ReadQueue(T,1) = %d msgs, %v", len(got), err)
		}
		for i, b := range got {
			if m := decode(t, b); string(m.Body) != fmt.Sprintf("batch%05d", 2*i+1) || m.QueueOffset != int64(i) {
				t.Errorf("T/1 #%d = %q qoff %d", i, m.Body, m.QueueOffset)
			}
		}
	})
}

func TestSegmentRolling(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		e.opts.SegmentBytes = 1000
		s := e.open()
		var res []Appended
		var sizes []int64
		for i := range 40 {
			b := msg(t, "Roll", int32(i%3), fmt.Sprintf("body-%d-%s", i, string(make([]byte, i*7))))
			sizes = append(sizes, frameLen(b))
			res = append(res, mustAppend(t, s, b)[0])
		}
		big := msg(t, "Roll", 0, string(make([]byte, 3000))) // larger than a segment: gets its own
		res = append(res, mustAppend(t, s, big)[0])
		sizes = append(sizes, frameLen(big))
		// Expected segment bases: a record starts a new segment when it would not fit.
		var bases []string
		var base, fill, off int64
		for i, n := range sizes {
			if res[i].CommitLogOffset != off {
				t.Fatalf("msg %d at %d, want %d", i, res[i].CommitLogOffset, off)
			}
			if fill > 0 && fill+n > 1000 {
				bases = append(bases, fmt.Sprintf("%020d", base))
				base, fill = off, 0
			}
			fill += n
			off += n
		}
		bases = append(bases, fmt.Sprintf("%020d", base))
		if got := e.segments(); !slices.Equal(got, bases) {
			t.Fatalf("segments %v, want %v", got, bases)
		}
		if st := s.Stats(); st.Segments != len(bases) || st.MaxOffset != off {
			t.Errorf("Stats = %+v, want %d segments ending at %d", st, len(bases), off)
		}
		check := func(s *Store) {
			t.Helper()
			for i, a := range res {
				b, err := s.ReadAt(a.CommitLogOffset)
				if err != nil || decode(t, b).CommitLogOffset != a.CommitLogOffset {
					t.Fatalf("ReadAt msg %d: %v", i, err)
				}
			}
			got, err := s.ReadQueue("Roll", 1, 0, 100, 1<<20)
			if err != nil || len(got) != 13 {
				t.Fatalf("ReadQueue across segments: %d msgs, %v", len(got), err)
			}
			for i, b := range got {
				if m := decode(t, b); m.QueueOffset != int64(i) || m.CommitLogOffset != res[3*i+1].CommitLogOffset {
					t.Errorf("Roll/1 #%d: %+v", i, m)
				}
			}
			var scanned []int64
			if err := s.Scan(0, func(off int64, data []byte) error {
				scanned = append(scanned, off)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if len(scanned) != len(res) {
				t.Errorf("Scan saw %d records, want %d", len(scanned), len(res))
			}
		}
		check(s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = e.open()
		check(s)
		next := mustAppend(t, s, msg(t, "Roll", 1, "after"))[0]
		if next.CommitLogOffset != off || next.QueueOffset != 13 {
			t.Errorf("append after reopen: %+v, want offset %d queue offset 13", next, off)
		}
	})
}

func TestReadQueueLimits(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		s := e.open()
		var size int
		for i := range 10 {
			b := msg(t, "Q", 0, fmt.Sprintf("m%02d", i)) // all the same size
			size = len(b)
			mustAppend(t, s, b)
		}
		for _, tc := range []struct {
			name             string
			off              int64
			maxMsgs, maxByte int
			want             []int // bodies m00..m09 by index
		}{
			{"all", 0, 100, 1 << 20, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
			{"maxMsgs", 2, 3, 1 << 20, []int{2, 3, 4}},
			{"maxBytes exact", 0, 100, 4 * size, []int{0, 1, 2, 3}},
			{"maxBytes between", 0, 100, 4*size + size/2, []int{0, 1, 2, 3}},
			{"maxBytes below one", 5, 100, 1, []int{5}},
			{"maxMsgs zero means one", 9, 0, 1 << 20, []int{9}},
			{"tail", 8, 100, 1 << 20, []int{8, 9}},
			{"at max", 10, 100, 1 << 20, nil},
			{"negative", -1, 100, 1 << 20, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ReadQueue("Q", 0, tc.off, tc.maxMsgs, tc.maxByte)
				if err != nil {
					t.Fatal(err)
				}
				var bodies []int
				for _, b := range got {
					var n int
					fmt.Sscanf(string(decode(t, b).Body), "m%d", &n)
					bodies = append(bodies, n)
				}
				if !slices.Equal(bodies, tc.want) {
					t.Errorf("got %v, want %v", bodies, tc.want)
				}
			})
		}
		if got, err := s.ReadQueue("Other", 0, 0, 10, 1<<20); err != nil || got != nil {
			t.Errorf("unknown queue: %v, %v", got, err)
		}
	})
}

func TestSearchOffsetByTime(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		s := e.open()
		for _, ts := range []int64{100, 200, 200, 300, 500} {
			e.clock.set(ts)
			mustAppend(t, s, msg(t, "S", 0, "x"))
		}
		for _, tc := range []struct {
			name string
			ts   int64
			want int64
		}{
			{"before first", 50, 0},
			{"exact first", 100, 0},
			{"tie goes earlier", 150, 0},
			{"nearer right", 160, 1},
			{"exact duplicate returns first", 200, 1},
			{"tie between 200 and 300", 250, 2},
			{"nearer left", 340, 3},
			{"tie between 300 and 500", 400, 3},
			{"nearer 500", 450, 4},
			{"exact last", 500, 4},
			{"after last", 9999, 4},
		} {
			if got := s.SearchOffsetByTime("S", 0, tc.ts); got != tc.want {
				t.Errorf("%s: SearchOffsetByTime(%d) = %d, want %d", tc.name, tc.ts, got, tc.want)
			}
		}
		if got := s.SearchOffsetByTime("S", 1, 100); got != 0 {
			t.Errorf("unknown queue: %d, want 0", got)
		}
	})
}
