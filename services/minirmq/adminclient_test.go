package minirmq_test

// Client side of the admin HTTP API (README "Admin HTTP API") used by the tests.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

type apiError struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type adminMessage struct {
	MsgID           string            `json:"msgId"`
	OffsetMsgID     string            `json:"offsetMsgId"`
	Topic           string            `json:"topic"`
	QueueID         int               `json:"queueId"`
	QueueOffset     int64             `json:"queueOffset"`
	CommitLogOffset int64             `json:"commitLogOffset"`
	Keys            json.RawMessage   `json:"keys"` // README leaves string vs array open
	Tags            string            `json:"tags"`
	Properties      map[string]string `json:"properties"`
	Body            string            `json:"body"`
	BodyEncoding    string            `json:"bodyEncoding"`
	ReconsumeTimes  int               `json:"reconsumeTimes"`
}

// keyList returns the message keys whether the API renders them as one
// space-separated string or as an array.
func (m adminMessage) keyList() []string {
	var s string
	if json.Unmarshal(m.Keys, &s) == nil {
		return strings.Fields(s)
	}
	var list []string
	_ = json.Unmarshal(m.Keys, &list)
	return list
}

type deadLetter struct {
	adminMessage
	OriginalTopic string `json:"originalTopic"`
	Replayed      bool   `json:"replayed"`
}

type half struct {
	TransactionID string `json:"transactionId"`
	OffsetMsgID   string `json:"offsetMsgId"`
	Topic         string `json:"topic"`
	ProducerGroup string `json:"producerGroup"`
	State         string `json:"state"`
	CheckCount    int    `json:"checkCount"`
}

type groupInfo struct {
	Group            string        `json:"group"`
	MessageModel     string        `json:"messageModel"`
	ConsumeFromWhere string        `json:"consumeFromWhere"`
	Members          []groupMember `json:"members"`
	Queues           []struct {
		Topic           string `json:"topic"`
		QueueID         int    `json:"queueId"`
		CommittedOffset int64  `json:"committedOffset"`
		MaxOffset       int64  `json:"maxOffset"`
		Lag             int64  `json:"lag"`
	} `json:"queues"`
	Lag int64 `json:"lag"`
}

type groupMember struct {
	ClientID      string         `json:"clientId"`
	Addr          string         `json:"addr"`
	Subscriptions []subscription `json:"subscriptions"`
}

type subscription struct {
	Topic      string `json:"topic"`
	Expression string `json:"expression"`
}

type topicInfo struct {
	Topic  string `json:"topic"`
	Kind   string `json:"kind"`
	Queues []struct {
		QueueID   int   `json:"queueId"`
		MinOffset int64 `json:"minOffset"`
		MaxOffset int64 `json:"maxOffset"`
	} `json:"queues"`
}

// count is the number of messages the topic holds.
func (ti topicInfo) count() int64 {
	var n int64
	for _, q := range ti.Queues {
		n += q.MaxOffset - q.MinOffset
	}
	return n
}

// call performs one admin request with the broker's admin token and
// returns status and body.
func (b *broker) call(t testing.TB, method, path, body string) (int, []byte) {
	t.Helper()
	return b.callWithToken(t, b.cfg.AdminToken, method, path, body)
}

// callWithToken performs one admin request sending token in X-Admin-Token
// ("" sends no header).
func (b *broker) callWithToken(t testing.TB, token, method, path, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, b.admin.URL+path, r)
	if err != nil {
		t.Fatalf("admin %s %s: %v", method, path, err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("X-Admin-Token", token)
	}
	resp, err := b.admin.Client().Do(req)
	if err != nil {
		t.Fatalf("admin %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("admin %s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, raw
}

// mustCall performs a request, requires wantStatus and decodes the body into out.
func (b *broker) mustCall(t testing.TB, method, path, body string, wantStatus int, out any) {
	t.Helper()
	got, raw := b.call(t, method, path, body)
	if got != wantStatus {
		t.Fatalf("admin %s %s: status %d, want %d; body %s", method, path, got, wantStatus, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("admin %s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// wantAPIError asserts a 4xx answer carrying the README error shape.
func wantAPIError(t testing.TB, what string, status int, raw []byte) {
	t.Helper()
	if status < 400 || status > 499 {
		t.Errorf("%s: status %d, want 4xx; body %s", what, status, raw)
		return
	}
	var e apiError
	if err := json.Unmarshal(raw, &e); err != nil || e.Error == nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Errorf("%s: body %s is not {\"error\":{\"code\",\"message\"}} (err %v)", what, raw, err)
	}
}

func (b *broker) topics(t testing.TB) []topicInfo {
	t.Helper()
	var out struct {
		Topics []topicInfo `json:"topics"`
	}
	b.mustCall(t, "GET", "/api/v1/topics", "", http.StatusOK, &out)
	return out.Topics
}

func (b *broker) topic(t testing.TB, name string) (topicInfo, bool) {
	t.Helper()
	for _, ti := range b.topics(t) {
		if ti.Topic == name {
			return ti, true
		}
	}
	return topicInfo{}, false
}

// group returns the consumer group view and whether the broker knows the group.
func (b *broker) group(t testing.TB, name string) (groupInfo, bool) {
	t.Helper()
	status, raw := b.call(t, "GET", "/api/v1/consumer-groups/"+url.PathEscape(name), "")
	var g groupInfo
	if status != http.StatusOK {
		return g, false
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatalf("decode group %s: %v", raw, err)
	}
	return g, true
}

func (b *broker) transactions(t testing.TB, state string) []half {
	t.Helper()
	path := "/api/v1/transactions"
	if state != "" {
		path += "?state=" + url.QueryEscape(state)
	}
	var out struct {
		Transactions []half `json:"transactions"`
	}
	b.mustCall(t, "GET", path, "", http.StatusOK, &out)
	return out.Transactions
}

func (b *broker) transaction(t testing.TB, id string) (half, bool) {
	t.Helper()
	for _, h := range b.transactions(t, "") {
		if h.TransactionID == id {
			return h, true
		}
	}
	return half{}, false
}

func (b *broker) deadLetters(t testing.TB, group string) []deadLetter {
	t.Helper()
	var out struct {
		Messages []deadLetter `json:"messages"`
	}
	status, raw := b.call(t, "GET", "/api/v1/dead-letters/"+url.PathEscape(group), "")
	if status == http.StatusNotFound {
		return nil // no dead letters yet
	}
	if status != http.StatusOK {
		t.Fatalf("GET dead-letters/%s: status %d; body %s", group, status, raw)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("decode dead letters %s: %v", raw, err)
	}
	return out.Messages
}

// producerMembers lists the client ids registered (by heartbeat) under a producer group.
func (b *broker) producerMembers(t testing.TB, group string) []string {
	t.Helper()
	var out struct {
		Groups []struct {
			Group   string `json:"group"`
			Members []struct {
				ClientID string `json:"clientId"`
			} `json:"members"`
		} `json:"groups"`
	}
	b.mustCall(t, "GET", "/api/v1/producer-groups", "", http.StatusOK, &out)
	var ids []string
	for _, g := range out.Groups {
		if g.Group == group {
			for _, m := range g.Members {
				ids = append(ids, m.ClientID)
			}
		}
	}
	return ids
}

// caughtUp reports whether the group's committed offsets on topic reach the
// end of every non-empty queue (so no further delivery is due), with a
// description for failure messages.
func (b *broker) caughtUp(t testing.TB, group, topic string) (bool, string) {
	t.Helper()
	ti, ok := b.topic(t, topic)
	if !ok {
		return false, "topic " + topic + " unknown to the admin API"
	}
	g, ok := b.group(t, group)
	if !ok {
		return false, "group " + group + " unknown to the admin API"
	}
	committed := map[int]int64{}
	for _, q := range g.Queues {
		if q.Topic == topic {
			committed[q.QueueID] = q.CommittedOffset
		}
	}
	for _, q := range ti.Queues {
		if q.MaxOffset > q.MinOffset && committed[q.QueueID] < q.MaxOffset {
			return false, fmt.Sprintf("group %s queue %s/%d committed %d < max %d", group, topic, q.QueueID, committed[q.QueueID], q.MaxOffset)
		}
	}
	return true, ""
}

// waitCaughtUp waits until the group has committed everything in topic. The
// client commits every 5 s (first after 10 s) or with its next pull, hence
// the long timeout.
func (b *broker) waitCaughtUp(t testing.TB, group, topic string) {
	t.Helper()
	var why string
	eventually(t, 30*time.Second, func() bool {
		var ok bool
		ok, why = b.caughtUp(t, group, topic)
		return ok
	}, "group %s caught up on %s: %s", group, topic, func() string { return why })
}
