package events_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/logistics/internal/events"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/logistics/internal/store"
	"github.com/rocketmart/rocketmart/services/minirmq"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

const group = contracts.ConsumerLogisticsOrderPaid

// retryDelay is every delay level of the test broker, so a retried message
// comes back in a tenth of a second instead of Apache's 10 s and up.
const retryDelay = 100 * time.Millisecond

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// faultyStore fails Create, before touching the database, while failures
// is positive: the fault a consumer must survive by retrying.
type faultyStore struct {
	shipping.Store
	failures atomic.Int64 // Create calls still to fail
	calls    atomic.Int64 // Create calls made
}

func (f *faultyStore) Create(ctx context.Context, consumer, eventID string, s shipping.Shipment) error {
	f.calls.Add(1)
	if f.failures.Add(-1) >= 0 {
		return errors.New("injected fault: the database is unavailable")
	}
	return f.Store.Create(ctx, consumer, eventID, s)
}

// rig is the logistics consumer on a real database, consuming from an
// in-memory minirmq through the real client.
type rig struct {
	db       *gorm.DB
	store    *faultyStore
	admin    string // minirmq admin API base URL
	producer *mq.Producer
	metrics  *prometheus.Registry
}

// start runs the broker, the consumer (with Metrics set from a fresh
// registry) and a producer; Create fails failures times first.
func start(t *testing.T, db *gorm.DB, opts mq.ConsumerOptions, failures int64) *rig {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	fs := &faultyStore{Store: store.New(db)}
	fs.failures.Store(failures)

	c := minirmq.DefaultConfig()
	c.ListenAddr = "127.0.0.1:0"
	for i := range c.DelayLevels {
		c.DelayLevels[i] = retryDelay
	}
	c.Logger = quiet()
	srv, err := minirmq.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	admin := httptest.NewServer(srv.AdminHandler())
	t.Cleanup(admin.Close)
	cfg := mq.Config{NameServer: srv.Addr(), Service: "logistics-test", Logger: quiet(), ClientLogLevel: "fatal"}

	r := &rig{db: db, store: fs, admin: admin.URL, metrics: prometheus.NewRegistry()}
	opts.Metrics = mq.NewConsumerMetrics(r.metrics)
	consumer, err := events.StartOrderPaid(t.Context(), cfg, events.NewHandler(shipping.NewService(fs, quiet(), nil)), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { consumer.Close() })
	if r.producer, err = mq.NewProducer(t.Context(), cfg, "logistics-test-producer"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.producer.Close() })
	return r
}

// paid encodes a valid ORDER_PAID event.
func paid(t *testing.T, eventID, orderNo string) []byte {
	t.Helper()
	b, err := json.Marshal(contracts.OrderPaid{EventID: eventID, OrderNo: orderNo, UserID: "alice",
		Lines: []contracts.OrderLine{
			{SKU: "RM-TENT-2P", Name: "Ultralight 2-Person Tent", Quantity: 1, UnitPriceCents: 24999},
			{SKU: "RM-MUG-STONE", Name: "Stoneware Mug", Quantity: 3, UnitPriceCents: 1800},
		},
		TotalCents: 24999 + 3*1800,
		Address:    contracts.Address{Name: "Alice Rich", Line1: "1 Launch Pad Road", City: "Cape Town", PostalCode: "8001", Country: "ZA"},
		PaidAt:     time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// message is a stored message as minirmq's admin API shows it.
type message struct {
	MsgID       string `json:"msgId"`
	OffsetMsgID string `json:"offsetMsgId"`
	QueueOffset int64  `json:"queueOffset"`
	Replayed    bool   `json:"replayed"`
}

// send publishes body to ORDER_PAID under key and returns the stored
// message. It reports failures as errors so goroutines can call it.
func (r *rig) send(key string, body []byte) (message, error) {
	id, err := r.producer.Send(context.Background(), mq.Message{Topic: contracts.TopicOrderPaid, Key: key, Body: body})
	if err != nil {
		return message{}, err
	}
	var out struct{ Messages []message }
	if _, err := r.call("GET", "/api/v1/topics/"+contracts.TopicOrderPaid+"/messages?key="+url.QueryEscape(key), nil, &out); err != nil {
		return message{}, err
	}
	for _, m := range out.Messages {
		if m.MsgID == id {
			return m, nil
		}
	}
	return message{}, fmt.Errorf("message %s just sent is not in the admin API", id)
}

// mustSend is send for the test goroutine.
func (r *rig) mustSend(t *testing.T, key string, body []byte) message {
	t.Helper()
	m, err := r.send(key, body)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// redeliver hands a copy of a stored message to the logistics group only
// (same message id, body and properties): a duplicate delivery.
func (r *rig) redeliver(m message) error {
	body, _ := json.Marshal(map[string]string{"msgId": m.OffsetMsgID})
	status, err := r.call("POST", "/api/v1/consumer-groups/"+url.PathEscape(group)+"/redeliver", body, nil)
	if err == nil && status != http.StatusAccepted {
		err = fmt.Errorf("redeliver %s: status %d, want 202", m.OffsetMsgID, status)
	}
	return err
}

// deadLetters lists the logistics group's dead-letter queue.
func (r *rig) deadLetters(t *testing.T) []message {
	t.Helper()
	var out struct{ Messages []message }
	if _, err := r.call("GET", "/api/v1/dead-letters/"+url.PathEscape(group), nil, &out); err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// replay re-publishes a dead letter and returns the admin API's status.
func (r *rig) replay(t *testing.T, dl message) int {
	t.Helper()
	status, err := r.call("POST", fmt.Sprintf("/api/v1/dead-letters/%s/%d/replay", url.PathEscape(group), dl.QueueOffset), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return status
}

// caughtUp reports whether the group has consumed everything, retries
// included.
func (r *rig) caughtUp(t *testing.T) bool {
	t.Helper()
	var g struct {
		Lag    int64
		Queues []struct{ Topic string }
	}
	status, err := r.call("GET", "/api/v1/consumer-groups/"+url.PathEscape(group), nil, &g)
	if err != nil {
		t.Fatal(err)
	}
	return status == http.StatusOK && len(g.Queues) > 0 && g.Lag == 0
}

// call performs one admin request, decoding a 2xx answer into out if given.
func (r *rig) call(method, path string, body []byte, out any) (int, error) {
	req, err := http.NewRequest(method, r.admin+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("admin %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(raw, out); err != nil {
			return 0, fmt.Errorf("admin %s %s: decode %s: %w", method, path, raw, err)
		}
	}
	return resp.StatusCode, nil
}

// outcomes reads rocketmart_consumer_deliveries_total for the group by
// outcome, from the registry the consumer's Metrics write to.
func (r *rig) outcomes(t *testing.T) map[string]int {
	t.Helper()
	families, err := r.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, f := range families {
		if f.GetName() != "rocketmart_consumer_deliveries_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["group"] == group && labels["topic"] == contracts.TopicOrderPaid {
				out[labels["outcome"]] += int(m.GetCounter().GetValue())
			}
		}
	}
	return out
}

// rows counts a table's rows for one order number.
func (r *rig) rows(t *testing.T, table, orderNo string) int64 {
	t.Helper()
	var n int64
	if err := r.db.Table(table).Where("order_no = ?", orderNo).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// claims lists the group's claimed event ids, sorted.
func (r *rig) claims(t *testing.T) []string {
	t.Helper()
	ids := []string{}
	if err := r.db.Table("processed_events").Where("consumer = ?", group).Order("event_id").Pluck("event_id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

// wantShipment checks that orderNo has exactly one shipment with its two
// lines and the one tracking event of its creation.
func (r *rig) wantShipment(t *testing.T, orderNo string) {
	t.Helper()
	for table, want := range map[string]int64{"shipments": 1, "shipment_lines": 2, "tracking_events": 1} {
		if got := r.rows(t, table, orderNo); got != want {
			t.Errorf("%s rows of %s = %d, want %d", table, orderNo, got, want)
		}
	}
}

// eventually polls cond until it holds, failing after timeout.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}
}
