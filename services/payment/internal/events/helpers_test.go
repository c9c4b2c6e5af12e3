package events_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/payment/internal/store"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// setup migrates db and seeds the demo users plus extra wallets.
func setup(t *testing.T, db *gorm.DB, extra ...contracts.DemoUser) *payment.Service {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	svc := payment.NewService(store.New(db))
	if err := svc.SeedDemoWallets(t.Context(), append(append([]contracts.DemoUser(nil), contracts.DemoUsers...), extra...)); err != nil {
		t.Fatal(err)
	}
	return svc
}

// cancelled encodes a valid ORDER_CANCELLED event.
func cancelled(t *testing.T, eventID, orderNo, userID string) []byte {
	t.Helper()
	body, err := json.Marshal(contracts.OrderCancelled{
		EventID: eventID, OrderNo: orderNo, UserID: userID, Reason: "payment deadline passed",
		Lines:       []contracts.OrderLine{{SKU: "SKU-1", Name: "Rocket", Quantity: 1, UnitPriceCents: 100}},
		CancelledAt: time.Now().UTC(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func voids(t *testing.T, db *gorm.DB, orderNo string) int64 {
	t.Helper()
	var n int64
	if err := db.Table("voided_orders").Where("order_no = ?", orderNo).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// checkConservation asserts initial + top-ups = balance + net charges.
func checkConservation(t *testing.T, svc *payment.Service) {
	t.Helper()
	ws, err := svc.Wallets(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cs, err := svc.Charges(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	net := map[string]int64{}
	for _, c := range cs {
		if c.Status == payment.StatusSucceeded {
			net[c.UserID] += c.AmountCents
		}
	}
	for _, w := range ws {
		if w.InitialCents+w.TopUpsCents != w.BalanceCents+net[w.UserID] || w.BalanceCents < 0 {
			t.Errorf("money not conserved for %+v (net charges %d)", w, net[w.UserID])
		}
	}
}
