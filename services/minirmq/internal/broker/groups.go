package broker

import (
	"fmt"
	"hash/crc32"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// MemberView is one live client of a group.
type MemberView struct {
	ClientID      string             `json:"clientId"`
	Addr          string             `json:"addr"`
	Subscriptions []SubscriptionView `json:"subscriptions,omitempty"`
}

// SubscriptionView is a topic and its filter expression.
type SubscriptionView struct {
	Topic      string `json:"topic"`
	Expression string `json:"expression"`
}

// GroupQueueView is a group's progress on one queue.
type GroupQueueView struct {
	Topic           string `json:"topic"`
	QueueID         int32  `json:"queueId"`
	CommittedOffset int64  `json:"committedOffset"`
	MaxOffset       int64  `json:"maxOffset"`
	Lag             int64  `json:"lag"`
}

// GroupView is a consumer group: its live members and its progress.
type GroupView struct {
	Group            string           `json:"group"`
	MessageModel     string           `json:"messageModel"`
	ConsumeFromWhere string           `json:"consumeFromWhere"`
	Members          []MemberView     `json:"members"`
	Queues           []GroupQueueView `json:"queues"`
	Lag              int64            `json:"lag"`
}

// ProducerGroupView is a producer group and its live members.
type ProducerGroupView struct {
	Group   string       `json:"group"`
	Members []MemberView `json:"members"`
}

// ConsumerGroups lists every group that is live or has committed offsets.
func (b *Broker) ConsumerGroups() []GroupView {
	views := map[string]*GroupView{}
	get := func(g string) *GroupView {
		if views[g] == nil {
			views[g] = &GroupView{Group: g, Members: []MemberView{}, Queues: []GroupQueueView{}}
		}
		return views[g]
	}
	// The topics a group reads: live subscriptions plus stored offsets.
	subscribed := map[string]map[string]bool{}
	subscribe := func(g, topic string) {
		if subscribed[g] == nil {
			subscribed[g] = map[string]bool{}
		}
		subscribed[g][topic] = true
	}
	for _, cl := range b.reg.snapshot() {
		for _, cd := range cl.consumers {
			v := get(cd.GroupName)
			v.MessageModel, v.ConsumeFromWhere = cd.MessageModel, cd.ConsumeFromWhere
			mv := MemberView{ClientID: cl.id, Addr: cl.addr}
			for _, s := range cd.Subscriptions {
				mv.Subscriptions = append(mv.Subscriptions, SubscriptionView{Topic: s.Topic, Expression: s.Expression})
				subscribe(cd.GroupName, s.Topic)
			}
			v.Members = append(v.Members, mv)
		}
	}

	committed := map[string]map[string]int64{}
	b.mu.Lock()
	for g, offs := range b.state.Offsets {
		get(g)
		committed[g] = maps.Clone(offs)
		for k := range offs {
			if t, _, ok := splitOffsetKey(k); ok {
				subscribe(g, t)
			}
		}
	}
	b.mu.Unlock()

	out := make([]GroupView, 0, len(views))
	for g, v := range views {
		for t := range subscribed[g] {
			for q := int32(0); q < int32(b.queueCount(t)); q++ {
				_, maxOff := b.store.QueueOffsets(t, q)
				off, ok := committed[g][offsetKey(t, q)]
				if !ok && maxOff == 0 {
					continue
				}
				// A negative committed offset (ali-ons commits -1 for a queue it
				// read nothing from) counts as 0, as in Apache's consume stats.
				lag := max(maxOff-max(off, 0), 0)
				v.Queues = append(v.Queues, GroupQueueView{Topic: t, QueueID: q, CommittedOffset: off, MaxOffset: maxOff, Lag: lag})
				v.Lag += lag
			}
		}
		sort.Slice(v.Members, func(i, j int) bool { return v.Members[i].ClientID < v.Members[j].ClientID })
		sort.Slice(v.Queues, func(i, j int) bool {
			if v.Queues[i].Topic != v.Queues[j].Topic {
				return v.Queues[i].Topic < v.Queues[j].Topic
			}
			return v.Queues[i].QueueID < v.Queues[j].QueueID
		})
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out
}

// ConsumerGroup returns one group.
func (b *Broker) ConsumerGroup(group string) (GroupView, error) {
	for _, g := range b.ConsumerGroups() {
		if g.Group == group {
			return g, nil
		}
	}
	return GroupView{}, fmt.Errorf("%w: consumer group %q has no live members and no committed offsets", ErrNotFound, group)
}

// ProducerGroups lists live producer groups.
func (b *Broker) ProducerGroups() []ProducerGroupView {
	groups := map[string][]MemberView{}
	for _, cl := range b.reg.snapshot() {
		for _, g := range cl.producers {
			groups[g] = append(groups[g], MemberView{ClientID: cl.id, Addr: cl.addr})
		}
	}
	out := make([]ProducerGroupView, 0, len(groups))
	for g, ms := range groups {
		sort.Slice(ms, func(i, j int) bool { return ms[i].ClientID < ms[j].ClientID })
		out = append(out, ProducerGroupView{Group: g, Members: ms})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out
}

// Redeliver sends a copy of a stored message to one consumer group through
// its retry topic: same UNIQ_KEY, body and properties, so an idempotent
// consumer sees a true duplicate.
func (b *Broker) Redeliver(group, offsetMsgID string) (MessageView, error) {
	if _, err := b.ConsumerGroup(group); err != nil {
		return MessageView{}, err
	}
	m, err := b.messageByOffsetID(offsetMsgID)
	if err != nil {
		return MessageView{}, err
	}
	if isSystemTopic(m.Topic) || strings.HasPrefix(m.Topic, DLQPrefix) {
		return MessageView{}, fmt.Errorf("%w: message %s is in %s, not a consumable topic", ErrInvalid, offsetMsgID, m.Topic)
	}
	if m.Properties[wire.PropRetryTopic] == "" {
		m.Properties[wire.PropRetryTopic] = m.Topic
	}
	delete(m.Properties, wire.PropDelay)
	m.Topic, m.QueueID = RetryPrefix+group, 0
	at := b.now()
	if _, err := b.put(m); err != nil {
		return MessageView{}, err
	}
	b.log.Info("message redelivered to group", "group", group, "msg_id", m.Properties[wire.PropUniqKey], "source", offsetMsgID)
	b.noteAdmin(at, stepRedelivered, group, m, "a copy of "+strings.ToUpper(offsetMsgID)+" through "+m.Topic+", by the admin API")
	return viewMessage(m), nil
}

// DeadLetterSummary counts one group's dead letters.
type DeadLetterSummary struct {
	Group   string `json:"group"`
	Total   int64  `json:"total"`
	Pending int64  `json:"pending"`
}

// DeadLetterView is a dead-lettered message.
type DeadLetterView struct {
	MessageView
	OriginalTopic string `json:"originalTopic"`
	Replayed      bool   `json:"replayed"`
}

// DeadLetters summarises every group's dead-letter queue.
func (b *Broker) DeadLetters() []DeadLetterSummary {
	out := []DeadLetterSummary{}
	for _, tq := range b.store.Topics() {
		if !strings.HasPrefix(tq.Topic, DLQPrefix) {
			continue
		}
		group := strings.TrimPrefix(tq.Topic, DLQPrefix)
		minOff, maxOff := b.store.QueueOffsets(tq.Topic, 0)
		b.mu.Lock()
		replayed := int64(0)
		for _, off := range b.state.Replayed[group] {
			if off >= minOff {
				replayed++
			}
		}
		b.mu.Unlock()
		out = append(out, DeadLetterSummary{Group: group, Total: maxOff - minOff, Pending: maxOff - minOff - replayed})
	}
	return out
}

// GroupDeadLetters lists one group's dead letters, oldest first.
func (b *Broker) GroupDeadLetters(group string) ([]DeadLetterView, error) {
	msgs, err := b.Messages(DLQPrefix+group, 0, 0, 1000)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	replayed := slices.Clone(b.state.Replayed[group])
	b.mu.Unlock()
	out := make([]DeadLetterView, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, DeadLetterView{MessageView: m, OriginalTopic: m.Properties[wire.PropRetryTopic],
			Replayed: slices.Contains(replayed, m.QueueOffset)})
	}
	return out, nil
}

// ReplayDeadLetter re-publishes a dead letter to its original topic with a
// fresh reconsume count. Each dead letter is replayed at most once.
func (b *Broker) ReplayDeadLetter(group string, queueOffset int64) (MessageView, error) {
	dlq := DLQPrefix + group
	if err := validTopic(dlq); err != nil {
		return MessageView{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	e, err := b.store.Entry(dlq, 0, queueOffset)
	if err != nil {
		return MessageView{}, fmt.Errorf("%w: group %q has no dead letter at offset %d", ErrNotFound, group, queueOffset)
	}
	m, err := b.readMessage(e.CommitLogOffset)
	if err != nil {
		return MessageView{}, fmt.Errorf("%w: dead letter %d of %q is no longer stored", ErrNotFound, queueOffset, group)
	}
	topic := m.Properties[wire.PropRetryTopic]
	if topic == "" {
		return MessageView{}, fmt.Errorf("%w: dead letter %d of %q has no RETRY_TOPIC", ErrInvalid, queueOffset, group)
	}
	for _, p := range []string{wire.PropRetryTopic, wire.PropDelay, wire.PropRealTopic, wire.PropRealQueueID} {
		delete(m.Properties, p)
	}
	m.Topic, m.ReconsumeTimes = topic, 0
	m.QueueID = int32(crc32.ChecksumIEEE([]byte(m.Properties[wire.PropUniqKey])) % uint32(b.queueCount(topic)))

	b.mu.Lock()
	if slices.Contains(b.state.Replayed[group], queueOffset) {
		b.mu.Unlock()
		return MessageView{}, fmt.Errorf("%w: dead letter %d of %q was already replayed", ErrConflict, queueOffset, group)
	}
	at := b.now()
	if _, err := b.putLocked(m); err != nil {
		b.mu.Unlock()
		return MessageView{}, err
	}
	b.state.Replayed[group] = append(b.state.Replayed[group], queueOffset)
	b.dirty = true
	b.log.Info("dead letter replayed", "group", group, "dlq_offset", queueOffset, "topic", topic, "msg_id", m.Properties[wire.PropUniqKey])
	b.noteAdmin(at, stepReplayed, group, m, fmt.Sprintf("dead letter %d of %s re-published to %s by the admin API (every group of the topic gets it)",
		queueOffset, dlq, topic))
	end := b.state.Dispatched
	b.mu.Unlock()
	// With -fsync the answer waits for the group commit, like a send's.
	if err := b.store.WaitDurable(end); err != nil {
		return MessageView{}, err
	}
	return viewMessage(m), nil
}
