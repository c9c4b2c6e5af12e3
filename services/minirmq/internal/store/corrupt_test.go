package store

import (
	"strings"
	"testing"
)

func TestRecoveryCorruptOlderSegmentFails(t *testing.T) {
	for _, tc := range []struct {
		name    string
		damage  func(e *env, segs []string)
		wantErr func(e *env, segs []string) []string // substrings of the error
	}{
		{
			name: "flipped byte in the first record",
			damage: func(e *env, _ []string) {
				if _, err := e.rawFile(e.segPath(0)).WriteAt([]byte{0xff}, 50); err != nil {
					e.t.Fatal(err)
				}
			},
			wantErr: func(e *env, _ []string) []string { return []string{e.segPath(0), "file offset 0", "CRC"} },
		},
		{
			name: "torn tail in an older segment",
			damage: func(e *env, _ []string) {
				e.truncate(e.segPath(0), e.size(e.segPath(0))-5)
			},
			wantErr: func(e *env, _ []string) []string { return []string{e.segPath(0), "next segment starts"} },
		},
		{
			name: "middle segment missing",
			damage: func(e *env, segs []string) {
				if err := e.fs.Remove(e.root + "/commitlog/" + segs[1]); err != nil {
					e.t.Fatal(err)
				}
			},
			wantErr: func(e *env, segs []string) []string { return []string{e.segPath(0), "next segment starts"} },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachMode(t, func(t *testing.T, e *env) {
				e.opts.SegmentBytes = 500
				s := e.open()
				fill(t, s, 12)
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				segs := e.segments()
				if len(segs) < 3 {
					t.Fatalf("want several segments, have %v", segs)
				}
				tc.damage(e, segs)
				// Without a checkpoint the whole log is replayed and validated.
				if err := e.fs.Remove(e.checkpointPath()); err != nil {
					t.Fatal(err)
				}
				_, err := e.tryOpen()
				if err == nil {
					t.Fatal("Open succeeded on a corrupt commit log")
				}
				for _, want := range tc.wantErr(e, segs) {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("Open error %q does not mention %q", err, want)
					}
				}
			})
		})
	}
}

func TestRecoveryRepairsWrongEntry(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		e.opts.SegmentBytes = 500
		s := e.open()
		res := fill(t, s, 10)
		want := snapshot(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		// Entry 1 of R/0 (message 2) points at message 4 instead.
		var ent [entrySize]byte
		putEntry(ent[:], QueueEntry{CommitLogOffset: res[4].CommitLogOffset, Size: 100, StoreTimestamp: 1})
		if _, err := e.rawFile(e.cqPath("R", 0)).WriteAt(ent[:], 1*entrySize); err != nil {
			t.Fatal(err)
		}
		if err := e.fs.Remove(e.checkpointPath()); err != nil {
			t.Fatal(err)
		}
		s = e.open()
		if got := snapshot(t, s); got.String() != want.String() {
			t.Errorf("after repair:\n%v\nwant\n%v", got, want)
		}
		if ent, err := s.Entry("R", 0, 1); err != nil || ent.CommitLogOffset != res[2].CommitLogOffset {
			t.Errorf("Entry(R,0,1) = %+v, %v; want offset %d", ent, err, res[2].CommitLogOffset)
		}
		if !strings.Contains(e.logs.String(), "disagrees with the commit log") {
			t.Error("repair not logged")
		}
	})
}
