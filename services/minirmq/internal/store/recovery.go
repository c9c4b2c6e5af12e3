package store

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// errQueueGap means a record's queue offset is past its consume queue's
// end: entries are missing for records before the replay start.
var errQueueGap = errors.New("consume queue is missing entries")

// recover brings the files into a consistent state before any goroutine
// starts; nothing in here needs locks.
func (s *Store) recover() error {
	if err := s.loadSegments(); err != nil {
		return err
	}
	if err := s.loadQueues(); err != nil {
		return err
	}
	if err := s.trimQueues(s.logEnd.Load()); err != nil {
		return err
	}
	start := s.replayStart()
	err := s.replay(start)
	if errors.Is(err, errQueueGap) && start > s.logMin.Load() {
		s.log.Warn("store: consume queues are behind the checkpoint; replaying the whole commit log", "err", err)
		err = s.replay(s.logMin.Load())
	}
	if err != nil {
		return err
	}
	// A torn tail may have been cut below entries that pointed into it.
	if err := s.trimQueues(s.logEnd.Load()); err != nil {
		return err
	}
	s.fillNewest()
	if err := s.updateQueueMins(s.logMin.Load()); err != nil {
		return fmt.Errorf("store: recover queue min offsets: %w", err)
	}
	if err := s.flush(); err != nil {
		return fmt.Errorf("store: flush after recovery: %w", err)
	}
	return nil
}

func (s *Store) loadSegments() error {
	names, err := s.fs.ReadDir(s.clDir)
	if err != nil {
		return fmt.Errorf("store: list %s: %w", s.clDir, err)
	}
	var segs []*segment
	defer func() { s.segs.Store(&segs) }() // so closeFiles sees them even on error
	for _, name := range names {
		p := filepath.Join(s.clDir, name)
		base, err := strconv.ParseInt(name, 10, 64)
		if len(name) != 20 || err != nil || base < 0 {
			s.log.Warn("store: ignoring unexpected file in the commit-log dir", "file", p)
			continue
		}
		f, err := s.fs.OpenFile(p)
		if err != nil {
			return fmt.Errorf("store: open segment %s: %w", p, err)
		}
		seg := &segment{base: base, path: p, f: f}
		segs = append(segs, seg)
		size, err := f.Size()
		if err != nil {
			return fmt.Errorf("store: size of segment %s: %w", p, err)
		}
		seg.size.Store(size)
	}
	// A crash right after a roll leaves an empty newest segment; the next
	// roll recreates it, possibly at another base if the tail gets truncated.
	for len(segs) > 1 && segs[len(segs)-1].size.Load() == 0 {
		last := segs[len(segs)-1]
		last.f.Close()
		if err := s.fs.Remove(last.path); err != nil {
			return fmt.Errorf("store: remove empty trailing segment %s: %w", last.path, err)
		}
		segs = segs[:len(segs)-1]
		s.markDirDirty(s.clDir)
		s.log.Info("store: removed empty trailing commit-log segment", "file", last.path)
	}
	if len(segs) == 0 {
		seg, err := s.createSegment(0)
		if err != nil {
			return err
		}
		segs = append(segs, seg)
	}
	for i := 0; i+1 < len(segs); i++ {
		if segs[i].end() != segs[i+1].base {
			return fmt.Errorf("store: corrupt commit log: segment %s ends at offset %d but the next segment starts at %d",
				segs[i].path, segs[i].end(), segs[i+1].base)
		}
	}
	s.logMin.Store(segs[0].base)
	s.logEnd.Store(segs[len(segs)-1].end())
	return nil
}

func (s *Store) loadQueues() error {
	topics, err := s.fs.ReadDir(s.cqDir)
	if err != nil {
		return fmt.Errorf("store: list %s: %w", s.cqDir, err)
	}
	for _, topic := range topics {
		dir := filepath.Join(s.cqDir, topic)
		if validTopic(topic) != nil {
			s.log.Warn("store: ignoring unexpected entry in the consume-queue dir", "path", dir)
			continue
		}
		ids, err := s.fs.ReadDir(dir)
		if err != nil {
			s.log.Warn("store: ignoring unreadable consume-queue dir", "path", dir, "err", err)
			continue
		}
		for _, name := range ids {
			id, ok := parseQueueID(name)
			if !ok {
				s.log.Warn("store: ignoring unexpected file in a consume-queue dir", "file", filepath.Join(dir, name))
				continue
			}
			k := queueKey{topic, id}
			q, err := s.openQueue(k, false)
			if err != nil {
				return err
			}
			s.queues[k] = q
			size, err := q.f.Size()
			if err != nil {
				return fmt.Errorf("store: size of consume queue %s: %w", q.path, err)
			}
			if rem := size % entrySize; rem != 0 {
				size -= rem
				if err := q.f.Truncate(size); err != nil {
					return fmt.Errorf("store: truncate partial entry of consume queue %s: %w", q.path, err)
				}
				q.dirty.Store(true)
				s.log.Warn("store: truncated a partial consume-queue entry", "file", q.path, "bytes_dropped", rem)
			}
			q.max.Store(size / entrySize)
		}
	}
	return nil
}

// trimQueues drops entries pointing at or beyond the commit-log end.
func (s *Store) trimQueues(end int64) error {
	for _, q := range s.queues {
		n := q.max.Load()
		i, err := q.search(0, n, func(e QueueEntry) bool { return e.CommitLogOffset >= end })
		if err != nil {
			return err
		}
		if i == n {
			continue
		}
		if err := q.f.Truncate(i * entrySize); err != nil {
			return fmt.Errorf("store: trim consume queue %s: %w", q.path, err)
		}
		q.max.Store(i)
		q.dirty.Store(true)
		s.log.Warn("store: trimmed consume-queue entries beyond the commit-log end",
			"file", q.path, "log_end", end, "entries_dropped", n-i)
	}
	return nil
}

// replayStart is where the replay begins: the checkpoint if it is a usable
// record boundary, but never later than the start of the newest segment,
// which is always replayed whole to find its torn tail and newest record.
func (s *Store) replayStart() int64 {
	segs := s.segments()
	first, last := segs[0].base, segs[len(segs)-1].base
	cp, ok, reason := s.readCheckpoint()
	switch {
	case !ok:
		if reason != "" {
			s.log.Warn("store: ignoring invalid checkpoint; replaying the whole commit log", "reason", reason)
		}
		return first
	case cp >= last:
		return last
	case cp <= first:
		return first
	case findSegment(segs, cp).base == cp:
		return cp
	}
	if _, err := s.readRecord(cp, 0); err != nil {
		s.log.Warn("store: checkpoint is not a record boundary; replaying the whole commit log", "checkpoint", cp, "err", err)
		return first
	}
	return cp
}

// replay validates every frame from start and indexes the records the
// consume queues lack. An invalid frame ends the newest segment (a torn
// write) but is corruption anywhere else.
func (s *Store) replay(start int64) error {
	segs := s.segments()
	for i, seg := range segs {
		isLast := i == len(segs)-1
		if seg.end() <= start && !isLast {
			continue
		}
		it := newFrameIter(seg, max(start, seg.base), seg.end(), true)
		for {
			off, data, err := it.next()
			if err == io.EOF {
				break
			}
			var meta wire.Meta
			if err == nil {
				if meta, err = readMeta(data); err != nil {
					err = &frameError{off, err.Error()}
				}
			}
			if isFrameError(err) && isLast {
				return s.truncateTail(seg, off, err)
			}
			if isFrameError(err) {
				return fmt.Errorf("store: corrupt commit log: %s at file offset %d: %w", seg.path, off-seg.base, err)
			}
			if err != nil {
				return fmt.Errorf("store: replay %s: %w", seg.path, err)
			}
			if err := s.index(meta, off, int32(len(data))); err != nil {
				return err
			}
			seg.newest.Store(meta.StoreTimestamp)
		}
	}
	return nil
}

func (s *Store) truncateTail(seg *segment, off int64, cause error) error {
	dropped := seg.end() - off
	if err := seg.f.Truncate(off - seg.base); err != nil {
		return fmt.Errorf("store: truncate torn tail of %s at file offset %d: %w", seg.path, off-seg.base, err)
	}
	seg.size.Store(off - seg.base)
	seg.dirty.Store(true)
	s.logEnd.Store(off)
	s.log.Warn("store: truncated torn commit-log tail", "file", seg.path, "offset", off,
		"bytes_dropped", dropped, "reason", cause.Error())
	return nil
}

// index adds the consume-queue entry of a replayed record unless present.
func (s *Store) index(m wire.Meta, off int64, size int32) error {
	if err := validTopic(m.Topic); err != nil || m.QueueID < 0 {
		return fmt.Errorf("store: corrupt commit log: record at %d has topic %q queue %d", off, m.Topic, m.QueueID)
	}
	k := queueKey{m.Topic, m.QueueID}
	q := s.queues[k]
	if q == nil {
		var err error
		if q, err = s.openQueue(k, true); err != nil {
			return err
		}
		s.queues[k] = q
	}
	n := q.max.Load()
	switch {
	case m.QueueOffset > n:
		return fmt.Errorf("store: %w: record at commit-log offset %d has queue offset %d but %s has %d entries",
			errQueueGap, off, m.QueueOffset, q.path, n)
	case m.QueueOffset < n:
		e, err := q.entry(m.QueueOffset)
		if err != nil {
			return err
		}
		if e.CommitLogOffset == off {
			return nil
		}
		s.log.Warn("store: consume-queue entry disagrees with the commit log; rewriting the queue from it",
			"file", q.path, "queue_offset", m.QueueOffset, "entry_offset", e.CommitLogOffset, "record_offset", off)
		if err := q.f.Truncate(m.QueueOffset * entrySize); err != nil {
			return fmt.Errorf("store: truncate consume queue %s: %w", q.path, err)
		}
	}
	var b [entrySize]byte
	putEntry(b[:], QueueEntry{CommitLogOffset: off, Size: size, StoreTimestamp: m.StoreTimestamp})
	if _, err := q.f.WriteAt(b[:], m.QueueOffset*entrySize); err != nil {
		return fmt.Errorf("store: write consume queue %s: %w", q.path, err)
	}
	q.max.Store(m.QueueOffset + 1)
	q.dirty.Store(true)
	return nil
}

// fillNewest estimates the newest store time of segments the replay did not
// cover by the first record of the next segment. Store times do not go
// backwards, so that is an upper bound: age retention errs on keeping.
func (s *Store) fillNewest() {
	segs := s.segments()
	for i := 0; i+1 < len(segs); i++ {
		if segs[i].newest.Load() != 0 {
			continue
		}
		data, err := s.readRecord(segs[i+1].base, 0)
		var m wire.Meta
		if err == nil {
			m, err = wire.ReadMeta(data)
		}
		if err != nil || m.StoreTimestamp == 0 {
			m.StoreTimestamp = s.opts.Now().UnixMilli()
			s.log.Warn("store: newest store time of a segment is unknown; treating it as now", "file", segs[i].path, "err", err)
		}
		segs[i].newest.Store(m.StoreTimestamp)
	}
}
