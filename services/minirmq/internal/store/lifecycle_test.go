package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestNotify(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		s := e.open()
		closed := func(ch <-chan struct{}) bool {
			select {
			case <-ch:
				return true
			default:
				return false
			}
		}
		a0 := s.Notify("N", 0) // the queue does not exist yet
		a1 := s.Notify("N", 1)
		b0 := s.Notify("M", 0)
		if a0 != s.Notify("N", 0) {
			t.Error("waiters on one queue should share a channel")
		}
		if closed(a0) || closed(a1) || closed(b0) {
			t.Fatal("closed before any append")
		}
		mustAppend(t, s, msg(t, "N", 0, "x"))
		if !closed(a0) {
			t.Error("N/0 not notified by an append to N/0")
		}
		if closed(a1) || closed(b0) {
			t.Error("an append to N/0 woke other queues")
		}
		again := s.Notify("N", 0)
		if closed(again) {
			t.Error("a new Notify after the wake-up is already closed")
		}
		mustAppend(t, s, msg(t, "M", 0, "x"), msg(t, "N", 1, "y"))
		if !closed(a1) || !closed(b0) || closed(again) {
			t.Errorf("batch wake-ups: N/1 %v M/0 %v N/0 %v", closed(a1), closed(b0), closed(again))
		}
	})
}

func TestReopenAndClose(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		e.opts.SegmentBytes = 600
		s := e.open()
		var res []Appended
		for i := range 30 {
			res = append(res, mustAppend(t, s, msg(t, fmt.Sprintf("T%d", i%2), int32(i%3), fmt.Sprint(i)))...)
		}
		before := snapshot(t, s)
		poll := s.Notify("T0", 0)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-poll:
		default:
			t.Error("Close did not release a pending Notify")
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		if cp, ok, _ := s.readCheckpoint(); !ok || cp != before.max {
			t.Errorf("checkpoint after Close = %d, %v; want %d", cp, ok, before.max)
		}
		if _, err := s.Append(msg(t, "T0", 0, "late")); !errors.Is(err, ErrClosed) {
			t.Errorf("Append after Close: %v", err)
		}
		if _, err := s.ReadAt(0); !errors.Is(err, ErrClosed) {
			t.Errorf("ReadAt after Close: %v", err)
		}
		if err := s.Flush(); !errors.Is(err, ErrClosed) {
			t.Errorf("Flush after Close: %v", err)
		}
		s2 := e.open()
		if after := snapshot(t, s2); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("after reopen:\n%v\nwant\n%v", after, before)
		}
		a := mustAppend(t, s2, msg(t, "T1", 2, "next"))[0]
		if a.CommitLogOffset != before.max || a.QueueOffset != 5 {
			t.Errorf("append after reopen = %+v, want offset %d queue offset 5", a, before.max)
		}
	})
}

// state is everything observable about a store, for before/after comparisons.
type state struct {
	min, max int64
	topics   []TopicQueues
	queues   map[string][]string
}

func snapshot(t testing.TB, s *Store) state {
	t.Helper()
	st := state{topics: s.Topics(), queues: map[string][]string{}}
	st.min, st.max = s.CommitLogRange()
	for _, tq := range st.topics {
		for _, id := range tq.QueueIDs {
			lo, hi := s.QueueOffsets(tq.Topic, id)
			msgs, err := s.ReadQueue(tq.Topic, id, lo, int(hi-lo), 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			k := fmt.Sprintf("%s/%d[%d,%d)", tq.Topic, id, lo, hi)
			for _, b := range msgs {
				m := decode(t, b)
				st.queues[k] = append(st.queues[k], fmt.Sprintf("%d@%d:%s", m.QueueOffset, m.CommitLogOffset, m.Body))
			}
		}
	}
	return st
}

func TestOpenPublic(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	for _, opts := range []Options{{}, {Dir: dir}} {
		s, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		mustAppend(t, s, msg(t, "P", 0, "x"))
		if b, err := s.ReadAt(0); err != nil || string(decode(t, b).Body) != "x" {
			t.Errorf("Dir %q: ReadAt: %v", opts.Dir, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"commitlog/00000000000000000000", "consumequeue/P/0", "checkpoint"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("file mode: %v", err)
		}
	}
}

func (s state) String() string { return fmt.Sprint(s.min, s.max, s.topics, s.queues) }
