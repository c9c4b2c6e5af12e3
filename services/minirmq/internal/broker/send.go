package broker

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// sendHeader holds the fields of SEND_MESSAGE (full names) and
// SEND_BATCH_MESSAGE (V2 letters).
type sendHeader struct {
	group, topic   string
	queueID        int32
	sysFlag        int32
	bornTimestamp  int64
	flag           int32
	properties     string
	reconsumeTimes int32
}

var v2Names = map[string]string{
	"a": "producerGroup", "b": "topic", "e": "queueId", "f": "sysFlag", "g": "bornTimestamp",
	"h": "flag", "i": "properties", "j": "reconsumeTimes",
}

func parseSendHeader(req *remoting.Command, v2 bool) (sendHeader, error) {
	get := func(name string) string { return req.Ext(name) }
	if v2 {
		letters := map[string]string{}
		for l, name := range v2Names {
			letters[name] = req.Ext(l)
		}
		get = func(name string) string { return letters[name] }
	}
	h := sendHeader{group: get("producerGroup"), topic: get("topic"), properties: get("properties")}
	var queueID, sysFlag, flag, reconsume int64
	fields := []struct {
		name string
		dst  *int64
	}{{"queueId", &queueID}, {"sysFlag", &sysFlag}, {"bornTimestamp", &h.bornTimestamp}, {"flag", &flag}, {"reconsumeTimes", &reconsume}}
	for _, f := range fields {
		v := get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 32)
		if f.name == "bornTimestamp" {
			n, err = strconv.ParseInt(v, 10, 64)
		}
		if err != nil {
			return h, fmt.Errorf("field %s=%q is not an integer", f.name, v)
		}
		*f.dst = n
	}
	h.queueID, h.sysFlag, h.flag, h.reconsumeTimes = int32(queueID), int32(sysFlag), int32(flag), int32(reconsume)
	if err := validTopic(h.topic); err != nil {
		return h, err
	}
	if isSystemTopic(h.topic) {
		return h, fmt.Errorf("topic %s is reserved for the broker", h.topic)
	}
	return h, nil
}

// checkQueue maps a requested queue id onto the topic's queues.
func (b *Broker) checkQueue(h *sendHeader) error {
	n := b.queueCount(h.topic)
	if h.queueID < 0 {
		h.queueID = 0
	}
	if int(h.queueID) >= n {
		return fmt.Errorf("queueId %d is illegal: topic %s has %d queues", h.queueID, h.topic, n)
	}
	return nil
}

func (b *Broker) handleSend(c *conn, req *remoting.Command) *remoting.Command {
	h, err := parseSendHeader(req, false)
	if err == nil {
		err = b.checkQueue(&h)
	}
	if err == nil && len(req.Body) > b.opts.MaxMessageBytes {
		err = fmt.Errorf("message body of %d bytes exceeds the maximum %d", len(req.Body), b.opts.MaxMessageBytes)
	}
	if err != nil {
		return badRequest(req, remoting.MessageIllegal, "%v", err)
	}
	props := wire.ParseProperties(h.properties)
	props[wire.PropCluster] = b.opts.ClusterName
	// Only TRAN_MSG makes a half; a client cannot claim a commit.
	txType := int32(0)
	if props[wire.PropTranMsg] == "true" {
		txType = wire.SysFlagTransactionPrepared
	}
	m := &wire.Message{
		Topic: h.topic, QueueID: h.queueID, Flag: h.flag, SysFlag: wire.WithTransactionType(h.sysFlag, txType),
		BornTimestamp: h.bornTimestamp, BornHost: c.remote, ReconsumeTimes: h.reconsumeTimes,
		Body: req.Body, Properties: props,
	}
	b.mu.Lock()
	at := b.now()
	err = b.routeAndPutLocked(m)
	var halfEntry *half
	if err == nil && m.Topic == HalfTopic {
		if halfEntry = b.state.tx.pending[m.CommitLogOffset]; halfEntry != nil {
			halfEntry.origin = c
		}
	}
	b.mu.Unlock()
	if err != nil {
		return b.storeFailure(req, err)
	}
	switch {
	case halfEntry != nil:
		b.log.Info("half message stored", "tx_id", halfEntry.TransactionID, "commit_log_offset", m.CommitLogOffset,
			"producer_group", halfEntry.ProducerGroup, "topic", halfEntry.Topic, "keys", halfEntry.Keys)
		b.noteHalfStored(at, c, halfEntry)
	case m.Topic != HalfTopic:
		b.noteStored(at, m)
	}
	resp := remoting.NewResponse(req, remoting.Success, "")
	resp.ExtFields["msgId"] = wire.OffsetMsgID(b.storeHost(), m.CommitLogOffset)
	resp.ExtFields["queueId"] = strconv.Itoa(int(h.queueID))
	resp.ExtFields["queueOffset"] = strconv.FormatInt(m.QueueOffset, 10)
	resp.ExtFields["MSG_REGION"] = defaultRegion
	resp.ExtFields["TRACE_ON"] = "true"
	return resp
}

func (b *Broker) handleSendBatch(c *conn, req *remoting.Command) *remoting.Command {
	h, err := parseSendHeader(req, true)
	if err == nil {
		err = b.checkQueue(&h)
	}
	var entries []wire.BatchEntry
	if err == nil {
		entries, err = wire.DecodeBatch(req.Body)
	}
	if err != nil {
		return badRequest(req, remoting.MessageIllegal, "%v", err)
	}
	msgs := make([]*wire.Message, len(entries))
	for i, e := range entries {
		if len(e.Body) > b.opts.MaxMessageBytes {
			return badRequest(req, remoting.MessageIllegal, "batch message %d: body of %d bytes exceeds the maximum %d", i, len(e.Body), b.opts.MaxMessageBytes)
		}
		if e.Properties[wire.PropDelay] != "" || e.Properties[wire.PropTranMsg] == "true" {
			return badRequest(req, remoting.MessageIllegal, "batch message %d: delayed and transactional messages cannot be batched", i)
		}
		e.Properties[wire.PropCluster] = b.opts.ClusterName
		msgs[i] = &wire.Message{
			Topic: h.topic, QueueID: h.queueID, Flag: e.Flag, SysFlag: wire.WithTransactionType(h.sysFlag, 0), BornTimestamp: h.bornTimestamp,
			BornHost: c.remote, Body: e.Body, Properties: e.Properties,
		}
	}
	at := b.now()
	res, err := b.put(msgs...)
	if err != nil {
		return b.storeFailure(req, err)
	}
	for _, m := range msgs {
		b.noteStored(at, m)
	}
	ids := make([]string, len(res))
	for i, r := range res {
		ids[i] = wire.OffsetMsgID(b.storeHost(), r.CommitLogOffset)
	}
	resp := remoting.NewResponse(req, remoting.Success, "")
	resp.ExtFields["msgId"] = strings.Join(ids, ",")
	resp.ExtFields["queueId"] = strconv.Itoa(int(h.queueID))
	resp.ExtFields["queueOffset"] = strconv.FormatInt(res[0].QueueOffset, 10)
	resp.ExtFields["MSG_REGION"] = defaultRegion
	resp.ExtFields["TRACE_ON"] = "true"
	return resp
}

func (b *Broker) storeFailure(req *remoting.Command, err error) *remoting.Command {
	var encodeErr *wire.EncodeError
	if errors.As(err, &encodeErr) {
		return badRequest(req, remoting.MessageIllegal, "%v", err)
	}
	b.log.Error("store append failed", "code", req.Code, "err", err)
	return badRequest(req, remoting.SystemError, "store append failed: %v", err)
}

// routeAndPutLocked stores a message where Apache would: a prepared
// transactional message becomes a half in RMQ_SYS_TRANS_HALF_TOPIC, a
// delayed one goes to SCHEDULE_TOPIC_XXXX, anything else to its topic.
// Callers hold b.mu.
func (b *Broker) routeAndPutLocked(m *wire.Message) error {
	props := m.Properties
	switch {
	case wire.TransactionType(m.SysFlag) == wire.SysFlagTransactionPrepared:
		props[wire.PropRealTopic] = m.Topic
		props[wire.PropRealQueueID] = strconv.Itoa(int(m.QueueID))
		m.SysFlag = wire.WithTransactionType(m.SysFlag, 0)
		m.Topic, m.QueueID = HalfTopic, 0
	case props[wire.PropDelay] != "":
		level, err := strconv.Atoi(props[wire.PropDelay])
		if err != nil {
			return &wire.EncodeError{Err: fmt.Errorf("DELAY property %q is not a level", props[wire.PropDelay])}
		}
		if level <= 0 {
			delete(props, wire.PropDelay)
			break
		}
		level = min(level, len(b.opts.DelayLevels))
		props[wire.PropDelay] = strconv.Itoa(level)
		props[wire.PropRealTopic] = m.Topic
		props[wire.PropRealQueueID] = strconv.Itoa(int(m.QueueID))
		m.Topic, m.QueueID = ScheduleTopic, int32(level-1)
	}
	_, err := b.putLocked(m)
	return err
}
