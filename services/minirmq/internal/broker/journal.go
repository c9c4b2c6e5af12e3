package broker

import (
	"fmt"
	"strconv"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/journal"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// The broker's part of the per-order timeline (issue 15): every step below
// is noted in the journal where it happens, under the message's KEYS. A
// message without KEYS is not journaled; nobody could ask for it.
//
// Order: the journal answers a key's entries sorted by time, so a step that
// makes a message visible to consumers (stored, decided by a commit,
// redelivered, replayed) is stamped with a time taken just before the
// append: a pull can hand the message out the moment the append publishes
// it, and its "delivered" must not sort first. A delivery is noted when its
// answer leaves (later under the delay fault); an "acked" when a committed
// offset passes a delivered message (ackTracker).
//
// The state recovery at start notes nothing: the journal starts empty.
const (
	stepHalfStored     = "half-stored"
	stepEndTransaction = "end-transaction"
	stepCheckSent      = "check-sent"
	stepDecided        = "decided"
	stepStored         = "stored"
	stepDelivered      = "delivered"
	stepAcked          = "acked"
	stepRetry          = "retry"
	stepDeadLettered   = "dead-lettered"
	stepReplayed       = "replayed"
	stepRedelivered    = "redelivered"
)

// Journal returns the broker's journal, for the admin API.
func (b *Broker) Journal() *journal.Journal { return b.journal }

// msgID is the id clients know a message by: UNIQ_KEY, else the offset id.
func msgID(m *wire.Message) string {
	if id := m.Properties[wire.PropUniqKey]; id != "" {
		return id
	}
	return wire.OffsetMsgID(m.StoreHost, m.CommitLogOffset)
}

// businessTopic is the topic a consumer sees for a message (a retry copy
// or a redelivery carries it in RETRY_TOPIC).
func businessTopic(m *wire.Message) string {
	if t := m.Properties[wire.PropRetryTopic]; t != "" {
		return t
	}
	return m.Topic
}

// describeClient names the client on a connection for people: its client
// id once it has heartbeated, and its address.
func (b *Broker) describeClient(c *conn) string {
	if id := b.reg.clientID(c); id != "" {
		return "client " + id + " at " + c.remote.String()
	}
	return "connection " + c.remote.String()
}

// noteStored notes a message routeAndPutLocked stored, at the time taken
// before the append: in its topic, or parked until its delay level is due.
func (b *Broker) noteStored(at time.Time, m *wire.Message) {
	keys := m.Properties[wire.PropKeys]
	if keys == "" {
		return
	}
	e := journal.Entry{At: at, Step: stepStored, Key: keys, Topic: m.Topic, MsgID: msgID(m)}
	if m.Topic == ScheduleTopic {
		level := int(m.QueueID) + 1
		delay := b.opts.DelayLevels[level-1]
		until := time.UnixMilli(m.StoreTimestamp).Add(delay).UTC()
		e.Topic = m.Properties[wire.PropRealTopic]
		e.Detail = fmt.Sprintf("delayed until %s UTC (delay level %d, %v)", until.Format("15:04:05.000"), level, delay)
	} else {
		e.Detail = "queue " + strconv.Itoa(int(m.QueueID)) + ", offset " + strconv.FormatInt(m.QueueOffset, 10)
	}
	b.journal.Add(e)
}

func (b *Broker) noteHalfStored(at time.Time, c *conn, h *half) {
	b.journal.Add(journal.Entry{At: at, Step: stepHalfStored, Key: h.Keys, Topic: h.Topic, MsgID: h.TransactionID,
		TxID: h.TransactionID, Group: h.ProducerGroup, Detail: "from " + b.describeClient(c)})
}

// noteEndTransaction notes an END_TRANSACTION for a known half; ignored
// says why it changes nothing, if it does not.
func (b *Broker) noteEndTransaction(c *conn, h *half, kind int64, fromCheck bool, ignored string) {
	e := journal.Entry{Step: stepEndTransaction, Key: h.Keys, Topic: h.Topic, TxID: h.TransactionID, Group: h.ProducerGroup}
	switch kind {
	case endCommit:
		e.Outcome = "commit"
	case endRollback:
		e.Outcome = "rollback"
	case endUnknown:
		e.Outcome = "unknown"
	default:
		ignored = fmt.Sprintf("commitOrRollback %d is not a known answer", kind)
	}
	e.Detail = "from " + b.describeClient(c)
	if fromCheck {
		e.Detail = "answer to a check-back, from " + b.describeClient(c)
	}
	if ignored != "" {
		e.Detail += "; ignored: " + ignored
	}
	b.journal.Add(e)
}

// noteDecided notes a half's final outcome ("commit" or "rollback") and who
// decided it.
func (b *Broker) noteDecided(at time.Time, h *half, outcome, by string) {
	b.journal.Add(journal.Entry{At: at, Step: stepDecided, Key: h.Keys, Topic: h.Topic, TxID: h.TransactionID,
		Group: h.ProducerGroup, Outcome: outcome, Detail: by})
}

func (b *Broker) noteCheckSent(c *conn, h *half) {
	b.journal.Add(journal.Entry{Step: stepCheckSent, Key: h.Keys, Topic: h.Topic, TxID: h.TransactionID,
		Group: h.ProducerGroup, Attempt: h.CheckCount, Detail: "to " + b.describeClient(c)})
}

// delivery is a keyed message in a pull answer, noted when the answer leaves.
type delivery struct {
	keys, msgID, topic string
	queueOffset        int64
	attempt            int
	copy               bool // the duplicate fault's second copy
}

// deliveryOf reads what the journal needs of a message about to go into a
// pull answer; false for a message without keys.
func (b *Broker) deliveryOf(p *pullRequest, data []byte) (delivery, bool) {
	h, err := wire.ReadHead(data)
	if err != nil {
		return delivery{}, false
	}
	keys := h.Property(wire.PropKeys)
	if keys == "" {
		return delivery{}, false
	}
	d := delivery{keys: keys, msgID: h.Property(wire.PropUniqKey), topic: h.Property(wire.PropRetryTopic),
		queueOffset: h.QueueOffset, attempt: int(h.ReconsumeTimes) + 1}
	if d.msgID == "" {
		d.msgID = wire.OffsetMsgID(h.StoreHost, h.CommitLogOffset)
	}
	if d.topic == "" {
		d.topic = p.topic
	}
	return d, true
}

// noteDelivered notes the keyed messages of a pull answer that is leaving
// and remembers them until the group's committed offset passes them.
func (b *Broker) noteDelivered(p *pullRequest, ds []delivery) {
	q := ackQueue{group: p.group, topic: p.topic, queueID: p.queueID}
	for _, d := range ds {
		detail := "from " + p.topic + " queue " + strconv.Itoa(int(p.queueID)) + ", offset " + strconv.FormatInt(d.queueOffset, 10)
		if d.copy {
			detail += "; a second copy, by the duplicate fault"
		}
		b.journal.Add(journal.Entry{Step: stepDelivered, Key: d.keys, Topic: d.topic, MsgID: d.msgID, Group: p.group,
			Attempt: d.attempt, Detail: detail})
		b.acks.track(q, pendingAck{offset: d.queueOffset, keys: d.keys, msgID: d.msgID, topic: d.topic, attempt: d.attempt})
	}
}

// noteSentBack notes a consumer's send-back (step retry or dead-lettered)
// of the copy at (copyAt, copyOffset); m is the new copy as stored.
func (b *Broker) noteSentBack(at time.Time, step, group string, m *wire.Message, attempt int, detail string,
	copyAt ackQueue, copyOffset int64, where string) {
	keys := m.Properties[wire.PropKeys]
	if keys == "" {
		return
	}
	b.acks.sentBack(copyAt, copyOffset, where)
	b.journal.Add(journal.Entry{At: at, Step: step, Key: keys, Topic: businessTopic(m), MsgID: msgID(m), Group: group,
		Attempt: attempt, Detail: detail})
}

// noteAdmin notes an admin operation that sent a copy of a message to a
// group (step redelivered or replayed).
func (b *Broker) noteAdmin(at time.Time, step, group string, m *wire.Message, detail string) {
	b.journal.Add(journal.Entry{At: at, Step: step, Key: m.Properties[wire.PropKeys], Topic: businessTopic(m),
		MsgID: msgID(m), Group: group, Detail: detail})
}

// noteAcked notes the deliveries a group's new committed offset passed.
func (b *Broker) noteAcked(q ackQueue, committed int64) {
	b.acks.commit(q, committed, func(a pendingAck) {
		detail := "the group's committed offset of " + q.topic + " queue " + strconv.Itoa(int(q.queueID)) + " is now " +
			strconv.FormatInt(committed, 10) + ", past this message's " + strconv.FormatInt(a.offset, 10)
		if a.sentBack != "" {
			detail += "; the consumer had sent this attempt back to " + a.sentBack
		}
		b.journal.Add(journal.Entry{Step: stepAcked, Key: a.keys, Topic: a.topic, MsgID: a.msgID, Group: q.group,
			Attempt: a.attempt, Detail: detail})
	})
}
