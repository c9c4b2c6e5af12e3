package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// maxCachedBuf bounds the frame buffer kept between Appends, so one huge
// batch does not pin its memory forever.
const maxCachedBuf = 4 << 20

// Append stores encoded messages (wire layout) as one atomic step: the
// records get consecutive commit-log offsets, each the next queue offset of
// its own (topic, queueId). The offsets and the store time are stamped into
// the caller's bytes in place. On error nothing is stored. With Fsync it
// returns once the records are on disk (WaitDurable).
func (s *Store) Append(msgs ...[]byte) ([]Appended, error) {
	res, err := s.Write(msgs...)
	if err != nil || len(res) == 0 {
		return res, err
	}
	_, end := s.CommitLogRange()
	return res, s.WaitDurable(end)
}

// Write is Append without waiting for the disk: the records are in the files
// (the operating system's page cache) and visible to readers when it returns.
// A caller that must not block others while the disk syncs (the broker
// holds its state lock around Write) calls WaitDurable afterwards.
func (s *Store) Write(msgs ...[]byte) ([]Appended, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	metas := make([]wire.Meta, len(msgs))
	for i, m := range msgs {
		meta, err := readMeta(m)
		if err != nil {
			return nil, fmt.Errorf("store: append message %d: %w", i, err)
		}
		if err := validTopic(meta.Topic); err != nil {
			return nil, fmt.Errorf("store: append message %d: %w", i, err)
		}
		if meta.QueueID < 0 {
			return nil, fmt.Errorf("store: append message %d: negative queue id %d", i, meta.QueueID)
		}
		if len(m) > maxRecord {
			return nil, fmt.Errorf("store: append message %d: %d bytes exceed the %d-byte limit", i, len(m), maxRecord)
		}
		metas[i] = meta
	}

	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if s.failed != nil {
		return nil, fmt.Errorf("store: appends disabled after a failed rollback: %w", s.failed)
	}
	tx := &appendTxn{s: s, now: s.opts.Now().UnixMilli(), pend: map[queueKey]*pendingQueue{}}
	res, err := tx.build(msgs, metas)
	if err == nil {
		err = tx.write()
	}
	if err != nil {
		if rbErr := tx.rollback(); rbErr != nil {
			s.failed = rbErr
			s.log.Error("store: append rollback failed; refusing further appends", "err", rbErr)
		}
		return nil, err
	}
	tx.publish()
	return res, nil
}

// readMeta is wire.ReadMeta plus a check that b is exactly one message:
// wire decodes the first message of a buffer and ignores anything after it,
// which would otherwise end up stored inside the record.
func readMeta(b []byte) (wire.Meta, error) {
	m, err := wire.ReadMeta(b)
	if err != nil {
		return m, err
	}
	if size := binary.BigEndian.Uint32(b); int64(size) != int64(len(b)) {
		return m, fmt.Errorf("%w: message of %d bytes followed by %d more", wire.ErrMalformed, size, int64(len(b))-int64(size))
	}
	return m, nil
}

// appendTxn is one Append in progress. Nothing is visible to readers until
// publish; rollback undoes the file writes.
type appendTxn struct {
	s       *Store
	now     int64
	buf     []byte
	chunks  []chunk
	newSegs []*segment
	pend    map[queueKey]*pendingQueue
	order   []*pendingQueue
	end     int64
}

// chunk is the part of buf that goes into one segment, in one write.
type chunk struct {
	seg     *segment
	at      int64 // file offset
	lo, hi  int   // range of buf
	written bool
}

type pendingQueue struct {
	q       *queue
	isNew   bool
	base    int64 // entry count before this Append
	entries []byte
	written bool
}

func (tx *appendTxn) build(msgs [][]byte, metas []wire.Meta) ([]Appended, error) {
	s := tx.s
	total := 0
	for _, m := range msgs {
		total += frameHeader + len(m)
	}
	if cap(s.bufCache) >= total {
		tx.buf = s.bufCache[:0]
	} else {
		tx.buf = make([]byte, 0, total)
	}
	segs := s.segments()
	active := segs[len(segs)-1]
	cur := chunk{seg: active, at: active.size.Load()}
	fill, off := cur.at, s.logEnd.Load()
	res := make([]Appended, len(msgs))
	for i, m := range msgs {
		frame := int64(frameHeader + len(m))
		if fill > 0 && fill+frame > s.opts.SegmentBytes {
			cur.hi = len(tx.buf)
			tx.chunks = append(tx.chunks, cur)
			seg, err := s.createSegment(off)
			if err != nil {
				return nil, err
			}
			tx.newSegs = append(tx.newSegs, seg)
			cur, fill = chunk{seg: seg, lo: len(tx.buf)}, 0
		}
		pq, err := tx.pending(queueKey{metas[i].Topic, metas[i].QueueID})
		if err != nil {
			return nil, err
		}
		qoff := pq.base + int64(len(pq.entries)/entrySize)
		wire.Stamp(m, off, qoff, tx.now)
		tx.buf = appendFrame(tx.buf, m)
		pq.entries = appendEntry(pq.entries, QueueEntry{CommitLogOffset: off, Size: int32(len(m)), StoreTimestamp: tx.now})
		res[i] = Appended{CommitLogOffset: off, QueueOffset: qoff, StoreTimestamp: tx.now}
		off += frame
		fill += frame
	}
	cur.hi = len(tx.buf)
	tx.chunks = append(tx.chunks, cur)
	tx.end = off
	return res, nil
}

func (tx *appendTxn) pending(k queueKey) (*pendingQueue, error) {
	if pq := tx.pend[k]; pq != nil {
		return pq, nil
	}
	pq := &pendingQueue{q: tx.s.lookupQueue(k.topic, k.id)}
	if pq.q == nil {
		q, err := tx.s.openQueue(k, true)
		if err != nil {
			return nil, err
		}
		// A file left behind by an earlier failed rollback must not leak
		// stale entries into the new queue.
		if err := q.f.Truncate(0); err != nil {
			q.f.Close()
			return nil, fmt.Errorf("store: reset consume queue %s: %w", q.path, err)
		}
		pq.q, pq.isNew = q, true
	}
	pq.base = pq.q.max.Load()
	tx.pend[k] = pq
	tx.order = append(tx.order, pq)
	return pq, nil
}

func (tx *appendTxn) write() error {
	for i := range tx.chunks {
		c := &tx.chunks[i]
		if c.hi > c.lo {
			c.written = true // even a failed write may have left bytes to truncate
			if _, err := c.seg.f.WriteAt(tx.buf[c.lo:c.hi], c.at); err != nil {
				return fmt.Errorf("store: write segment %s at %d: %w", c.seg.path, c.at, err)
			}
		}
		// A segment is complete once the next one gets data. Syncing it now
		// (once per roll, with or without Fsync) keeps a crash from leaving a
		// torn tail in a segment that is no longer the last, which recovery
		// must treat as corruption.
		if i < len(tx.chunks)-1 {
			if err := c.seg.f.Sync(); err != nil {
				return fmt.Errorf("store: fsync segment %s: %w", c.seg.path, err)
			}
		} else {
			c.seg.dirty.Store(true)
		}
	}
	for _, pq := range tx.order {
		pq.written = true
		if _, err := pq.q.f.WriteAt(pq.entries, pq.base*entrySize); err != nil {
			return fmt.Errorf("store: write consume queue %s at entry %d: %w", pq.q.path, pq.base, err)
		}
		pq.q.dirty.Store(true)
	}
	return nil
}

func (tx *appendTxn) rollback() error {
	s := tx.s
	var errs []error
	isNew := func(seg *segment) bool { return slices.Contains(tx.newSegs, seg) }
	for _, c := range tx.chunks {
		if c.written && !isNew(c.seg) {
			if err := c.seg.f.Truncate(c.at); err != nil {
				errs = append(errs, fmt.Errorf("store: roll back segment %s to %d: %w", c.seg.path, c.at, err))
			}
		}
	}
	for _, seg := range tx.newSegs {
		seg.f.Close()
		if err := s.fs.Remove(seg.path); err != nil {
			errs = append(errs, fmt.Errorf("store: roll back new segment %s: %w", seg.path, err))
		}
	}
	for _, pq := range tx.order {
		switch {
		case pq.isNew:
			pq.q.f.Close()
			if err := s.fs.Remove(pq.q.path); err != nil {
				errs = append(errs, fmt.Errorf("store: roll back new consume queue %s: %w", pq.q.path, err))
			}
		case pq.written:
			if err := pq.q.f.Truncate(pq.base * entrySize); err != nil {
				errs = append(errs, fmt.Errorf("store: roll back consume queue %s: %w", pq.q.path, err))
			}
		}
	}
	return errors.Join(errs...)
}

// publish makes the Append visible, in an order that keeps every reader's
// view consistent: segments, then the log end, then queue maxima, then the
// long-poll wake-ups.
func (tx *appendTxn) publish() {
	s := tx.s
	for _, c := range tx.chunks {
		if c.hi > c.lo {
			c.seg.size.Store(c.at + int64(c.hi-c.lo))
			c.seg.newest.Store(tx.now)
		}
	}
	if len(tx.newSegs) > 0 {
		s.segMu.Lock()
		segs := append(slices.Clip(s.segments()), tx.newSegs...)
		s.segs.Store(&segs)
		s.segMu.Unlock()
	}
	s.logEnd.Store(tx.end)
	keys := make([]queueKey, 0, len(tx.order))
	for _, pq := range tx.order {
		pq.q.max.Store(pq.base + int64(len(pq.entries)/entrySize))
		if pq.isNew {
			s.qMu.Lock()
			s.queues[pq.q.key] = pq.q
			s.qMu.Unlock()
		}
		keys = append(keys, pq.q.key)
	}
	s.wake(keys)
	if cap(tx.buf) <= maxCachedBuf {
		s.bufCache = tx.buf[:0]
	}
	if len(tx.newSegs) > 0 {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}
