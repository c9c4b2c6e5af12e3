package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
)

const entrySize = 20 // [8 commit-log offset][4 size][8 store timestamp]

// maxEntriesPerRead caps one consume-queue pread so a huge maxMsgs cannot
// make ReadQueue allocate a huge index buffer up front.
const maxEntriesPerRead = 512

type queueKey struct {
	topic string
	id    int32
}

// queue is one consume queue. Entries below max are fully written (and so is
// the record they point at); max is published only after both writes.
type queue struct {
	key   queueKey
	path  string
	f     file
	max   atomic.Int64 // next queue offset = number of entries
	min   atomic.Int64 // first entry whose record is still in the commit log
	dirty atomic.Bool
}

// validTopic keeps topic names safe as directory names. The broker validates
// them properly; this only guards the file system.
func validTopic(topic string) error {
	if topic == "" || topic == "." || strings.Contains(topic, "/") || strings.Contains(topic, "..") ||
		strings.ContainsAny(topic, "\\\x00") {
		return fmt.Errorf("store: invalid topic name %q", topic)
	}
	return nil
}

func parseQueueID(name string) (int32, bool) {
	id, err := strconv.ParseInt(name, 10, 32)
	if err != nil || id < 0 || strconv.FormatInt(id, 10) != name {
		return 0, false
	}
	return int32(id), true
}

func (s *Store) queuePath(k queueKey) string {
	return filepath.Join(s.cqDir, k.topic, strconv.FormatInt(int64(k.id), 10))
}

// openQueue opens the file of k, creating it (and its topic dir) when
// create is set; the caller publishes the queue.
func (s *Store) openQueue(k queueKey, create bool) (*queue, error) {
	dir := filepath.Join(s.cqDir, k.topic)
	if create {
		if err := s.fs.MkdirAll(dir); err != nil {
			return nil, fmt.Errorf("store: create consume-queue dir %s: %w", dir, err)
		}
		// The new entries are only durable once the directories are synced.
		s.markDirDirty(s.cqDir)
		s.markDirDirty(dir)
	}
	p := s.queuePath(k)
	f, err := s.fs.OpenFile(p)
	if err != nil {
		return nil, fmt.Errorf("store: open consume queue %s: %w", p, err)
	}
	return &queue{key: k, path: p, f: f}, nil
}

func (s *Store) lookupQueue(topic string, id int32) *queue {
	s.qMu.RLock()
	defer s.qMu.RUnlock()
	return s.queues[queueKey{topic, id}]
}

func putEntry(b []byte, e QueueEntry) {
	binary.BigEndian.PutUint64(b, uint64(e.CommitLogOffset))
	binary.BigEndian.PutUint32(b[8:], uint32(e.Size))
	binary.BigEndian.PutUint64(b[12:], uint64(e.StoreTimestamp))
}

func appendEntry(b []byte, e QueueEntry) []byte {
	b = append(b, make([]byte, entrySize)...)
	putEntry(b[len(b)-entrySize:], e)
	return b
}

func getEntry(b []byte) QueueEntry {
	return QueueEntry{
		CommitLogOffset: int64(binary.BigEndian.Uint64(b)),
		Size:            int32(binary.BigEndian.Uint32(b[8:])),
		StoreTimestamp:  int64(binary.BigEndian.Uint64(b[12:])),
	}
}

// entries reads n entries starting at queue offset from with one pread.
func (q *queue) entries(from int64, n int) ([]QueueEntry, error) {
	b := make([]byte, n*entrySize)
	if _, err := q.f.ReadAt(b, from*entrySize); err != nil {
		return nil, fmt.Errorf("store: read consume queue %s at entry %d: %w", q.path, from, err)
	}
	out := make([]QueueEntry, n)
	for i := range out {
		out[i] = getEntry(b[i*entrySize:])
	}
	return out, nil
}

func (q *queue) entry(i int64) (QueueEntry, error) {
	e, err := q.entries(i, 1)
	if err != nil {
		return QueueEntry{}, err
	}
	return e[0], nil
}

// search returns the first offset in [lo, hi) whose entry satisfies pred
// (which must be monotonic), or hi.
func (q *queue) search(lo, hi int64, pred func(QueueEntry) bool) (int64, error) {
	for lo < hi {
		mid := lo + (hi-lo)/2
		e, err := q.entry(mid)
		if err != nil {
			return 0, err
		}
		if pred(e) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}

// QueueOffsets returns the first readable queue offset and the offset the
// next message will get; (0, 0) for an unknown queue.
func (s *Store) QueueOffsets(topic string, queueID int32) (min, max int64) {
	q := s.lookupQueue(topic, queueID)
	if q == nil {
		return 0, 0
	}
	// Load max first: min only grows and never passes max, so this order
	// cannot produce min > max.
	max = q.max.Load()
	return q.min.Load(), max
}

// Entry returns the consume-queue entry at offset, or ErrNotFound outside [min, max).
func (s *Store) Entry(topic string, queueID int32, offset int64) (QueueEntry, error) {
	if s.closed.Load() {
		return QueueEntry{}, ErrClosed
	}
	q := s.lookupQueue(topic, queueID)
	if q == nil {
		return QueueEntry{}, fmt.Errorf("%w: queue %s/%d", ErrNotFound, topic, queueID)
	}
	if lo, hi := s.QueueOffsets(topic, queueID); offset < lo || offset >= hi {
		return QueueEntry{}, fmt.Errorf("%w: offset %d outside [%d, %d) of queue %s/%d", ErrNotFound, offset, lo, hi, topic, queueID)
	}
	return q.entry(offset)
}

// ReadQueue returns up to maxMsgs encoded messages starting at queue offset
// offset, stopping before the total would exceed maxBytes (the first message
// is always returned). It returns nothing, without error, for an offset
// outside [min, max) — the broker maps that to its own status codes — and
// stops early, returning what it has, when retention deletes the data under it.
func (s *Store) ReadQueue(topic string, queueID int32, offset int64, maxMsgs, maxBytes int) ([][]byte, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	q := s.lookupQueue(topic, queueID)
	if q == nil {
		return nil, nil
	}
	lo, hi := s.QueueOffsets(topic, queueID)
	if offset < lo || offset >= hi {
		return nil, nil
	}
	want := int64(max(maxMsgs, 1))
	want = min(want, hi-offset)
	var out [][]byte
	total := 0
	for want > 0 {
		n := int(min(want, maxEntriesPerRead))
		ents, err := q.entries(offset, n)
		if err != nil {
			return out, err
		}
		for _, e := range ents {
			if len(out) > 0 && total+int(e.Size) > maxBytes {
				return out, nil
			}
			data, err := s.readRecord(e.CommitLogOffset, e.Size)
			if errors.Is(err, ErrNotFound) {
				return out, nil
			}
			if err != nil {
				return out, err
			}
			out = append(out, data)
			total += len(data)
		}
		offset += int64(n)
		want -= int64(n)
	}
	return out, nil
}

// SearchOffsetByTime returns the queue offset of the entry stored exactly at
// ts (the first such entry), else the nearer of its neighbours in store time
// (the earlier on a tie); min if ts precedes every entry, the last entry if it
// follows every entry, 0 for an empty or unknown queue. Like Apache's
// getOffsetInQueueByTime, it assumes store times do not go backwards.
func (s *Store) SearchOffsetByTime(topic string, queueID int32, ts int64) int64 {
	q := s.lookupQueue(topic, queueID)
	if q == nil || s.closed.Load() {
		return 0
	}
	lo, hi := s.QueueOffsets(topic, queueID)
	if lo >= hi {
		return 0
	}
	at, err := q.search(lo, hi, func(e QueueEntry) bool { return e.StoreTimestamp >= ts })
	if err != nil {
		s.log.Error("store: search consume queue by time", "topic", topic, "queue", queueID, "err", err)
		return lo
	}
	switch {
	case at == lo:
		return lo
	case at == hi:
		return hi - 1
	}
	ents, err := q.entries(at-1, 2)
	if err != nil {
		s.log.Error("store: search consume queue by time", "topic", topic, "queue", queueID, "err", err)
		return at
	}
	if ents[1].StoreTimestamp == ts || ents[1].StoreTimestamp-ts < ts-ents[0].StoreTimestamp {
		return at
	}
	return at - 1
}

// updateQueueMins moves every queue's min to its first entry whose record is
// still at or after logMin.
func (s *Store) updateQueueMins(logMin int64) error {
	s.qMu.RLock()
	qs := make([]*queue, 0, len(s.queues))
	for _, q := range s.queues {
		qs = append(qs, q)
	}
	s.qMu.RUnlock()
	var errs []error
	for _, q := range qs {
		i, err := q.search(q.min.Load(), q.max.Load(), func(e QueueEntry) bool { return e.CommitLogOffset >= logMin })
		if err != nil {
			errs = append(errs, err)
			continue
		}
		q.min.Store(i)
	}
	return errors.Join(errs...)
}
