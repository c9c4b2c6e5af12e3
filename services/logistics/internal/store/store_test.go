package store_test

import (
	"errors"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// The shipment keeps what the order said, exactly, and reads back equal to
// what creation answered.
func TestCreateKeepsTheOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc, _ := newService(t, db)
		ctx := t.Context()
		created, err := svc.CreateForPaidOrder(ctx, group, paid("ev-1", "RM-1", "alice"))
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2030, 1, 1, 12, 0, 0, 123_000_000, time.UTC)
		want := shipping.Shipment{
			OrderNo: "RM-1", UserID: "alice", Status: shipping.AwaitingShipment,
			Address: shipping.Address{Name: "Alice Rich", Line1: "1 Launch Pad Road", Line2: "Hangar 3",
				City: "Cape Town", PostalCode: "8001", Country: "ZA", Phone: "+27 21 555 0100"},
			Lines: []shipping.Line{
				{SKU: "RM-TENT-2P", Name: "Ultralight 2-Person Tent", Quantity: 1},
				{SKU: "RM-LAMP-ROCKET", Name: "Limited Edition Rocket Lamp", Quantity: 2},
			},
			TotalCents: 56997,
			PaidAt:     time.Date(2030, 1, 1, 11, 59, 30, 987_000_000, time.UTC),
			CreatedAt:  at, UpdatedAt: at,
			Events: []shipping.TrackingEvent{{Status: shipping.AwaitingShipment, Note: "Order paid; waiting to be shipped", At: at}},
		}
		if !reflect.DeepEqual(created, want) {
			t.Errorf("created\n %+v\nwant\n %+v", created, want)
		}
		got, err := svc.Shipment(ctx, "RM-1")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("read back\n %+v\nwant\n %+v", got, want)
		}
		if ids := claims(t, db); !slices.Equal(ids, []string{"ev-1"}) {
			t.Errorf("claims = %v, want [ev-1]", ids)
		}
	})
}

// A repeated event and a second event for the same order both change
// nothing and say "already applied"; the second event's claim is rolled
// back with its failed insert.
func TestCreateAppliesOncePerOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc, _ := newService(t, db)
		ctx := t.Context()
		if _, err := svc.CreateForPaidOrder(ctx, group, paid("ev-1", "RM-1", "alice")); err != nil {
			t.Fatal(err)
		}
		for _, ev := range []string{"ev-1", "ev-2", "ev-2"} {
			_, err := svc.CreateForPaidOrder(ctx, group, paid(ev, "RM-1", "alice"))
			if !errors.Is(err, apperr.ErrAlreadyApplied) {
				t.Errorf("event %s again: err = %v, want ErrAlreadyApplied", ev, err)
			}
		}
		_, err := svc.CreateForPaidOrder(ctx, group, paid("ev-1", "RM-1", "alice"))
		if !errors.Is(err, apperr.ErrAlreadyApplied) {
			t.Errorf("a claimed event: err = %v, want it to wrap apperr.ErrAlreadyApplied as well", err)
		}
		for table, want := range map[string]int64{"shipments": 1, "shipment_lines": 2, "tracking_events": 1} {
			if n := rows(t, db, table, "RM-1"); n != want {
				t.Errorf("%s rows of RM-1 = %d, want %d", table, n, want)
			}
		}
		if ids := claims(t, db); !slices.Equal(ids, []string{"ev-1"}) {
			t.Errorf("claims = %v, want only ev-1", ids)
		}
		// Order numbers are case-sensitive on both databases.
		if _, err := svc.CreateForPaidOrder(ctx, group, paid("ev-3", "rm-1", "alice")); err != nil {
			t.Errorf("rm-1 is another order than RM-1: %v", err)
		}
	})
}

// A failure after the shipment insert rolls the claim back with it, so the
// retry of the same event applies it; nothing half-made stays behind.
func TestCreateRollsBackWhole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc, _ := newService(t, db)
		var fail atomic.Bool
		fail.Store(true)
		err := db.Callback().Create().After("gorm:create").Register("test:fail_events", func(tx *gorm.DB) {
			if fail.Load() && tx.Statement.Table == "tracking_events" {
				tx.AddError(errors.New("injected failure after the shipment insert"))
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		_, err = svc.CreateForPaidOrder(ctx, group, paid("ev-1", "RM-1", "alice"))
		if err == nil || errors.Is(err, apperr.ErrAlreadyApplied) {
			t.Fatalf("with the fault: err = %v, want a plain failure", err)
		}
		for _, table := range []string{"shipments", "shipment_lines", "tracking_events"} {
			if n := rows(t, db, table, "RM-1"); n != 0 {
				t.Errorf("%s rows after the failure = %d, want 0", table, n)
			}
		}
		if ids := claims(t, db); len(ids) != 0 {
			t.Errorf("claims after the failure = %v, want none", ids)
		}
		fail.Store(false)
		if _, err := svc.CreateForPaidOrder(ctx, group, paid("ev-1", "RM-1", "alice")); err != nil {
			t.Fatalf("retry after the fault: %v", err)
		}
		if n := rows(t, db, "shipments", "RM-1"); n != 1 {
			t.Errorf("shipments after the retry = %d, want 1", n)
		}
	})
}

// Users see their own shipments newest first; another user's is not found,
// answered exactly as a missing one; operators see everything.
func TestListings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc, clk := newService(t, db)
		ctx := t.Context()
		for i, o := range []struct{ no, user string }{{"RM-A1", "alice"}, {"RM-B1", "bob"}, {"RM-A2", "alice"}, {"RM-A3", "alice"}} {
			clk.now = clk.now.Add(time.Duration(i) * time.Second)
			if _, err := svc.CreateForPaidOrder(ctx, group, paid("ev-"+o.no, o.no, o.user)); err != nil {
				t.Fatal(err)
			}
		}
		orderNos := func(list []shipping.Shipment) []string {
			out := []string{}
			for _, s := range list {
				out = append(out, s.OrderNo)
			}
			return out
		}
		mine, err := svc.Shipments(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := orderNos(mine), []string{"RM-A3", "RM-A2", "RM-A1"}; !slices.Equal(got, want) {
			t.Errorf("alice's shipments = %v, want %v", got, want)
		}
		for _, s := range mine {
			if len(s.Lines) != 2 || len(s.Events) != 1 {
				t.Errorf("%s: %d lines, %d events; want 2 and 1", s.OrderNo, len(s.Lines), len(s.Events))
			}
		}
		if none, err := svc.Shipments(ctx, "carol"); err != nil || len(none) != 0 {
			t.Errorf("carol's shipments = %v, %v; want none", none, err)
		}
		all, err := svc.AllShipments(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := orderNos(all), []string{"RM-A3", "RM-A2", "RM-B1", "RM-A1"}; !slices.Equal(got, want) {
			t.Errorf("all shipments = %v, want %v", got, want)
		}
		one, err := svc.AllShipments(ctx, "RM-B1")
		if err != nil || !slices.Equal(orderNos(one), []string{"RM-B1"}) || one[0].UserID != "bob" {
			t.Errorf("filtered = %+v, %v; want bob's RM-B1", one, err)
		}

		_, theirs := svc.ShipmentOf(ctx, "bob", "RM-A1")
		_, missing := svc.ShipmentOf(ctx, "bob", "RM-ZZ")
		if code(theirs) != shipping.CodeShipmentNotFound || code(missing) != shipping.CodeShipmentNotFound {
			t.Errorf("another user's: %v; missing: %v; want both %s", theirs, missing, shipping.CodeShipmentNotFound)
		}
		if s, err := svc.ShipmentOf(ctx, "alice", "RM-A1"); err != nil || s.UserID != "alice" {
			t.Errorf("alice's own: %+v, %v", s, err)
		}
	})
}

// The whole life of a shipment, including every retry and every step out
// of order.
func TestLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc, clk := newService(t, db)
		ctx := t.Context()
		if _, err := svc.CreateForPaidOrder(ctx, group, paid("ev-1", "RM-1", "alice")); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Deliver(ctx, "RM-1"); code(err) != shipping.CodeShipmentNotShipped {
			t.Errorf("deliver before ship: %v, want %s", err, shipping.CodeShipmentNotShipped)
		}
		for _, no := range []string{"RM-NONE"} {
			if _, err := svc.Ship(ctx, no, shipping.ShipRequest{}); code(err) != shipping.CodeShipmentNotFound {
				t.Errorf("ship a missing shipment: %v", err)
			}
			if _, err := svc.Deliver(ctx, no); code(err) != shipping.CodeShipmentNotFound {
				t.Errorf("deliver a missing shipment: %v", err)
			}
		}

		clk.now = clk.now.Add(time.Hour)
		shipped, err := svc.Ship(ctx, "RM-1", shipping.ShipRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if shipped.Status != shipping.Shipped || shipped.Carrier != shipping.DefaultCarrier || len(shipped.TrackingNo) != 16 ||
			!shipped.UpdatedAt.Equal(clk.now.Truncate(time.Millisecond)) {
			t.Errorf("shipped = %+v, want SHIPPED by RocketPost with a generated tracking number, updated now", shipped)
		}
		again, err := svc.Ship(ctx, "RM-1", shipping.ShipRequest{})
		if err != nil || !reflect.DeepEqual(again, shipped) {
			t.Errorf("ship again = %+v, %v; want the same shipment unchanged", again, err)
		}
		same, err := svc.Ship(ctx, "RM-1", shipping.ShipRequest{Carrier: shipped.Carrier, TrackingNo: shipped.TrackingNo})
		if err != nil || !reflect.DeepEqual(same, shipped) {
			t.Errorf("ship again naming the stored carrier and number = %v; want it unchanged", err)
		}
		if _, err := svc.Ship(ctx, "RM-1", shipping.ShipRequest{TrackingNo: "OTHER-1"}); code(err) != shipping.CodeAlreadyShipped {
			t.Errorf("ship again with another number: %v, want %s", err, shipping.CodeAlreadyShipped)
		}
		if _, err := svc.Ship(ctx, "RM-1", shipping.ShipRequest{Carrier: "Comet Express"}); code(err) != shipping.CodeAlreadyShipped {
			t.Errorf("ship again with another carrier: %v, want %s", err, shipping.CodeAlreadyShipped)
		}

		delivered, err := svc.Deliver(ctx, "RM-1")
		if err != nil || delivered.Status != shipping.Delivered || delivered.TrackingNo != shipped.TrackingNo {
			t.Fatalf("deliver = %+v, %v", delivered, err)
		}
		if again, err := svc.Deliver(ctx, "RM-1"); err != nil || !reflect.DeepEqual(again, delivered) {
			t.Errorf("deliver again = %v; want the same shipment", err)
		}
		if after, err := svc.Ship(ctx, "RM-1", shipping.ShipRequest{}); err != nil || after.Status != shipping.Delivered {
			t.Errorf("ship after delivery = %+v, %v; want 200 with the delivered shipment", after, err)
		}
		want := []shipping.Status{shipping.AwaitingShipment, shipping.Shipped, shipping.Delivered}
		if got := statuses(delivered); !slices.Equal(got, want) {
			t.Errorf("events = %v, want %v", got, want)
		}

		// Explicit carrier and tracking number are kept as given.
		if _, err := svc.CreateForPaidOrder(ctx, group, paid("ev-2", "RM-2", "bob")); err != nil {
			t.Fatal(err)
		}
		s, err := svc.Ship(ctx, "RM-2", shipping.ShipRequest{Carrier: "Comet Express", TrackingNo: "CE-0001"})
		if err != nil || s.Carrier != "Comet Express" || s.TrackingNo != "CE-0001" {
			t.Errorf("ship with carrier and number = %+v, %v", s, err)
		}
	})
}
