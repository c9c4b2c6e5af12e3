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
	var errs []error
	for _, seg := range s.segments() {
		if seg.dirty.Swap(false) {
			if err := seg.f.Sync(); err != nil && !seg.removed.Load() {
				seg.dirty.Store(true)
				errs = append(errs, fmt.Errorf("store: fsync segment %s: %w", seg.path, err))
			}
		}
	}
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
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if end == s.checkpointed {
		return nil
	}
	if err := s.writeCheckpoint(end); err != nil {
		return err
	}
	s.checkpointed = end
	return nil
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
