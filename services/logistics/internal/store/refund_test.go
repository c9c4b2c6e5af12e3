package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/logistics/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

const refundGroup = contracts.ConsumerLogisticsOrderRefunded

func refunded(eventID, orderNo string) contracts.OrderRefunded {
	return contracts.OrderRefunded{EventID: eventID, OrderNo: orderNo, UserID: "alice",
		Lines: []contracts.OrderLine{{SKU: "RM-TENT-2P", Quantity: 1, UnitPriceCents: 1}}, TotalCents: 1}
}

// A refund cancels a shipment that has not left and returns one that has,
// once per event and once per shipment; a shipment ORDER_PAID has not
// created yet is retried, its claim rolled back.
func TestEndForRefund(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc, _ := newService(t, db)
		ctx := t.Context()
		for _, no := range []string{"RM-A", "RM-S", "RM-D"} {
			if _, err := svc.CreateForPaidOrder(ctx, group, paid("paid-"+no, no, "alice")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.Ship(ctx, "RM-S", shipping.ShipRequest{}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Ship(ctx, "RM-D", shipping.ShipRequest{}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Deliver(ctx, "RM-D"); err != nil {
			t.Fatal(err)
		}

		for no, want := range map[string]shipping.Status{"RM-A": shipping.Cancelled, "RM-S": shipping.Returned, "RM-D": shipping.Returned} {
			got, err := svc.EndForRefund(ctx, refundGroup, refunded("ref-"+no, no))
			if err != nil || got.Status != want || statuses(got)[len(got.Events)-1] != want {
				t.Errorf("%s: %s %v %v, want %s with its tracking event", no, got.Status, statuses(got), err, want)
			}
			// The same event again, and a second event for the order.
			if _, err := svc.EndForRefund(ctx, refundGroup, refunded("ref-"+no, no)); !errors.Is(err, apperr.ErrAlreadyApplied) {
				t.Errorf("%s redelivered: %v, want a duplicate", no, err)
			}
			if again, err := svc.EndForRefund(ctx, refundGroup, refunded("ref2-"+no, no)); err != nil || again.Status != want {
				t.Errorf("%s second event: %s %v", no, again.Status, err)
			}
			if n := rows(t, db, "tracking_events", no); n != int64(len(statuses(got))) {
				t.Errorf("%s: %d tracking events, want %d", no, n, len(statuses(got)))
			}
		}

		// Ended shipments move no further: 409 SHIPMENT_CANCELLED.
		if _, err := svc.Ship(ctx, "RM-A", shipping.ShipRequest{}); code(err) != contracts.CodeShipmentCancelled {
			t.Errorf("ship a cancelled shipment: %v", err)
		}
		if _, err := svc.Deliver(ctx, "RM-S"); code(err) != contracts.CodeShipmentCancelled {
			t.Errorf("deliver a returned shipment: %v", err)
		}

		// No shipment yet: retried, and the claim is not kept.
		if _, err := svc.EndForRefund(ctx, refundGroup, refunded("ref-early", "RM-LATE")); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("refund before the shipment exists: %v, want NotFound (retried)", err)
		}
		var n int64
		db.Table("processed_events").Where("consumer = ? AND event_id = ?", refundGroup, "ref-early").Count(&n)
		if n != 0 {
			t.Error("the claim of a refund that found no shipment was kept")
		}
		if _, err := svc.EndForRefund(ctx, refundGroup, refunded("ref-bad", "bad order no!")); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("hostile order number: %v, want Invalid (poison)", err)
		}
	})
}

// A move that publishes logs its transaction id with the move, and only
// then: the check-back reads that log.
func TestAdvanceLogsTheMove(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc, c := newService(t, db)
		st := store.New(db)
		ctx := t.Context()
		if _, err := svc.CreateForPaidOrder(ctx, group, paid("paid-1", "RM-1", "alice")); err != nil {
			t.Fatal(err)
		}
		step := shipping.Step{OrderNo: "RM-1", From: shipping.AwaitingShipment, To: shipping.Shipped, TxID: "tx-moved",
			Event: shipping.TrackingEvent{Status: shipping.Shipped, Note: "n", At: c.Now()}}
		if tr, err := st.Advance(ctx, step); err != nil || !tr.Changed {
			t.Fatalf("advance: %+v %v", tr, err)
		}
		step.TxID = "tx-lost"
		if tr, err := st.Advance(ctx, step); err != nil || tr.Changed || tr.Shipment.Status != shipping.Shipped {
			t.Fatalf("second advance: %+v %v", tr, err)
		}
		for txID, want := range map[string]bool{"tx-moved": true, "tx-lost": false, "tx-never": false} {
			if got, err := st.ResolveTx(ctx, txID); err != nil || got != want {
				t.Errorf("check-back of %s: %v %v, want %v", txID, got, err, want)
			}
		}
		// A check that decided "rolled back" first makes the move fail.
		if _, err := svc.CreateForPaidOrder(ctx, group, paid("paid-2", "RM-2", "alice")); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ResolveTx(ctx, "tx-late"); err != nil {
			t.Fatal(err)
		}
		step.OrderNo, step.TxID = "RM-2", "tx-late"
		if _, err := st.Advance(ctx, step); err == nil {
			t.Error("a move whose transaction a check-back rolled back committed")
		}
		if sh, _ := svc.Shipment(ctx, "RM-2"); sh.Status != shipping.AwaitingShipment {
			t.Errorf("RM-2 is %s, want AWAITING_SHIPMENT", sh.Status)
		}
	})
}

// The automatic advance ships what waited long enough, and delivers what
// was shipped long enough, through the same transactional steps.
func TestAutoAdvance(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc, c := newService(t, db)
		ctx := context.Background()
		for _, no := range []string{"RM-1", "RM-2"} {
			if _, err := svc.CreateForPaidOrder(ctx, group, paid("paid-"+no, no, "alice")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.EndForRefund(ctx, refundGroup, refunded("ref-2", "RM-2")); err != nil {
			t.Fatal(err)
		}
		steps := func() []shipping.Status {
			sh, err := svc.Shipment(ctx, "RM-1")
			if err != nil {
				t.Fatal(err)
			}
			return statuses(sh)
		}
		if err := svc.AutoAdvance(ctx, 20*time.Second); err != nil || len(steps()) != 1 {
			t.Fatalf("nothing due yet: %v %v", err, steps())
		}
		c.now = c.now.Add(21 * time.Second)
		if err := svc.AutoAdvance(ctx, 20*time.Second); err != nil {
			t.Fatal(err)
		}
		c.now = c.now.Add(21 * time.Second)
		if err := svc.AutoAdvance(ctx, 20*time.Second); err != nil {
			t.Fatal(err)
		}
		want := []shipping.Status{shipping.AwaitingShipment, shipping.Shipped, shipping.Delivered}
		if got := steps(); !slices.Equal(got, want) {
			t.Errorf("RM-1 went through %v, want %v", got, want)
		}
		if sh, _ := svc.Shipment(ctx, "RM-2"); sh.Status != shipping.Cancelled {
			t.Errorf("the cancelled RM-2 is %s", sh.Status)
		}
	})
}
