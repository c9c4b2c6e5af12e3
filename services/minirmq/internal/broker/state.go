package broker

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/store"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// state is everything the broker keeps besides the messages themselves. It is
// snapshotted to a JSON file together with the commit-log offset it reflects;
// on start the records after that offset are applied again, so halves,
// decisions and topics are exact after any crash. Consumer offsets, check
// counts and schedule progress changed after the last snapshot are not in the
// log: a kill -9 can roll them back by up to one snapshot interval (one
// second), which redelivers messages but never loses one.
type state struct {
	Dispatched int64                       `json:"dispatchedOffset"`
	Topics     map[string]int              `json:"topics"`
	Offsets    map[string]map[string]int64 `json:"consumerOffsets"` // group → "topic@queue" → next offset
	Schedule   []int64                     `json:"scheduleOffsets"` // next schedule-queue offset per delay level
	Replayed   map[string][]int64          `json:"replayedDeadLetters"`
	Pending    []*half                     `json:"pendingHalves"`
	Decided    []*half                     `json:"recentlyDecidedHalves"`

	tx txTable
}

func newState(levels int) state {
	return state{
		Topics:   map[string]int{},
		Offsets:  map[string]map[string]int64{},
		Schedule: make([]int64, levels),
		Replayed: map[string][]int64{},
		tx:       newTxTable(),
	}
}

func offsetKey(topic string, queueID int32) string {
	return topic + "@" + strconv.Itoa(int(queueID))
}

func splitOffsetKey(k string) (string, int32, bool) {
	i := strings.LastIndexByte(k, '@')
	if i < 0 {
		return "", 0, false
	}
	q, err := strconv.Atoi(k[i+1:])
	return k[:i], int32(q), err == nil
}

// recover loads the snapshot and applies every record appended after it.
func (b *Broker) recover() error {
	b.state = newState(len(b.opts.DelayLevels))
	if b.opts.StatePath != "" {
		raw, err := os.ReadFile(b.opts.StatePath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("read broker state: %w", err)
		default:
			loaded := newState(len(b.opts.DelayLevels))
			if err := json.Unmarshal(raw, &loaded); err != nil {
				return fmt.Errorf("broker state %s is corrupt (delete it to rebuild from the commit log; consumer offsets would be lost): %w", b.opts.StatePath, err)
			}
			loaded.restore(len(b.opts.DelayLevels))
			b.state = loaded
		}
	}
	minOff, maxOff := b.store.CommitLogRange()
	from := b.state.Dispatched
	if from > maxOff {
		b.log.Warn("broker state is ahead of the commit log (unflushed tail lost); re-reading from the log end",
			"state_offset", from, "log_end", maxOff)
		from = maxOff
	}
	if from < minOff {
		from = minOff
	}
	applied := 0
	err := b.store.Scan(from, func(off int64, data []byte) error {
		m, _, err := wire.Decode(data)
		if err != nil {
			return fmt.Errorf("record at %d: %w", off, err)
		}
		b.apply(m)
		applied++
		return nil
	})
	if err != nil {
		return fmt.Errorf("replay commit log: %w", err)
	}
	_, b.state.Dispatched = b.store.CommitLogRange()
	b.log.Info("broker state recovered", "replayed_records", applied, "pending_halves", len(b.state.tx.pending),
		"topics", len(b.state.Topics), "log_start", minOff, "log_end", b.state.Dispatched)
	b.updateRetentionFloor()
	return nil
}

// restore rebuilds the indexes that are not serialised.
func (s *state) restore(levels int) {
	if s.Topics == nil {
		s.Topics = map[string]int{}
	}
	if s.Offsets == nil {
		s.Offsets = map[string]map[string]int64{}
	}
	if s.Replayed == nil {
		s.Replayed = map[string][]int64{}
	}
	for len(s.Schedule) < levels {
		s.Schedule = append(s.Schedule, 0)
	}
	s.tx = newTxTable()
	for _, h := range s.Pending {
		s.tx.addPending(h)
	}
	for _, h := range s.Decided {
		s.tx.remember(h)
	}
	s.Pending, s.Decided = nil, nil
}

// readMessage reads and decodes the record at a commit-log offset. The store
// returns a fresh buffer per read, so the caller owns the message and may
// change it.
func (b *Broker) readMessage(offset int64) (*wire.Message, error) {
	data, err := b.store.ReadAt(offset)
	if err != nil {
		return nil, err
	}
	m, _, err := wire.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("record at %d: %w", offset, err)
	}
	return m, nil
}

// putLocked appends messages and applies them to the state. Callers hold
// b.mu. It does not wait for the disk: with -fsync, the answer to a request
// that stored something waits for the group commit after b.mu is released
// (durable.go), so that concurrent writers share one sync.
func (b *Broker) putLocked(msgs ...*wire.Message) ([]store.Appended, error) {
	datas := make([][]byte, len(msgs))
	for i, m := range msgs {
		m.StoreHost = b.storeHost()
		data, err := m.Encode()
		if err != nil {
			return nil, err
		}
		datas[i] = data
	}
	res, err := b.store.Write(datas...)
	if err != nil {
		return nil, err
	}
	for i, m := range msgs {
		m.CommitLogOffset, m.QueueOffset, m.StoreTimestamp = res[i].CommitLogOffset, res[i].QueueOffset, res[i].StoreTimestamp
		b.apply(m)
	}
	_, b.state.Dispatched = b.store.CommitLogRange()
	b.metrics.messagesIn.Add(float64(len(msgs)))
	return res, nil
}

// put is putLocked under b.mu, then (with -fsync) waits for the disk.
func (b *Broker) put(msgs ...*wire.Message) ([]store.Appended, error) {
	b.mu.Lock()
	res, err := b.putLocked(msgs...)
	end := b.state.Dispatched
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := b.store.WaitDurable(end); err != nil {
		return nil, err
	}
	return res, nil
}

// apply updates the state for one stored record. It runs live after every
// append and again during recovery, so it must be idempotent.
func (b *Broker) apply(m *wire.Message) {
	// A committed transactional message carries its half's offset (which may
	// be 0), also when it is parked in the schedule topic because it was
	// delayed and in retry copies; deciding a decided half changes nothing.
	// Only commitLocked produces this type: sends have it cleared.
	if wire.TransactionType(m.SysFlag) == wire.SysFlagTransactionCommit {
		b.decide(m.PreparedTransactionOffset, txCommitted, m.StoreTimestamp)
	}
	switch m.Topic {
	case HalfTopic:
		b.addHalf(m)
	case OpTopic:
		if off, err := strconv.ParseInt(string(m.Body), 10, 64); err == nil {
			b.decide(off, txRolledBack, m.StoreTimestamp)
		}
	case CheckMaxTopic:
		b.decide(m.PreparedTransactionOffset, txDiscarded, m.StoreTimestamp)
	case ScheduleTopic:
		select {
		case b.schedWake <- struct{}{}:
		default:
		}
	default:
		n := b.opts.DefaultQueues
		if strings.HasPrefix(m.Topic, RetryPrefix) || strings.HasPrefix(m.Topic, DLQPrefix) {
			n = 1
		}
		b.ensureTopicLocked(m.Topic, max(n, int(m.QueueID)+1))
	}
}

// snapshotLocked serialises the state. Callers hold b.mu.
func (b *Broker) snapshotLocked() ([]byte, error) {
	s := b.state
	s.Pending = s.tx.pendingList()
	s.Decided = s.tx.decidedList()
	return json.Marshal(&s)
}

// saveState writes the snapshot atomically (temp file, fsync, rename).
func (b *Broker) saveState() error {
	if b.opts.StatePath == "" {
		return nil
	}
	b.mu.Lock()
	// Save when state changed, or when only the log grew: a fresh
	// dispatched offset keeps the replay at the next start short.
	if !b.dirty && b.state.Dispatched == b.savedDispatched {
		b.mu.Unlock()
		return nil
	}
	raw, err := b.snapshotLocked()
	b.dirty, b.savedDispatched = false, b.state.Dispatched
	b.mu.Unlock()
	if err != nil {
		return fmt.Errorf("encode broker state: %w", err)
	}
	if err := b.store.Flush(); err != nil {
		return fmt.Errorf("flush store before state snapshot: %w", err)
	}
	if err := writeFileAtomic(b.opts.StatePath, raw); err != nil {
		b.mu.Lock()
		b.dirty = true
		b.mu.Unlock()
		return err
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	if dir, err := os.Open(filepath.Dir(path)); err == nil {
		dir.Sync()
		dir.Close()
	}
	return nil
}

// updateRetentionFloor stops retention from deleting segments that hold
// undecided halves or undelivered delayed messages.
func (b *Broker) updateRetentionFloor() {
	b.mu.Lock()
	floor := int64(math.MaxInt64)
	for off := range b.state.tx.pending {
		floor = min(floor, off)
	}
	for i, next := range b.state.Schedule {
		if e, err := b.store.Entry(ScheduleTopic, int32(i), next); err == nil {
			floor = min(floor, e.CommitLogOffset)
		}
	}
	b.mu.Unlock()
	b.store.SetRetentionFloor(floor)
}
