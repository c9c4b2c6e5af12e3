package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/logistics/internal/events"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/logistics/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
	"github.com/rocketmart/rocketmart/services/platform/txmsg/txmsgtest"
)

const group = contracts.ConsumerLogisticsOrderPaid

// countingStore counts Create calls: one per delivery that reached the
// database.
type countingStore struct {
	shipping.Store
	calls atomic.Int64
}

func (c *countingStore) Create(ctx context.Context, consumer, eventID string, s shipping.Shipment) error {
	c.calls.Add(1)
	return c.Store.Create(ctx, consumer, eventID, s)
}

// dbFault fails the tracking event insert, the last statement of the
// shipment's transaction, after the claim, the shipment and its lines were
// written: a claim that was not in that transaction would survive the
// failure and turn every retry into a duplicate.
type dbFault struct {
	failures atomic.Int64 // inserts still to fail
}

func (f *dbFault) install(t *testing.T, db *gorm.DB) {
	t.Helper()
	err := db.Callback().Create().After("gorm:create").Register("test:fault", func(tx *gorm.DB) {
		if tx.Statement.Table == "tracking_events" && f.failures.Add(-1) >= 0 {
			tx.AddError(errors.New("injected database fault"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rig is the logistics consumer on a real database, consuming from an
// in-memory minirmq through the real client.
type rig struct {
	db    *gorm.DB
	store *countingStore
	fault *dbFault
	b     *mqtest.Broker
	seen  *mqtest.Outcomes
}

// start runs the broker and the consumer; the shipment's transaction fails
// failures times first.
func start(t *testing.T, db *gorm.DB, opts mq.ConsumerOptions, failures int64) *rig {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	r := &rig{db: db, store: &countingStore{Store: store.New(db)}, fault: &dbFault{}, b: mqtest.Start(t), seen: &mqtest.Outcomes{}}
	r.fault.failures.Store(failures)
	r.fault.install(t, db)
	opts.Observe = r.seen.Observe
	svc := shipping.NewService(r.store, inlineEvents(), slog.New(slog.DiscardHandler), nil)
	r.b.Consume(t, opts, events.Subscriptions(svc, nil)...)
	return r
}

// send publishes body to ORDER_PAID under key.
func (r *rig) send(t *testing.T, key string, body []byte) mqtest.Message {
	t.Helper()
	return r.b.Send(t, contracts.TopicOrderPaid, key, body)
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

// inlineEvents publishes without a broker: each move's local transaction
// runs at once (txmsgtest.Inline).
func inlineEvents() shipping.Events {
	return shipping.Events{Shipped: &txmsgtest.Inline[contracts.ShipmentShipped]{}, Delivered: &txmsgtest.Inline[contracts.ShipmentDelivered]{}}
}
