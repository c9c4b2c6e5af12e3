package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestGroupCommit: with Fsync, concurrent Appends share syncs (one sync of
// the segment serves several writers, as Apache's GroupCommitService does),
// and no Append returns before a completed sync covers its record (its
// consume-queue entry is rebuilt from it by recovery if lost).
func TestGroupCommit(t *testing.T) {
	for _, mode := range []string{"mem", "file"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, mode)
			e.opts.Fsync = true
			e.opts.FlushInterval = 1 << 62 // only the group commit syncs
			e.fs.syncDelay = 2 * time.Millisecond
			s := e.open()
			e.fs.resetCounts()
			const writers, each = 16, 20
			msgs := make([][][]byte, writers)
			for w := range msgs {
				for i := 0; i < each; i++ {
					msgs[w] = append(msgs[w], msg(t, "G", int32(w%4), fmt.Sprintf("w%d-%d", w, i)))
				}
			}
			var wg sync.WaitGroup
			errs := make(chan error, writers*each*2)
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for _, m := range msgs[w] {
						res, err := s.Append(m)
						if err != nil {
							errs <- err
							return
						}
						end := res[0].CommitLogOffset + frameLen(m)
						if got := e.fs.syncedSize(e.segPath(0)); got < end {
							errs <- fmt.Errorf("Append of the record ending at %d returned with the segment synced up to %d", end, got)
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			_, syncs := e.fs.counts()
			n := syncs[e.segPath(0)]
			t.Logf("%d appends by %d writers: %d segment syncs, %d group commits", writers*each, writers, n, s.commits.Load())
			if n == 0 || n > writers*each/2 {
				t.Errorf("%d appends took %d segment syncs; concurrent writers should share them (at most %d)", writers*each, n, writers*each/2)
			}
		})
	}
}

// TestGroupCommitFailure: a failed sync fails the Appends it was to cover
// (nothing acknowledged that is not on disk); the next sync retries the same
// files, and later Appends succeed once the disk works again.
func TestGroupCommitFailure(t *testing.T) {
	e := newEnv(t, "mem")
	e.opts.Fsync = true
	e.opts.FlushInterval = 1 << 62
	s := e.open()
	e.fs.failSync = isSeg
	if _, err := s.Append(msg(t, "F", 0, "a")); !errors.Is(err, errInjected) {
		t.Fatalf("Append with a failing sync: err %v, want the sync's error", err)
	}
	e.fs.mu.Lock()
	e.fs.failSync = nil
	e.fs.mu.Unlock()
	m := msg(t, "F", 0, "b")
	res := mustAppend(t, s, m)
	if got, end := e.fs.syncedSize(e.segPath(0)), res[0].CommitLogOffset+frameLen(m); got < end {
		t.Errorf("after recovery: segment synced up to %d, want %d (both records)", got, end)
	}
}

// TestGroupCommitClose: a writer waiting for a group commit when the store
// closes gets an answer (the final flush's, or ErrClosed), never a hang.
func TestGroupCommitClose(t *testing.T) {
	e := newEnv(t, "mem")
	e.opts.Fsync = true
	e.opts.FlushInterval = 1 << 62
	e.fs.syncDelay = 20 * time.Millisecond
	s := e.open()
	done := make(chan error, 8)
	for i := range 8 {
		m := msg(t, "C", 0, fmt.Sprint(i))
		go func() { _, err := s.Append(m); done <- err }()
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(10 * time.Second)
	for range 8 {
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, ErrClosed) {
				t.Errorf("Append during Close: %v", err)
			}
		case <-timeout:
			t.Fatal("an Append waiting for a group commit hung across Close")
		}
	}
}
