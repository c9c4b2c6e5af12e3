package broker

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// sendHeader holds the request header of SEND_MESSAGE (10) under its full
// field names, or of SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320) under
// the letters of Apache's SendMessageRequestHeaderV2.
type sendHeader struct {
	group, topic          string
	defaultTopic          string // c: where Apache copies a new topic's config from; minirmq uses its default queue count
	defaultTopicQueueNums int32  // d: likewise only parsed
	queueID               int32
	sysFlag               int32
	bornTimestamp         int64
	flag                  int32
	properties            string
	reconsumeTimes        int32
	unitMode              bool  // k: unit (multi-tenant) naming, which minirmq does not have
	maxReconsumeTimes     int32 // l: for sends to a %RETRY% topic; -1 when absent
	batch                 bool  // m: the body is a batch encoding
}

// sendFields pairs SEND_MESSAGE's header names with SEND_MESSAGE_V2's letters
// (SendMessageRequestHeaderV2.createSendMessageRequestHeaderV1). need says
// when Apache 4.9 cannot serve a request without the field (see headerError).
var sendFields = []struct {
	name, letter string
	need         fieldNeed
}{
	{"producerGroup", "a", optional}, {"topic", "b", needTopic}, {"defaultTopic", "c", needForNewTopic},
	{"defaultTopicQueueNums", "d", needForNewTopic}, {"queueId", "e", needAlways}, {"sysFlag", "f", needAlways},
	{"bornTimestamp", "g", needAlways}, {"flag", "h", needAlways}, {"properties", "i", optional},
	{"reconsumeTimes", "j", optional}, {"unitMode", "k", optional}, {"maxReconsumeTimes", "l", optional},
	{"batch", "m", optional},
}

// fieldNeed is how Apache 4.9 fares without a send header field. Its decode
// (RemotingCommand.decodeCommandCustomHeader, and FastCodesHeader.decode for
// 310/320 from 4.9.4) only logs a missing @CFNotNull field and leaves it
// null; SendMessageProcessor then unboxes it and the NullPointerException is
// answered SYSTEM_ERROR (1). So every send without e, f, g or h is refused
// with 1 and stores nothing, one without b with 1 "The specified topic is
// blank." (TopicValidator), and one without c or d only when the topic is
// new (createTopicInSendMessageMethod). a, i–m may be absent.
type fieldNeed int

const (
	optional fieldNeed = iota
	needTopic
	needAlways
	needForNewTopic
)

// headerError is a SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE header Apache cannot
// decode or use (a required letter missing, a number that does not parse):
// answered SYSTEM_ERROR (1) like Apache, where refusals of the message itself
// are MESSAGE_ILLEGAL (13). SEND_MESSAGE (10) is not held to it: minirmq's own
// frame tests and hand-written tools send 10 with only the fields they need,
// and its answers stay as they were (missing numbers are 0, a bad number 13).
type headerError struct{ msg string }

func (e *headerError) Error() string { return e.msg }

func missingField(name, letter string) error {
	return &headerError{fmt.Sprintf("the custom field <%s> (%s) is null", letter, name)}
}

// javaBool is Java's Boolean.parseBoolean: "true" in any case, else false.
func javaBool(v string) bool { return strings.EqualFold(v, "true") }

func parseSendHeader(req *remoting.Command) (sendHeader, error) {
	v2 := req.Code != remoting.CodeSendMessage
	fields := make(map[string]string, len(sendFields))
	for _, f := range sendFields {
		key := f.name
		if v2 {
			key = f.letter
		}
		v, ok := req.ExtFields[key]
		if ok {
			fields[f.name] = v
			continue
		}
		if !v2 {
			continue // SEND_MESSAGE (10) stays lenient: see headerError
		}
		switch f.need {
		case needTopic:
			return sendHeader{}, &headerError{"The specified topic is blank."}
		case needAlways:
			return sendHeader{}, missingField(f.name, f.letter)
		}
	}
	h := sendHeader{
		group: fields["producerGroup"], topic: fields["topic"], defaultTopic: fields["defaultTopic"],
		properties: fields["properties"], unitMode: javaBool(fields["unitMode"]), batch: javaBool(fields["batch"]),
		maxReconsumeTimes: -1,
	}
	var defaultQueues, queueID, sysFlag, flag, reconsume, maxReconsume int64 = 0, 0, 0, 0, 0, -1
	ints := []struct {
		name string
		dst  *int64
		bits int
	}{
		{"defaultTopicQueueNums", &defaultQueues, 32}, {"queueId", &queueID, 32}, {"sysFlag", &sysFlag, 32},
		{"bornTimestamp", &h.bornTimestamp, 64}, {"flag", &flag, 32}, {"reconsumeTimes", &reconsume, 32},
		{"maxReconsumeTimes", &maxReconsume, 32},
	}
	for _, f := range ints {
		v := fields[f.name]
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, f.bits)
		if err != nil {
			return h, &headerError{fmt.Sprintf("field %s=%q is not an integer", f.name, v)}
		}
		*f.dst = n
	}
	h.defaultTopicQueueNums, h.queueID, h.sysFlag = int32(defaultQueues), int32(queueID), int32(sysFlag)
	h.flag, h.reconsumeTimes, h.maxReconsumeTimes = int32(flag), int32(reconsume), int32(maxReconsume)
	if err := validTopic(h.topic); err != nil {
		return h, err
	}
	if isSystemTopic(h.topic) {
		return h, fmt.Errorf("topic %s is reserved for the broker", h.topic)
	}
	return h, nil
}

// checkNewTopicFields refuses a send to a topic the broker does not know yet
// without the default topic fields (c and d), as Apache does.
func (b *Broker) checkNewTopicFields(req *remoting.Command, h sendHeader) error {
	for _, f := range sendFields {
		if f.need != needForNewTopic {
			continue
		}
		if _, ok := req.ExtFields[f.letter]; !ok && !b.topicExists(h.topic) {
			return missingField(f.name, f.letter)
		}
	}
	return nil
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

// handleSend serves SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and
// SEND_BATCH_MESSAGE (320). Like Apache (SendMessageProcessor), the header's
// batch field picks a batch or a single send for every code; unlike Apache,
// 320 is always a batch, since every client sends 320 with a batch body and
// storing that body as one message would lose all the messages in it.
func (b *Broker) handleSend(c *conn, req *remoting.Command) *remoting.Command {
	h, err := parseSendHeader(req)
	v2 := req.Code != remoting.CodeSendMessage
	if err == nil && v2 {
		err = b.checkNewTopicFields(req, h)
	}
	if _, ok := err.(*headerError); ok && v2 {
		return badRequest(req, remoting.SystemError, "%v", err)
	}
	if err == nil && (h.batch || req.Code == remoting.CodeSendBatchMessage) {
		return b.sendBatch(c, req, h)
	}
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
	deadLetter := retryToDeadLetter(&h, m)
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
	if deadLetter {
		b.metrics.deadLetters.Inc()
		b.log.Warn("message moved to the dead-letter queue", "dlq", m.Topic, "reconsume_times", h.reconsumeTimes,
			"max_reconsume_times", h.maxReconsumeTimes)
	}
	resp := remoting.NewResponse(req, remoting.Success, "")
	resp.ExtFields["msgId"] = wire.OffsetMsgID(b.storeHost(), m.CommitLogOffset)
	resp.ExtFields["queueId"] = strconv.Itoa(int(h.queueID))
	resp.ExtFields["queueOffset"] = strconv.FormatInt(m.QueueOffset, 10)
	resp.ExtFields["MSG_REGION"] = defaultRegion
	resp.ExtFields["TRACE_ON"] = "true"
	return resp
}

// retryToDeadLetter does what Apache's handleRetryAndDLQ does for a message
// a client sends straight to %RETRY%<group> (the Java consumer's fallback when
// CONSUMER_SEND_MSG_BACK fails): once reconsumeTimes reaches the maximum
// (header field maxReconsumeTimes, else 16) it goes to %DLQ%<group> instead.
func retryToDeadLetter(h *sendHeader, m *wire.Message) bool {
	group, ok := strings.CutPrefix(h.topic, RetryPrefix)
	if !ok {
		return false
	}
	limit := h.maxReconsumeTimes
	if limit < 0 {
		limit = defaultMaxReconsume
	}
	if h.reconsumeTimes < limit {
		return false
	}
	m.Topic, m.QueueID = DLQPrefix+group, 0
	delete(m.Properties, wire.PropDelay)
	return true
}

// sendBatch stores the messages of a batch body, all or none. Like Apache
// (CommitLog.asyncPutMessages) it refuses a batch marked transactional or
// delayed, and adds the header's properties to each message (a message's
// own value wins where both have one).
func (b *Broker) sendBatch(c *conn, req *remoting.Command, h sendHeader) *remoting.Command {
	err := b.checkQueue(&h)
	var entries []wire.BatchEntry
	if err == nil {
		entries, err = wire.DecodeBatch(req.Body)
		if err != nil {
			err = fmt.Errorf("the body of a batch send (code %d, batch=%t) does not decode as a message batch; nothing was stored: %w",
				req.Code, h.batch, err)
		}
	}
	batchProps := wire.ParseProperties(h.properties)
	switch {
	case err != nil:
	case wire.TransactionType(h.sysFlag) != 0 || javaBool(batchProps[wire.PropTranMsg]):
		err = errors.New("a batch cannot be transactional")
	case batchProps[wire.PropDelay] != "" && batchProps[wire.PropDelay] != "0":
		err = errors.New("a batch cannot be delayed")
	case strings.HasPrefix(h.topic, RetryPrefix):
		err = fmt.Errorf("sending a batch to the retry topic %s is not supported", h.topic)
	}
	if err != nil {
		return badRequest(req, remoting.MessageIllegal, "%v", err)
	}
	msgs := make([]*wire.Message, len(entries))
	for i, e := range entries {
		for k, v := range batchProps {
			if _, ok := e.Properties[k]; !ok {
				e.Properties[k] = v
			}
		}
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
