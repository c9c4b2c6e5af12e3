package broker

import (
	"strconv"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
)

// youngQueueBytes approximates Apache's "first message still in memory"
// test: a queue whose first message is this close to the log end is young.
const youngQueueBytes = 1 << 30

func (b *Broker) setOffset(group, topic string, queueID int32, offset int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	g := b.state.Offsets[group]
	if g == nil {
		g = map[string]int64{}
		b.state.Offsets[group] = g
	}
	k := offsetKey(topic, queueID)
	if cur, ok := g[k]; !ok || cur != offset {
		g[k] = offset
		b.dirty = true
	}
}

// commitOffset stores a group's committed offset and journals the
// deliveries it passed.
func (b *Broker) commitOffset(group, topic string, queueID int32, offset int64) {
	b.setOffset(group, topic, queueID, offset)
	b.noteAcked(ackQueue{group: group, topic: topic, queueID: queueID}, offset)
}

func (b *Broker) getOffset(group, topic string, queueID int32) (int64, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	off, ok := b.state.Offsets[group][offsetKey(topic, queueID)]
	return off, ok
}

type queueRef struct {
	group, topic string
	queueID      int32
}

func parseQueueRef(req *remoting.Command) (queueRef, error) {
	q := queueRef{group: req.Ext("consumerGroup"), topic: req.Ext("topic")}
	id, err := extInt(req, "queueId")
	if err != nil {
		return q, err
	}
	q.queueID = int32(id)
	return q, validTopic(q.topic)
}

func offsetResponse(req *remoting.Command, offset int64) *remoting.Command {
	resp := remoting.NewResponse(req, remoting.Success, "")
	resp.ExtFields["offset"] = strconv.FormatInt(offset, 10)
	return resp
}

// handleQueryOffset answers the committed offset. With none stored (or a
// negative one) it mimics
// Apache: a young queue (nothing deleted, first message recent) starts at 0,
// so a new group reads a new topic from the beginning even with
// CONSUME_FROM_LAST_OFFSET; otherwise 22 lets the client apply its policy.
func (b *Broker) handleQueryOffset(_ *conn, req *remoting.Command) *remoting.Command {
	q, err := parseQueueRef(req)
	if err != nil {
		return badRequest(req, remoting.SystemError, "bad offset query: %v", err)
	}
	// A stored negative offset counts as none, as in Apache's
	// ConsumerManageProcessor.queryConsumerOffset: ali-ons persists a queue
	// it has consumed nothing from as -1 (RemoteBrokerOffsetStore.persistAll:
	// "offsetTable.get(key) || -1"), and answering that -1 back made a
	// CONSUME_FROM_LAST_OFFSET member that took the queue over start at the
	// queue's end instead of 0.
	if off, ok := b.getOffset(q.group, q.topic, q.queueID); ok && off >= 0 {
		return offsetResponse(req, off)
	}
	minOff, maxOff := b.store.QueueOffsets(q.topic, q.queueID)
	if maxOff == 0 {
		return offsetResponse(req, 0)
	}
	if minOff == 0 {
		if e, err := b.store.Entry(q.topic, q.queueID, 0); err == nil {
			if _, end := b.store.CommitLogRange(); end-e.CommitLogOffset < youngQueueBytes {
				return offsetResponse(req, 0)
			}
		}
	}
	return badRequest(req, remoting.QueryNotFound, "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first")
}

func (b *Broker) handleUpdateOffset(c *conn, req *remoting.Command) *remoting.Command {
	q, err := parseQueueRef(req)
	var off int64
	if err == nil {
		off, err = extInt(req, "commitOffset")
	}
	if err != nil || q.group == "" {
		b.log.Warn("bad UPDATE_CONSUMER_OFFSET ignored", "remote", c.remote, "err", err)
		return badRequest(req, remoting.SystemError, "bad offset update: %v", err)
	}
	b.commitOffset(q.group, q.topic, q.queueID, off)
	return remoting.NewResponse(req, remoting.Success, "")
}

func (b *Broker) handleMaxOffset(_ *conn, req *remoting.Command) *remoting.Command {
	q, err := parseQueueRef(req)
	if err != nil {
		return badRequest(req, remoting.SystemError, "bad max offset query: %v", err)
	}
	_, maxOff := b.store.QueueOffsets(q.topic, q.queueID)
	return offsetResponse(req, maxOff)
}

func (b *Broker) handleMinOffset(_ *conn, req *remoting.Command) *remoting.Command {
	q, err := parseQueueRef(req)
	if err != nil {
		return badRequest(req, remoting.SystemError, "bad min offset query: %v", err)
	}
	minOff, _ := b.store.QueueOffsets(q.topic, q.queueID)
	return offsetResponse(req, minOff)
}

func (b *Broker) handleSearchOffset(_ *conn, req *remoting.Command) *remoting.Command {
	q, err := parseQueueRef(req)
	var ts int64
	if err == nil {
		ts, err = extInt(req, "timestamp")
	}
	if err != nil {
		return badRequest(req, remoting.SystemError, "bad offset search: %v", err)
	}
	return offsetResponse(req, b.store.SearchOffsetByTime(q.topic, q.queueID, ts))
}
