package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

func TestAppendMalformedStoresNothing(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		s := e.open()
		mustAppend(t, s, msg(t, "Good", 0, "first"))
		good := msg(t, "Good", 0, "ok")
		badSize := msg(t, "New", 0, "x")
		binary.BigEndian.PutUint32(badSize, uint32(len(badSize)+1))
		encode := func(topic string, qid int32) []byte {
			m := wire.Message{Topic: topic, QueueID: qid, Body: []byte("x")}
			b, err := m.Encode()
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		for _, tc := range []struct {
			name string
			msgs [][]byte
		}{
			{"truncated", [][]byte{msg(t, "New", 0, "x")[:40]}},
			{"empty", [][]byte{{}}},
			{"garbage", [][]byte{bytes.Repeat([]byte{7}, 120)}},
			{"size field lies", [][]byte{badSize}},
			{"trailing bytes", [][]byte{append(msg(t, "New", 0, "x"), 0)}},
			{"bad last of batch", [][]byte{good, msg(t, "New", 1, "y"), msg(t, "New", 0, "z")[:50]}},
			{"topic with slash", [][]byte{good, encode("a/b", 0)}},
			{"topic dot-dot", [][]byte{encode("..", 0)}},
			{"negative queue", [][]byte{encode("New", -1)}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := snapshot(t, s)
				if res, err := s.Append(tc.msgs...); err == nil {
					t.Fatalf("Append succeeded: %+v", res)
				}
				if after := snapshot(t, s); fmt.Sprint(after) != fmt.Sprint(before) {
					t.Errorf("state changed:\n%v\nwas\n%v", after, before)
				}
				if n := e.size(e.segPath(0)); n != before.max {
					t.Errorf("segment file is %d bytes, want %d", n, before.max)
				}
			})
		}
		a := mustAppend(t, s, msg(t, "Good", 0, "after"))[0]
		if a.QueueOffset != 1 || a.CommitLogOffset != frameLen(msg(t, "Good", 0, "first")) {
			t.Errorf("append after rejected ones = %+v", a)
		}
	})
}

func TestAppendWriteFailureRollsBack(t *testing.T) {
	for _, tc := range []struct {
		name      string
		failWrite func(string) bool
		failOpen  func(string) bool
	}{
		{"segment write", func(p string) bool { return isSeg(p) }, nil},
		{"new segment write", func(p string) bool { return isSeg(p) && !strings.HasSuffix(p, fmt.Sprintf("%020d", 0)) }, nil},
		{"consume-queue write", func(p string) bool { return strings.HasSuffix(p, "/F/1") }, nil},
		{"new consume-queue write", func(p string) bool { return strings.HasSuffix(p, "/Fnew/0") }, nil},
		{"segment create", nil, func(p string) bool { return isSeg(p) }},
		{"consume-queue create", nil, func(p string) bool { return isCQ(p) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachMode(t, func(t *testing.T, e *env) {
				e.opts.SegmentBytes = 6 * frameLen(msg(t, "F", 0, "msg00"))
				s := e.open()
				var sent []Appended
				for i := range 4 {
					sent = append(sent, mustAppend(t, s, msg(t, "F", int32(i%2), fmt.Sprintf("msg%02d", i)))...)
				}
				before := snapshot(t, s)
				segFiles := e.segments()
				// A batch that fills segment 0, rolls twice and touches an old and a new queue.
				var batch [][]byte
				for i := range 6 {
					batch = append(batch, msg(t, "F", 1, fmt.Sprintf("new%02d", i)), msg(t, "Fnew", 0, fmt.Sprintf("nq%02d", i)))
				}
				e.fs.setFailures(tc.failWrite, tc.failOpen)
				if _, err := s.Append(batch...); !errors.Is(err, errInjected) {
					t.Fatalf("Append = %v, want the injected failure", err)
				}
				e.fs.setFailures(nil, nil)
				if after := snapshot(t, s); fmt.Sprint(after) != fmt.Sprint(before) {
					t.Errorf("state after failed append:\n%v\nwant\n%v", after, before)
				}
				if got := e.segments(); fmt.Sprint(got) != fmt.Sprint(segFiles) {
					t.Errorf("segment files %v, want %v", got, segFiles)
				}
				if n := e.size(e.segPath(0)); n != before.max {
					t.Errorf("segment 0 is %d bytes, want rolled back to %d", n, before.max)
				}
				if n := e.size(e.cqPath("F", 1)); n != 2*entrySize {
					t.Errorf("F/1 queue is %d bytes, want rolled back to %d", n, 2*entrySize)
				}
				// The same batch now succeeds, at the offsets the failed one would have had.
				res := mustAppend(t, s, batch...)
				if res[0].CommitLogOffset != before.max || res[0].QueueOffset != 2 || res[1].QueueOffset != 0 {
					t.Errorf("retry: %+v", res[:2])
				}
				want := snapshot(t, s)
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				s = e.open()
				if got := snapshot(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("after reopen:\n%v\nwant\n%v", got, want)
				}
			})
		})
	}
}

func TestFsyncMode(t *testing.T) {
	for _, fsync := range []bool{true, false} {
		t.Run(fmt.Sprint("fsync=", fsync), func(t *testing.T) {
			e := newEnv(t, "file")
			e.opts.Fsync = fsync
			e.opts.FlushInterval = 1 << 62 // only explicit flushes
			s := e.open()
			e.fs.resetCounts()
			mustAppend(t, s, msg(t, "Y", 0, "x"))
			// With Fsync (group commit, like Apache's) the commit log is on
			// disk when Append returns; the consume queue is left to the flush.
			_, syncs := e.fs.counts()
			segSynced, cqSynced := syncs[e.segPath(0)] > 0, syncs[e.cqPath("Y", 0)] > 0
			if segSynced != fsync || cqSynced {
				t.Errorf("synced before Append returned: segment %v queue %v, want %v false", segSynced, cqSynced, fsync)
			}
			e.fs.resetCounts()
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			_, syncs = e.fs.counts()
			if (syncs[e.segPath(0)] > 0) == fsync || syncs[e.cqPath("Y", 0)] == 0 {
				t.Errorf("Flush synced %v; want only what Append left dirty", syncs)
			}
			_, end := s.CommitLogRange()
			if cp, ok, _ := s.readCheckpoint(); !ok || cp != end {
				t.Errorf("checkpoint after Flush = %d %v, want %d", cp, ok, end)
			}
		})
	}
}

func TestScan(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		e.opts.SegmentBytes = 600
		s := e.open()
		res := fill(t, s, 15)
		_, end := s.CommitLogRange()
		collect := func(from int64) ([]int64, error) {
			var offs []int64
			err := s.Scan(from, func(off int64, data []byte) error {
				if m := decode(t, data); m.CommitLogOffset != off {
					t.Errorf("Scan gave offset %d for a record stamped %d", off, m.CommitLogOffset)
				}
				offs = append(offs, off)
				return nil
			})
			return offs, err
		}
		offsets := func(from int) []int64 {
			var o []int64
			for _, a := range res[from:] {
				o = append(o, a.CommitLogOffset)
			}
			return o
		}
		for _, tc := range []struct {
			name    string
			from    int64
			want    []int64
			wantErr bool
		}{
			{"from zero", 0, offsets(0), false},
			{"below min", -100, offsets(0), false},
			{"mid boundary across segments", res[4].CommitLogOffset, offsets(4), false},
			{"at end", end, nil, false},
			{"not a boundary", res[4].CommitLogOffset + 3, nil, true},
			{"past end", end + 1, nil, true},
		} {
			got, err := collect(tc.from)
			if (err != nil) != tc.wantErr || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s: Scan = %v, %v; want %v (error %v)", tc.name, got, err, tc.want, tc.wantErr)
			}
		}
		stop := errors.New("stop")
		n := 0
		if err := s.Scan(0, func(int64, []byte) error { n++; return stop }); err != stop || n != 1 {
			t.Errorf("fn error: Scan = %v after %d calls", err, n)
		}
	})
}
