package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

// fill appends n messages spread over two queues and returns their results.
func fill(t *testing.T, s *Store, n int) []Appended {
	t.Helper()
	var res []Appended
	for i := range n {
		res = append(res, mustAppend(t, s, msg(t, "R", int32(i%2), fmt.Sprintf("body-%03d", i)))...)
	}
	return res
}

func TestRecoveryTornTail(t *testing.T) {
	valid := msg(t, "R", 0, "torn")
	for _, tc := range []struct {
		name    string
		garbage func(end int64) []byte
	}{
		{"short header", func(int64) []byte { return []byte{0, 0, 1} }},
		{"zero length", func(int64) []byte { return make([]byte, 64) }},
		{"random bytes", func(int64) []byte { return bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 50) }},
		{"partial frame", func(end int64) []byte {
			f := appendFrame(nil, stampCopy(valid, end))
			return f[:len(f)-10]
		}},
		{"bad CRC", func(end int64) []byte {
			f := appendFrame(nil, stampCopy(valid, end))
			f[len(f)-1] ^= 0xff
			return f
		}},
		{"complete frame stamped with another offset", func(end int64) []byte {
			return appendFrame(nil, stampCopy(valid, end+1))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachMode(t, func(t *testing.T, e *env) {
				e.opts.SegmentBytes = 700
				s := e.open()
				fill(t, s, 12)
				before := snapshot(t, s)
				_, end := s.CommitLogRange()
				segs := e.segments()
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				last := e.segPath(s.segments()[len(s.segments())-1].base)
				lastSize := e.size(last)
				garbage := tc.garbage(end)
				e.appendRaw(last, garbage)
				// An entry that points at the torn record must go too.
				var ent [entrySize]byte
				putEntry(ent[:], QueueEntry{CommitLogOffset: end, Size: int32(len(valid)), StoreTimestamp: 1})
				e.appendRaw(e.cqPath("R", 0), ent[:])

				s = e.open()
				if got := snapshot(t, s); fmt.Sprint(got) != fmt.Sprint(before) {
					t.Errorf("after recovery:\n%v\nwant\n%v", got, before)
				}
				if n := e.size(last); n != lastSize {
					t.Errorf("last segment is %d bytes, want truncated to %d", n, lastSize)
				}
				if got := e.segments(); fmt.Sprint(got) != fmt.Sprint(segs) {
					t.Errorf("segments %v, want %v", got, segs)
				}
				logs := e.logs.String()
				if !strings.Contains(logs, "truncated torn commit-log tail") ||
					!strings.Contains(logs, fmt.Sprintf("offset=%d bytes_dropped=%d", end, len(garbage))) {
					t.Errorf("no torn-tail warning with offset %d and %d bytes in logs:\n%s", end, len(garbage), logs)
				}
				a := mustAppend(t, s, msg(t, "R", 0, "after"))[0]
				if a.CommitLogOffset != end || a.QueueOffset != 6 {
					t.Errorf("append after recovery = %+v, want offset %d queue offset 6", a, end)
				}
				if b, err := s.ReadAt(end); err != nil || string(decode(t, b).Body) != "after" {
					t.Errorf("ReadAt(%d) after recovery: %v", end, err)
				}
			})
		})
	}
}

// stampCopy returns a copy of m stamped as if stored at off.
func stampCopy(m []byte, off int64) []byte {
	c := bytes.Clone(m)
	binary.BigEndian.PutUint64(c[posCommitLogOffset:], uint64(off))
	return c
}

func TestRecoveryRebuildsConsumeQueues(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(e *env)
	}{
		{"queue file missing", func(e *env) { e.fs.Remove(e.cqPath("R", 1)) }},
		{"queue truncated to 2 entries", func(e *env) { e.truncate(e.cqPath("R", 0), 2*entrySize) }},
		{"partial trailing entry", func(e *env) { e.truncate(e.cqPath("R", 0), 4*entrySize+7) }},
		{"all queues emptied", func(e *env) {
			e.truncate(e.cqPath("R", 0), 0)
			e.truncate(e.cqPath("R", 1), 0)
		}},
	} {
		for _, cp := range []string{"stale checkpoint", "no checkpoint", "garbage checkpoint", "misaligned checkpoint", "fresh checkpoint"} {
			t.Run(tc.name+"/"+cp, func(t *testing.T) {
				eachMode(t, func(t *testing.T, e *env) {
					e.opts.SegmentBytes = 500
					s := e.open()
					early := fill(t, s, 4)
					if err := s.Flush(); err != nil {
						t.Fatal(err)
					}
					stale := e.readRaw(e.checkpointPath())
					fill(t, s, 16)
					want := snapshot(t, s)
					if err := s.Close(); err != nil {
						t.Fatal(err)
					}
					tc.damage(e)
					switch cp {
					case "stale checkpoint":
						e.fs.WriteFileAtomic(e.checkpointPath(), stale)
					case "no checkpoint":
						e.fs.Remove(e.checkpointPath())
					case "misaligned checkpoint": // valid CRC, but inside a record of an older segment
						if err := s.writeCheckpoint(early[1].CommitLogOffset + 3); err != nil {
							t.Fatal(err)
						}
					case "garbage checkpoint":
						e.fs.WriteFileAtomic(e.checkpointPath(), []byte("not a checkpoint"))
					}
					s = e.open()
					if got := snapshot(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("rebuilt:\n%v\nwant\n%v", got, want)
					}
					cq0, cq1 := e.readRaw(e.cqPath("R", 0)), e.readRaw(e.cqPath("R", 1))
					if err := s.Close(); err != nil {
						t.Fatal(err)
					}
					e.fs.Remove(e.checkpointPath())
					s = e.open() // recovery again: must change nothing
					if !bytes.Equal(cq0, e.readRaw(e.cqPath("R", 0))) || !bytes.Equal(cq1, e.readRaw(e.cqPath("R", 1))) {
						t.Error("a second recovery changed the consume queues")
					}
					if got := snapshot(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("after second recovery:\n%v\nwant\n%v", got, want)
					}
				})
			})
		}
	}
}

func TestRecoveryTrimsEntriesBeyondLogEnd(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		s := e.open()
		res := fill(t, s, 6)
		_, end := s.CommitLogRange()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		var junk []byte
		for i := range 3 {
			junk = appendEntry(junk, QueueEntry{CommitLogOffset: end + int64(i)*100, Size: 200, StoreTimestamp: 9})
		}
		junk = append(junk, 1, 2, 3) // and a partial one
		e.appendRaw(e.cqPath("R", 1), junk)
		s = e.open()
		if lo, hi := s.QueueOffsets("R", 1); lo != 0 || hi != 3 {
			t.Errorf("QueueOffsets(R,1) = (%d,%d), want (0,3)", lo, hi)
		}
		if n := e.size(e.cqPath("R", 1)); n != 3*entrySize {
			t.Errorf("queue file is %d bytes, want %d", n, 3*entrySize)
		}
		if ent, err := s.Entry("R", 1, 2); err != nil || ent.CommitLogOffset != res[5].CommitLogOffset {
			t.Errorf("Entry(R,1,2) = %+v, %v", ent, err)
		}
		if a := mustAppend(t, s, msg(t, "R", 1, "x"))[0]; a.QueueOffset != 3 || a.CommitLogOffset != end {
			t.Errorf("append after trim = %+v", a)
		}
		if !strings.Contains(e.logs.String(), "trimmed consume-queue entries beyond the commit-log end") {
			t.Error("trim not logged")
		}
	})
}

func TestRecoveryQueueGapIsCorruption(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		s := e.open()
		fill(t, s, 6)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		// Claim record 0 of R/0 has queue offset 5: entries 0..4 can never be rebuilt.
		seg := e.rawFile(e.segPath(0))
		var hdr [frameHeader]byte
		if _, err := seg.ReadAt(hdr[:], 0); err != nil {
			t.Fatal(err)
		}
		data := make([]byte, binary.BigEndian.Uint32(hdr[:]))
		if _, err := seg.ReadAt(data, frameHeader); err != nil {
			t.Fatal(err)
		}
		binary.BigEndian.PutUint64(data[20:], 5) // the queue-offset field
		if _, err := seg.WriteAt(appendFrame(nil, data), 0); err != nil {
			t.Fatal(err)
		}
		e.fs.Remove(e.cqPath("R", 0))
		if _, err := e.tryOpen(); err == nil || !strings.Contains(err.Error(), "missing entries") {
			t.Fatalf("Open = %v, want a consume-queue gap error", err)
		}
	})
}

func TestRecoveryEmptyTrailingSegment(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		e.opts.SegmentBytes = 500
		s := e.open()
		fill(t, s, 8)
		want := snapshot(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		e.rawFile(e.segPath(want.max)) // a crash right after creating a segment
		s = e.open()
		if got := snapshot(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got\n%v\nwant\n%v", got, want)
		}
		if a := mustAppend(t, s, msg(t, "R", 0, "x"))[0]; a.CommitLogOffset != want.max {
			t.Errorf("append at %d, want %d", a.CommitLogOffset, want.max)
		}
	})
}
