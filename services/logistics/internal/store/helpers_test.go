package store_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/logistics/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/txmsg/txmsgtest"
)

const group = contracts.ConsumerLogisticsOrderPaid

// clock is a settable test clock; tests that use it run their calls one at
// a time.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// newService migrates db and returns the shipping service on the real store.
func newService(t *testing.T, db *gorm.DB) (*shipping.Service, *clock) {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	c := &clock{now: time.Date(2030, 1, 1, 12, 0, 0, 123_456_789, time.UTC)}
	return shipping.NewService(store.New(db), inlineEvents(), nil, c.Now), c
}

// paid is a valid ORDER_PAID event of two lines.
func paid(eventID, orderNo, userID string) contracts.OrderPaid {
	return contracts.OrderPaid{
		EventID: eventID, OrderNo: orderNo, UserID: userID,
		Lines: []contracts.OrderLine{
			{SKU: "RM-TENT-2P", Name: "Ultralight 2-Person Tent", Quantity: 1, UnitPriceCents: 24999},
			{SKU: "RM-LAMP-ROCKET", Name: "Limited Edition Rocket Lamp", Quantity: 2, UnitPriceCents: 15999},
		},
		TotalCents: 24999 + 2*15999,
		Address: contracts.Address{Name: "Alice Rich", Line1: "1 Launch Pad Road", Line2: "Hangar 3",
			City: "Cape Town", PostalCode: "8001", Country: "ZA", Phone: "+27 21 555 0100"},
		PaidAt: time.Date(2030, 1, 1, 11, 59, 30, 987_654_321, time.UTC),
	}
}

// rows counts a table's rows for one order number.
func rows(t *testing.T, db *gorm.DB, table, orderNo string) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Where("order_no = ?", orderNo).Count(&n).Error; err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// claims lists the inbox's event ids of the logistics group, sorted.
func claims(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	var ids []string
	if err := db.Table("processed_events").Where("consumer = ?", group).Order("event_id").Pluck("event_id", &ids).Error; err != nil {
		t.Fatalf("read claims: %v", err)
	}
	return ids
}

// code is the apperr code of err, or its text when it has none.
func code(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return fmt.Sprint(err)
}

// statuses lists the statuses of a shipment's tracking events in order.
func statuses(s shipping.Shipment) []shipping.Status {
	out := make([]shipping.Status, 0, len(s.Events))
	for _, e := range s.Events {
		out = append(out, e.Status)
	}
	return out
}

// inlineEvents publishes without a broker: each move's local transaction
// runs at once (txmsgtest.Inline).
func inlineEvents() shipping.Events {
	return shipping.Events{Shipped: &txmsgtest.Inline[contracts.ShipmentShipped]{}, Delivered: &txmsgtest.Inline[contracts.ShipmentDelivered]{}}
}
