package ordering_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// paidOrder places and pays an order of alice's.
func (f *fixture) paidOrder(t *testing.T) *ordering.Order {
	t.Helper()
	o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
	if out, _, err := f.svc.Pay(context.Background(), "alice", o.No); err != nil || out != ordering.OutcomePaid {
		t.Fatalf("pay: %v %v", out, err)
	}
	return o
}

// status reads an order's status.
func (f *fixture) status(t *testing.T, no string) ordering.Status {
	t.Helper()
	o, err := f.store.Get(context.Background(), no)
	if err != nil {
		t.Fatal(err)
	}
	return o.Status
}

// history lists an order's moves as "FROM>TO".
func (f *fixture) history(t *testing.T, no string) []string {
	t.Helper()
	o, err := f.store.Get(context.Background(), no)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range o.History {
		out = append(out, string(h.From)+">"+string(h.To))
	}
	return out
}

func shipped(no, eventID string) contracts.ShipmentShipped {
	return contracts.ShipmentShipped{EventID: eventID, OrderNo: no, UserID: "alice"}
}

func delivered(no, eventID string) contracts.ShipmentDelivered {
	return contracts.ShipmentDelivered{EventID: eventID, OrderNo: no, UserID: "alice"}
}

func TestShipmentEventsMoveForwardOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)

	t.Run("shipped then delivered", func(t *testing.T) {
		o := f.paidOrder(t)
		if _, err := f.svc.HandleShipped(ctx, "g-shipped", shipped(o.No, "s1")); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.HandleDelivered(ctx, "g-delivered", delivered(o.No, "d1")); err != nil {
			t.Fatal(err)
		}
		// A late duplicate of either changes nothing.
		if _, err := f.svc.HandleShipped(ctx, "g-shipped", shipped(o.No, "s1")); !errors.Is(err, apperr.ErrAlreadyApplied) {
			t.Errorf("redelivered shipped: %v, want a duplicate", err)
		}
		if applied, err := f.svc.HandleShipped(ctx, "g-shipped", shipped(o.No, "s2")); err != nil || len(applied) != 0 {
			t.Errorf("a second shipped event for a completed order: %v %v, want nothing applied", applied, err)
		}
		want := []string{">PENDING_PAYMENT", "PENDING_PAYMENT>PAID", "PAID>SHIPPED", "SHIPPED>COMPLETED"}
		if got := f.history(t, o.No); !slices.Equal(got, want) {
			t.Errorf("history %v, want %v", got, want)
		}
	})

	t.Run("delivered before shipped goes straight through", func(t *testing.T) {
		o := f.paidOrder(t)
		applied, err := f.svc.HandleDelivered(ctx, "g-delivered", delivered(o.No, "d2"))
		if err != nil || len(applied) != 2 {
			t.Fatalf("delivered on PAID: %v %v, want PAID>SHIPPED>COMPLETED", applied, err)
		}
		if _, err := f.svc.HandleShipped(ctx, "g-shipped", shipped(o.No, "s3")); err != nil {
			t.Fatal(err)
		}
		if got := f.status(t, o.No); got != ordering.Completed {
			t.Errorf("the late shipped event moved the order to %s", got)
		}
	})

	t.Run("a refunding order ignores its shipment", func(t *testing.T) {
		o := f.paidOrder(t)
		if _, err := f.svc.Refund(ctx, "alice", o.No); err != nil {
			t.Fatal(err)
		}
		if applied, err := f.svc.HandleDelivered(ctx, "g-delivered", delivered(o.No, "d3")); err != nil || len(applied) != 0 {
			t.Errorf("delivered on REFUNDING: %v %v", applied, err)
		}
		if got := f.status(t, o.No); got != ordering.Refunding {
			t.Errorf("status %s, want REFUNDING", got)
		}
	})

	t.Run("an unpaid or unknown order is left alone", func(t *testing.T) {
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
		if applied, err := f.svc.HandleDelivered(ctx, "g-delivered", delivered(o.No, "d4")); err != nil || len(applied) != 0 {
			t.Errorf("delivered on PENDING_PAYMENT: %v %v", applied, err)
		}
		if applied, err := f.svc.HandleShipped(ctx, "g-shipped", shipped("RM-NOPE", "s5")); err != nil || len(applied) != 0 {
			t.Errorf("shipped for an unknown order: %v %v", applied, err)
		}
	})
}

func TestRefundBeforeShipping(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	o := f.paidOrder(t)
	before := f.pub.committedCount()

	got, err := f.svc.Refund(ctx, "alice", o.No)
	if err != nil || got.Status != ordering.Refunding {
		t.Fatalf("refund: %+v %v", got, err)
	}
	if f.pub.committedCount() != before+1 {
		t.Fatalf("%d events committed, want one ORDER_REFUNDED", f.pub.committedCount()-before)
	}
	ev, ok := f.pub.committed[len(f.pub.committed)-1].(contracts.OrderRefunded)
	if !ok || ev.OrderNo != o.No || ev.TotalCents != o.TotalCents || len(ev.Lines) != 1 {
		t.Fatalf("committed %+v, want the order's ORDER_REFUNDED", f.pub.committed[len(f.pub.committed)-1])
	}

	// Asked again, in any form: 409 with the state, nothing published.
	for name, call := range map[string]func() error{
		"refund":        func() error { _, err := f.svc.Refund(ctx, "alice", o.No); return err },
		"return":        func() error { _, err := f.svc.RequestReturn(ctx, "alice", o.No); return err },
		"accept return": func() error { _, err := f.svc.AcceptReturn(ctx, o.No); return err },
	} {
		err := call()
		e, _ := apperr.As(err)
		if code(err) != contracts.CodeOrderAlreadyRefunded || e.Details["status"] != "REFUNDING" {
			t.Errorf("%s of a refunding order: %v, want 409 ORDER_ALREADY_REFUNDED with status REFUNDING", name, err)
		}
	}
	if f.pub.committedCount() != before+1 {
		t.Errorf("a refused request published an event")
	}

	// The order's own consumer: payment down → retried, nothing moves.
	f.pay.down = true
	if err := f.svc.FinishRefund(ctx, "g-refunded", ev); err == nil || f.status(t, o.No) != ordering.Refunding {
		t.Fatalf("finish with payment down: %v, status %s", err, f.status(t, o.No))
	}
	f.pay.down = false
	if err := f.svc.FinishRefund(ctx, "g-refunded", ev); err != nil || f.status(t, o.No) != ordering.Refunded {
		t.Fatalf("finish: %v, status %s", err, f.status(t, o.No))
	}
	if err := f.svc.FinishRefund(ctx, "g-refunded", ev); err != nil {
		t.Errorf("redelivered: %v", err)
	}
	if f.pay.refunds[o.No] != 1 || f.pay.balance["alice"] != 100_000 {
		t.Errorf("refunds %d, balance %d; want one refund and the money back", f.pay.refunds[o.No], f.pay.balance["alice"])
	}
	if out, _, err := f.svc.Pay(ctx, "alice", o.No); code(err) != ordering.CodeOrderNotPayable {
		t.Errorf("pay a refunded order: %v %v, want ORDER_NOT_PAYABLE", out, err)
	}
}

func TestRefundAndReturnRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	pending := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
	paid := f.paidOrder(t)
	shippedOrder := f.paidOrder(t)
	if _, err := f.svc.HandleShipped(ctx, "g", shipped(shippedOrder.No, "s-x")); err != nil {
		t.Fatal(err)
	}
	before := f.pub.committedCount()

	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"refund an unpaid order", func() error { _, err := f.svc.Refund(ctx, "alice", pending.No); return err }, contracts.CodeOrderNotPaid},
		{"refund a shipped order", func() error { _, err := f.svc.Refund(ctx, "alice", shippedOrder.No); return err }, contracts.CodeOrderAlreadyShipped},
		{"refund another user's order", func() error { _, err := f.svc.Refund(ctx, "bob", paid.No); return err }, contracts.CodeOrderNotFound},
		{"refund an unknown order", func() error { _, err := f.svc.Refund(ctx, "alice", "RM-NOPE"); return err }, contracts.CodeOrderNotFound},
		{"refund a hostile order number", func() error { _, err := f.svc.Refund(ctx, "alice", "' OR 1=1 --"); return err }, contracts.CodeOrderNotFound},
		{"return an undelivered order", func() error { _, err := f.svc.RequestReturn(ctx, "alice", paid.No); return err }, contracts.CodeOrderNotDelivered},
		{"return a shipped order", func() error { _, err := f.svc.RequestReturn(ctx, "alice", shippedOrder.No); return err }, contracts.CodeOrderAlreadyShipped},
		{"return an unpaid order", func() error { _, err := f.svc.RequestReturn(ctx, "alice", pending.No); return err }, contracts.CodeOrderNotPaid},
		{"accept a return nobody asked for", func() error { _, err := f.svc.AcceptReturn(ctx, paid.No); return err }, contracts.CodeNoReturnRequested},
		{"accept the return of an unknown order", func() error { _, err := f.svc.AcceptReturn(ctx, "RM-NOPE"); return err }, contracts.CodeOrderNotFound},
		{"cancel a shipped order", func() error { _, err := f.svc.Cancel(ctx, "alice", shippedOrder.No); return err }, ordering.CodeOrderAlreadyPaid},
	}
	for _, tt := range tests {
		if err := tt.call(); code(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
	if f.pub.committedCount() != before {
		t.Errorf("refused requests published %d events", f.pub.committedCount()-before)
	}
	for no, want := range map[string]ordering.Status{pending.No: ordering.PendingPayment, paid.No: ordering.Paid, shippedOrder.No: ordering.Shipped} {
		if got := f.status(t, no); got != want {
			t.Errorf("%s is %s after refused requests, want %s", no, got, want)
		}
	}
}

func TestReturnAfterDelivery(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	o := f.paidOrder(t)
	if _, err := f.svc.HandleDelivered(ctx, "g", delivered(o.No, "d")); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.RequestReturn(ctx, "alice", o.No)
	if err != nil || got.Status != ordering.ReturnRequested {
		t.Fatalf("return: %+v %v", got, err)
	}
	if again, err := f.svc.RequestReturn(ctx, "alice", o.No); err != nil || again.Status != ordering.ReturnRequested {
		t.Errorf("return again: %v %v, want the order unchanged", again, err)
	}
	if got, err := f.svc.AcceptReturn(ctx, o.No); err != nil || got.Status != ordering.Refunding {
		t.Fatalf("accept: %+v %v", got, err)
	}
	want := []string{">PENDING_PAYMENT", "PENDING_PAYMENT>PAID", "PAID>SHIPPED", "SHIPPED>COMPLETED", "COMPLETED>RETURN_REQUESTED", "RETURN_REQUESTED>REFUNDING"}
	if h := f.history(t, o.No); !slices.Equal(h, want) {
		t.Errorf("history %v, want %v", h, want)
	}

	// Past the window: refused, nothing changes.
	late := f.paidOrder(t)
	if _, err := f.svc.HandleDelivered(ctx, "g", delivered(late.No, "d-late")); err != nil {
		t.Fatal(err)
	}
	f.clock.advance(14*24*time.Hour + time.Minute)
	if _, err := f.svc.RequestReturn(ctx, "alice", late.No); code(err) != contracts.CodeReturnWindowClosed {
		t.Errorf("return after the window: %v, want RETURN_WINDOW_CLOSED", err)
	}
	if got := f.status(t, late.No); got != ordering.Completed {
		t.Errorf("status %s, want COMPLETED", got)
	}
}

func TestConcurrentRefundsOneEvent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	o := f.paidOrder(t)
	before := f.pub.committedCount()
	errs := make(chan error, 5)
	for range 5 {
		go func() { _, err := f.svc.Refund(ctx, "alice", o.No); errs <- err }()
	}
	var ok, conflicts int
	for range 5 {
		switch err := <-errs; {
		case err == nil:
			ok++
		case code(err) == contracts.CodeOrderAlreadyRefunded:
			conflicts++
		default:
			t.Errorf("refund: %v", err)
		}
	}
	if ok != 1 || conflicts != 4 || f.pub.committedCount() != before+1 {
		t.Errorf("%d refunded, %d conflicts, %d events; want 1, 4, 1", ok, conflicts, f.pub.committedCount()-before)
	}
}
