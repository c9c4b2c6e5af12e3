package broker

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// Error kinds of the admin operations; the admin API maps them to statuses.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid request")
)

// MessageView is a stored message as the admin API shows it.
type MessageView struct {
	MsgID           string            `json:"msgId"`
	OffsetMsgID     string            `json:"offsetMsgId"`
	Topic           string            `json:"topic"`
	QueueID         int32             `json:"queueId"`
	QueueOffset     int64             `json:"queueOffset"`
	CommitLogOffset int64             `json:"commitLogOffset"`
	Keys            string            `json:"keys"`
	Tags            string            `json:"tags"`
	Properties      map[string]string `json:"properties"`
	Body            string            `json:"body"`
	BodyEncoding    string            `json:"bodyEncoding"`
	ReconsumeTimes  int32             `json:"reconsumeTimes"`
	BornHost        string            `json:"bornHost"`
	BornTime        time.Time         `json:"bornTime"`
	StoreTime       time.Time         `json:"storeTime"`
}

func viewMessage(m *wire.Message) MessageView {
	body := m.Body
	if m.SysFlag&wire.SysFlagCompressed != 0 {
		if zr, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			if plain, err := io.ReadAll(io.LimitReader(zr, 64<<20)); err == nil {
				body = plain
			}
		}
	}
	v := MessageView{
		OffsetMsgID:     wire.OffsetMsgID(m.StoreHost, m.CommitLogOffset),
		Topic:           m.Topic,
		QueueID:         m.QueueID,
		QueueOffset:     m.QueueOffset,
		CommitLogOffset: m.CommitLogOffset,
		Keys:            m.Properties[wire.PropKeys],
		Tags:            m.Properties[wire.PropTags],
		Properties:      m.Properties,
		ReconsumeTimes:  m.ReconsumeTimes,
		BornHost:        m.BornHost.String(),
		BornTime:        time.UnixMilli(m.BornTimestamp).UTC(),
		StoreTime:       time.UnixMilli(m.StoreTimestamp).UTC(),
	}
	v.MsgID = m.Properties[wire.PropUniqKey]
	if v.MsgID == "" {
		v.MsgID = v.OffsetMsgID
	}
	if utf8.Valid(body) {
		v.Body, v.BodyEncoding = string(body), "utf8"
	} else {
		v.Body, v.BodyEncoding = base64.StdEncoding.EncodeToString(body), "base64"
	}
	return v
}

// hasKey reports whether a message carries key in KEYS (space separated) or as its UNIQ_KEY.
func hasKey(m *wire.Message, key string) bool {
	if m.Properties[wire.PropUniqKey] == key {
		return true
	}
	for _, k := range strings.Fields(m.Properties[wire.PropKeys]) {
		if k == key {
			return true
		}
	}
	return false
}

func topicKind(topic string) string {
	switch {
	case strings.HasPrefix(topic, RetryPrefix):
		return "retry"
	case strings.HasPrefix(topic, DLQPrefix):
		return "dlq"
	case isSystemTopic(topic):
		return "system"
	}
	return "normal"
}

// HalfView is a transactional half message as the admin API shows it.
type HalfView struct {
	TransactionID   string     `json:"transactionId"`
	OffsetMsgID     string     `json:"offsetMsgId"`
	CommitLogOffset int64      `json:"commitLogOffset"`
	Topic           string     `json:"topic"`
	QueueID         int32      `json:"queueId"`
	ProducerGroup   string     `json:"producerGroup"`
	Keys            string     `json:"keys"`
	State           string     `json:"state"`
	CheckCount      int        `json:"checkCount"`
	BornTime        time.Time  `json:"bornTime"`
	LastCheckTime   *time.Time `json:"lastCheckTime"`
	DecidedTime     *time.Time `json:"decidedTime"`
}

func optTime(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := time.UnixMilli(ms).UTC()
	return &t
}

func (b *Broker) viewHalf(h *half) HalfView {
	return HalfView{
		TransactionID: h.TransactionID, OffsetMsgID: wire.OffsetMsgID(b.storeHost(), h.Offset),
		CommitLogOffset: h.Offset, Topic: h.Topic, QueueID: h.QueueID, ProducerGroup: h.ProducerGroup,
		Keys: h.Keys, State: h.State, CheckCount: h.CheckCount, BornTime: time.UnixMilli(h.BornTime).UTC(),
		LastCheckTime: optTime(h.LastCheck), DecidedTime: optTime(h.DecidedTime),
	}
}
