package mq

import (
	"strconv"

	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// Message is an event to publish.
type Message struct {
	Topic string
	// Key is the business key (an order number): it becomes the message
	// KEYS, so the broker's admin tools find messages by it.
	Key string
	// Tag is an optional RocketMQ tag.
	Tag string
	// Body is the encoded event; event ids travel inside it.
	Body []byte
	// TraceID is the request id (X-Request-ID) of the request that caused
	// the message, carried in the TRACE_ID property and logged by consumers
	// as request_id. The OpenTelemetry trace context travels separately, in
	// the traceparent property (trace.go).
	TraceID string
	// DelayLevel, when positive, delays delivery (RocketMQ delay levels
	// 1..18: 1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h).
	DelayLevel int
}

func (m Message) toClient() *primitive.Message {
	pm := primitive.NewMessage(m.Topic, m.Body)
	if m.Key != "" {
		pm.WithKeys([]string{m.Key})
	}
	if m.Tag != "" {
		pm.WithTag(m.Tag)
	}
	if m.TraceID != "" {
		pm.WithProperty(PropTraceID, m.TraceID)
	}
	if m.DelayLevel > 0 {
		pm.WithDelayTimeLevel(m.DelayLevel)
	}
	return pm
}

// Delivery is a received message.
type Delivery struct {
	// MsgID is the producer-side unique id (UNIQ_KEY), stable across
	// redeliveries and retries; for transactional messages it is the
	// transaction id.
	MsgID string
	// Topic is the original topic, also for retried messages.
	Topic          string
	Key            string
	Tag            string
	Body           []byte
	TraceID        string
	ReconsumeTimes int32
	QueueID        int
	QueueOffset    int64
}

func fromClient(m *primitive.MessageExt) Delivery {
	d := Delivery{
		MsgID: m.MsgId, Topic: m.Topic, Key: m.GetKeys(), Tag: m.GetTags(), Body: m.Body,
		TraceID: m.GetProperty(PropTraceID), ReconsumeTimes: m.ReconsumeTimes, QueueOffset: m.QueueOffset,
	}
	if m.Queue != nil {
		d.QueueID = m.Queue.QueueId
	}
	return d
}

// checkTimes reads the broker's TRANSACTION_CHECK_TIMES property.
func checkTimes(m *primitive.MessageExt) int {
	n, _ := strconv.Atoi(m.GetProperty("TRANSACTION_CHECK_TIMES"))
	return n
}
