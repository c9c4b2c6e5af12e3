// Package mqtest runs an in-memory minirmq for consumer tests and drives the
// delivery patterns every idempotent consumer must survive through the
// broker's admin API: sends, redeliveries of one stored message to one
// group, dead letters and their replay. Services use it in tests only.
package mqtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// RetryDelay is the delay of every level: retries and delayed messages come
// back within this (plus the broker's tick) instead of Apache's 10 s and up.
const RetryDelay = 50 * time.Millisecond

// Broker is a running in-memory minirmq and a producer to feed it.
type Broker struct {
	// Config connects producers and consumers to the broker.
	Config mq.Config
	// AdminURL is the broker's admin API.
	AdminURL   string
	producer   *mq.Producer
	server     *minirmq.Server
	adminToken string
}

// Start runs a broker for the test, closed by t.Cleanup.
func Start(t testing.TB) *Broker {
	t.Helper()
	c := minirmq.DefaultConfig()
	c.ListenAddr = "127.0.0.1:0"
	c.TxCheckAfter, c.TxCheckInterval = 300*time.Millisecond, 500*time.Millisecond
	for i := range c.DelayLevels {
		c.DelayLevels[i] = RetryDelay
	}
	c.Logger = slog.New(slog.DiscardHandler)
	srv, err := minirmq.Start(c)
	if err != nil {
		t.Fatalf("mqtest: start minirmq: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	admin := httptest.NewServer(srv.AdminHandler())
	t.Cleanup(admin.Close)
	b := &Broker{
		Config:     mq.Config{NameServer: srv.Addr(), Service: "test", Logger: c.Logger, ClientLogLevel: "fatal"},
		AdminURL:   admin.URL,
		server:     srv,
		adminToken: c.AdminToken,
	}
	p, err := mq.NewProducer(context.Background(), b.Config, "mqtest-producer")
	if err != nil {
		t.Fatalf("mqtest: start producer: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	b.producer = p
	return b
}

// Close stops the broker before the test ends, to see what a program does
// when the broker goes away; the cleanup's close is then a no-op.
func (b *Broker) Close() { b.server.Close() }

// Consume starts a service's subscriptions on the broker, as its run does,
// with opts (Observe, MaxReconsumeTimes), closed by t.Cleanup.
func (b *Broker) Consume(t testing.TB, opts mq.ConsumerOptions, subs ...mq.Subscription) {
	t.Helper()
	cs, err := mq.StartConsumers(context.Background(), b.Config, opts, subs...)
	if err != nil {
		t.Fatalf("mqtest: start consumers: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
}

// Message is a stored message as the admin API shows it.
type Message struct {
	MsgID          string `json:"msgId"`
	OffsetMsgID    string `json:"offsetMsgId"`
	Topic          string `json:"topic"`
	QueueOffset    int64  `json:"queueOffset"`
	Keys           string `json:"keys"`
	Body           string `json:"body"`
	ReconsumeTimes int32  `json:"reconsumeTimes"`
	OriginalTopic  string `json:"originalTopic"` // dead letters only
	Replayed       bool   `json:"replayed"`      // dead letters only
}

// Send publishes body under key and returns the stored message.
func (b *Broker) Send(t testing.TB, topic, key string, body []byte) Message {
	t.Helper()
	id, err := b.producer.Send(context.Background(), mq.Message{Topic: topic, Key: key, Body: body})
	if err != nil {
		t.Fatalf("mqtest: send %s/%s: %v", topic, key, err)
	}
	var out struct{ Messages []Message }
	b.get(t, "/api/v1/topics/"+url.PathEscape(topic)+"/messages?key="+url.QueryEscape(key), &out)
	for _, m := range out.Messages {
		if m.MsgID == id {
			return m
		}
	}
	t.Fatalf("mqtest: message %s just sent to %s is not in the admin API", id, topic)
	return Message{}
}

// Redeliver delivers a copy of a stored message to group only, as a
// duplicate delivery (same message id, body and properties).
func (b *Broker) Redeliver(t testing.TB, group string, m Message) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"msgId": m.OffsetMsgID})
	if status := b.post(t, "/api/v1/consumer-groups/"+url.PathEscape(group)+"/redeliver", body); status != http.StatusAccepted {
		t.Fatalf("mqtest: redeliver %s to %s: status %d", m.OffsetMsgID, group, status)
	}
}

// DeadLetters lists the dead-letter queue of group.
func (b *Broker) DeadLetters(t testing.TB, group string) []Message {
	t.Helper()
	var out struct{ Messages []Message }
	b.get(t, "/api/v1/dead-letters/"+url.PathEscape(group), &out)
	return out.Messages
}

// Replay re-publishes a dead letter to its original topic and returns the
// admin API's status (200, or 409 when it was replayed before).
func (b *Broker) Replay(t testing.TB, group string, dl Message) int {
	t.Helper()
	return b.post(t, fmt.Sprintf("/api/v1/dead-letters/%s/%d/replay", url.PathEscape(group), dl.QueueOffset), nil)
}

// CaughtUp reports whether group has consumed everything it subscribes to,
// retries included.
func (b *Broker) CaughtUp(t testing.TB, group string) bool {
	t.Helper()
	var g struct {
		Lag    int64
		Queues []struct{ Topic string }
	}
	if b.get(t, "/api/v1/consumer-groups/"+url.PathEscape(group), &g) != http.StatusOK {
		return false
	}
	return len(g.Queues) > 0 && g.Lag == 0
}

// Retried counts the messages stored in group's retry topic (%RETRY%group):
// every failed delivery the consumer sent back for a later attempt, and
// every copy Redeliver made. A group that acknowledged everything at the
// first attempt and was sent no redelivery has 0.
func (b *Broker) Retried(t testing.TB, group string) int64 {
	t.Helper()
	var out struct {
		Topics []struct {
			Topic  string
			Queues []struct{ MaxOffset int64 }
		}
	}
	b.get(t, "/api/v1/topics", &out)
	var n int64
	for _, tp := range out.Topics {
		if tp.Topic == "%RETRY%"+group {
			for _, q := range tp.Queues {
				n += q.MaxOffset
			}
		}
	}
	return n
}

func (b *Broker) get(t testing.TB, path string, out any) int {
	t.Helper()
	resp, err := http.Get(b.AdminURL + path)
	if err != nil {
		t.Fatalf("mqtest: GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("mqtest: GET %s: %v", path, err)
		}
	}
	return resp.StatusCode
}

// post sends a mutating admin request, which needs the admin token.
func (b *Broker) post(t testing.TB, path string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.AdminURL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("mqtest: POST %s: %v", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Admin-Token", b.adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("mqtest: POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// Eventually is testkit.Eventually, here so that consumer tests need one
// import.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	testkit.Eventually(t, timeout, what, cond)
}

// Outcomes counts a consumer's outcomes; pass Observe as
// mq.ConsumerOptions.Observe.
type Outcomes struct {
	mu sync.Mutex
	n  map[string]int
}

// Observe records one outcome.
func (o *Outcomes) Observe(_, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == nil {
		o.n = map[string]int{}
	}
	o.n[outcome]++
}

// Count returns how many times outcome was observed so far.
func (o *Outcomes) Count(outcome string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n[outcome]
}

// Counts returns a copy of every count observed so far, by outcome: one
// consistent snapshot to compare several outcomes and print them.
func (o *Outcomes) Counts() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.n)
}
