package broker

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// QueueView is one queue of a topic.
type QueueView struct {
	QueueID   int32 `json:"queueId"`
	MinOffset int64 `json:"minOffset"`
	MaxOffset int64 `json:"maxOffset"`
}

// TopicView is a topic with its queues.
type TopicView struct {
	Topic  string      `json:"topic"`
	Kind   string      `json:"kind"`
	Queues []QueueView `json:"queues"`
}

// Topics lists every topic that has stored messages or was declared.
func (b *Broker) Topics() []TopicView {
	queues := map[string][]int32{}
	for _, tq := range b.store.Topics() {
		queues[tq.Topic] = tq.QueueIDs
	}
	b.mu.Lock()
	for t, n := range b.state.Topics {
		for q := int32(0); q < int32(n); q++ {
			if !slices.Contains(queues[t], q) {
				queues[t] = append(queues[t], q)
			}
		}
	}
	b.mu.Unlock()
	out := make([]TopicView, 0, len(queues))
	for t, ids := range queues {
		slices.Sort(ids)
		tv := TopicView{Topic: t, Kind: topicKind(t), Queues: []QueueView{}}
		for _, q := range ids {
			minOff, maxOff := b.store.QueueOffsets(t, q)
			tv.Queues = append(tv.Queues, QueueView{QueueID: q, MinOffset: minOff, MaxOffset: maxOff})
		}
		out = append(out, tv)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Topic < out[j].Topic })
	return out
}

// Messages returns up to limit messages of one queue from offset, oldest
// first; a negative offset means the newest limit messages.
func (b *Broker) Messages(topic string, queueID int32, offset int64, limit int) ([]MessageView, error) {
	if err := validTopic(topic); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	minOff, maxOff := b.store.QueueOffsets(topic, queueID)
	if offset < 0 {
		offset = max(minOff, maxOff-int64(limit))
	}
	out := []MessageView{}
	if offset >= maxOff {
		return out, nil
	}
	offset = max(offset, minOff)
	datas, err := b.store.ReadQueue(topic, queueID, offset, limit, 64<<20)
	if err != nil {
		return nil, err
	}
	for _, d := range datas {
		if m, _, err := wire.Decode(d); err == nil {
			out = append(out, viewMessage(m))
		}
	}
	return out, nil
}

// SearchKey returns the messages of a topic with a key or UNIQ_KEY, newest
// first, scanning at most scan messages per queue from the newest.
func (b *Broker) SearchKey(topic, key string, scan int) ([]MessageView, error) {
	if err := validTopic(topic); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	out := []MessageView{}
	for q := int32(0); q < int32(b.queueCount(topic)); q++ {
		minOff, maxOff := b.store.QueueOffsets(topic, q)
		for off := max(minOff, maxOff-int64(scan)); off < maxOff; {
			// A page may come back shorter than asked (byte cap, retention):
			// advance by what was read, never by the page size.
			datas, err := b.store.ReadQueue(topic, q, off, 256, 16<<20)
			if err != nil {
				return nil, err
			}
			if len(datas) == 0 {
				break
			}
			off += int64(len(datas))
			for _, d := range datas {
				if m, _, err := wire.Decode(d); err == nil && hasKey(m, key) {
					out = append(out, viewMessage(m))
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StoreTime.After(out[j].StoreTime) })
	return out, nil
}

// Message returns the message with a broker (offset) message id.
func (b *Broker) Message(offsetMsgID string) (MessageView, error) {
	m, err := b.messageByOffsetID(offsetMsgID)
	if err != nil {
		return MessageView{}, err
	}
	return viewMessage(m), nil
}

func (b *Broker) messageByOffsetID(id string) (*wire.Message, error) {
	_, off, err := wire.ParseOffsetMsgID(strings.ToUpper(id))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	m, err := b.readMessage(off)
	if err != nil {
		return nil, fmt.Errorf("%w: no message with id %s: %v", ErrNotFound, id, err)
	}
	return m, nil
}

// Transactions lists half messages, optionally of one state: every pending
// one and the most recently decided ones.
func (b *Broker) Transactions(state string) ([]HalfView, error) {
	switch state {
	case "", txPending, txCommitted, txRolledBack, txDiscarded:
	default:
		return nil, fmt.Errorf("%w: state %q is not one of pending, committed, rolled_back, discarded", ErrInvalid, state)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := []HalfView{}
	for _, list := range [][]*half{b.state.tx.pendingList(), b.state.tx.decidedList()} {
		for _, h := range list {
			if state == "" || h.State == state {
				out = append(out, b.viewHalf(h))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CommitLogOffset < out[j].CommitLogOffset })
	return out, nil
}
