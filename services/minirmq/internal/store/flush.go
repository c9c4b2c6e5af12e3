package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"time"
)

const checkpointName = "checkpoint"

// Flush fsyncs every dirty file now and advances the checkpoint.
func (s *Store) Flush() error {
	if s.closed.Load() {
		return ErrClosed
	}
	return s.flush()
}

// flusher gives !Fsync stores bounded data loss, and keeps the checkpoint
// fresh in both modes so that recovery replays little.
func (s *Store) flusher() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if err := s.flush(); err != nil {
				s.log.Error("store: background flush", "err", err)
			}
		}
	}
}

// flush syncs what is dirty, then records the log end observed before the
// syncs as the checkpoint: every record below it had its consume-queue entry
// written before it was published, so after the syncs both are durable.
func (s *Store) flush() error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	if s.filesClosed {
		return ErrClosed
	}
	end := s.logEnd.Load()
	if err := s.syncDirtyLocked(); err != nil {
		return err
	}
	s.markDurable(end)
	if end == s.checkpointed {
		return nil
	}
	if err := s.writeCheckpoint(end); err != nil {
		return err
	}
	s.checkpointed = end
	return nil
}

// syncDirtyLocked fsyncs every file written since its last sync, and the
// directories that got new files; the caller holds flushMu, so a file
// another flush marked clean is never reported synced before its sync ends.
func (s *Store) syncDirtyLocked() error {
	errs := []error{s.syncSegmentsLocked()}
	s.qMu.RLock()
	qs := make([]*queue, 0, len(s.queues))
	for _, q := range s.queues {
		qs = append(qs, q)
	}
	s.qMu.RUnlock()
	for _, q := range qs {
		if q.dirty.Swap(false) {
			if err := q.f.Sync(); err != nil {
				q.dirty.Store(true)
				errs = append(errs, fmt.Errorf("store: fsync consume queue %s: %w", q.path, err))
			}
		}
	}
	if err := s.syncDirs(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// syncSegmentsLocked fsyncs the commit-log segments written since their last
// sync; the caller holds flushMu.
func (s *Store) syncSegmentsLocked() error {
	var errs []error
	for _, seg := range s.segments() {
		if seg.dirty.Swap(false) {
			if err := seg.f.Sync(); err != nil && !seg.removed.Load() {
				seg.dirty.Store(true)
				errs = append(errs, fmt.Errorf("store: fsync segment %s: %w", seg.path, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Group commit (Fsync), like Apache RocketMQ's GroupCommitService: a writer
// does not fsync itself. It asks the committer for a flush that covers its
// end offset and waits; the committer takes the log end, fsyncs the commit
// log once, and wakes every writer that end covers. Writers that arrive
// while a sync runs are covered by the next one, so one sync serves as many
// writers as came during the previous one. Like Apache, the group commit
// syncs the commit log only: the consume queues are synced by the periodic
// flush, which alone advances the checkpoint, and recovery rebuilds every
// entry after the checkpoint from the commit log.

// WaitDurable returns once the commit log up to end is on disk (and with it
// everything recovery needs to rebuild those records' consume-queue
// entries); at once without Fsync (the background flusher syncs every
// FlushInterval). It returns the sync's error if the flush that should have
// covered end failed (the data is still in the files, and the next flush
// retries), and ErrClosed if the store closed first.
func (s *Store) WaitDurable(end int64) error {
	if !s.opts.Fsync {
		return nil
	}
	s.durMu.Lock()
	defer s.durMu.Unlock()
	for s.durable < end {
		if s.syncFailed != nil && s.failedEnd >= end {
			return s.syncFailed
		}
		if s.closed.Load() {
			return ErrClosed
		}
		select {
		case s.commitKick <- struct{}{}:
		default: // a flush is already asked for; it or the next one covers end
		}
		s.durCond.Wait()
	}
	return nil
}

// DurableOffset is the commit-log end known to be on disk (with Fsync; 0
// until the first group commit or flush after Open).
func (s *Store) DurableOffset() int64 {
	s.durMu.Lock()
	defer s.durMu.Unlock()
	return s.durable
}

// markDurable records that the log up to end is on disk and wakes the
// writers it covers.
func (s *Store) markDurable(end int64) {
	s.durMu.Lock()
	if end > s.durable {
		s.durable = end
	}
	s.durMu.Unlock()
	s.durCond.Broadcast()
}

// wakeDurableWaiters wakes every WaitDurable to look again (the store
// closed). Taking durMu orders it after any waiter's look at closed.
func (s *Store) wakeDurableWaiters() {
	s.durMu.Lock()
	s.durCond.Broadcast()
	s.durMu.Unlock()
}

// committer is the group-commit flusher (Fsync only).
func (s *Store) committer() {
	defer s.wg.Done()
	for {
		select {
		case <-s.stop:
			return
		case <-s.commitKick:
		}
		s.flushMu.Lock()
		if s.filesClosed {
			s.flushMu.Unlock()
			return
		}
		end := s.logEnd.Load()
		err := errors.Join(s.syncSegmentsLocked(), s.syncDirs())
		s.flushMu.Unlock()
		s.commits.Add(1)
		if err != nil {
			s.log.Error("store: group commit", "err", err)
			s.durMu.Lock()
			s.syncFailed, s.failedEnd = err, end
			s.durMu.Unlock()
			s.durCond.Broadcast()
			continue
		}
		s.durMu.Lock()
		s.syncFailed = nil
		s.durMu.Unlock()
		s.markDurable(end)
	}
}

func (s *Store) checkpointPath() string { return filepath.Join(filepath.Dir(s.clDir), checkpointName) }

// The checkpoint is [8 offset][4 CRC32-C of the offset]; the CRC tells a
// valid one from a torn or foreign file.
func (s *Store) writeCheckpoint(off int64) error {
	b := binary.BigEndian.AppendUint64(nil, uint64(off))
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	if err := s.fs.WriteFileAtomic(s.checkpointPath(), b); err != nil {
		return fmt.Errorf("store: write checkpoint: %w", err)
	}
	return nil
}

// readCheckpoint returns ok=false when there is no usable checkpoint, and
// says why (empty reason: simply absent).
func (s *Store) readCheckpoint() (off int64, ok bool, reason string) {
	b, err := s.fs.ReadFile(s.checkpointPath())
	switch {
	case err != nil && isNotExist(err):
		return 0, false, ""
	case err != nil:
		return 0, false, err.Error()
	case len(b) != 12:
		return 0, false, fmt.Sprintf("%d bytes, want 12", len(b))
	case crc32.Checksum(b[:8], castagnoli) != binary.BigEndian.Uint32(b[8:]):
		return 0, false, "CRC mismatch"
	}
	return int64(binary.BigEndian.Uint64(b)), true, ""
}
