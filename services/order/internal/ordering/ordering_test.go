package ordering_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

func code(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return ""
}

func TestPlace(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := ordering.PlaceRequest{Lines: []ordering.LineRequest{{SKU: "A", Quantity: 2}}, Address: addr}
	o, created, err := f.svc.Place(ctx, "alice", "k1", req)
	if err != nil || !created || o.Status != ordering.PendingPayment || o.TotalCents != 2000 {
		t.Fatalf("place: %+v %v %v", o, created, err)
	}
	if want := f.clock.now().Add(10 * time.Minute); !o.PaymentDeadline.Equal(want) {
		t.Errorf("deadline %v, want %v", o.PaymentDeadline, want)
	}
	if len(f.pub.timeouts) != 1 || f.pub.timeouts[0].OrderNo != o.No {
		t.Errorf("timeouts scheduled: %+v", f.pub.timeouts)
	}
	// Replay: same order, nothing reserved again.
	again, created, err := f.svc.Place(ctx, "alice", "k1", req)
	if err != nil || created || again.No != o.No || f.inv.stock["A"] != 8 {
		t.Errorf("replay: %v %v %v, stock %d", again, created, err, f.inv.stock["A"])
	}
	// Same key, other body: 422, nothing reserved.
	other := ordering.PlaceRequest{Lines: []ordering.LineRequest{{SKU: "A", Quantity: 3}}, Address: addr}
	if _, _, err := f.svc.Place(ctx, "alice", "k1", other); code(err) != "IDEMPOTENCY_KEY_REUSED" || f.inv.stock["A"] != 8 {
		t.Errorf("key reuse: %v, stock %d", err, f.inv.stock["A"])
	}
	// The same key of another user is another checkout.
	if _, created, err := f.svc.Place(ctx, "bob", "k1", req); err != nil || !created {
		t.Errorf("bob's k1: %v %v", created, err)
	}
	// From the cart.
	if o, _, err := f.svc.Place(ctx, "alice", "k2", ordering.PlaceRequest{Address: addr}); err != nil || o.Lines[0].SKU != "A" {
		t.Errorf("from cart: %+v %v", o, err)
	}

	bad := []struct {
		name, key string
		req       ordering.PlaceRequest
		code      string
	}{
		{"no key", "", req, "IDEMPOTENCY_KEY_REQUIRED"},
		{"zero quantity", "b1", ordering.PlaceRequest{Lines: []ordering.LineRequest{{SKU: "A", Quantity: 0}}, Address: addr}, "INVALID_QUANTITY"},
		{"negative quantity", "b2", ordering.PlaceRequest{Lines: []ordering.LineRequest{{SKU: "A", Quantity: -1}}, Address: addr}, "INVALID_QUANTITY"},
		{"huge quantity", "b3", ordering.PlaceRequest{Lines: []ordering.LineRequest{{SKU: "A", Quantity: 1 << 30}}, Address: addr}, "INVALID_QUANTITY"},
		{"duplicate sku", "b4", ordering.PlaceRequest{Lines: []ordering.LineRequest{{SKU: "A", Quantity: 1}, {SKU: "A", Quantity: 1}}, Address: addr}, "DUPLICATE_SKU"},
		{"no address", "b5", ordering.PlaceRequest{Lines: req.Lines}, "VALIDATION"},
		{"unknown sku", "b6", ordering.PlaceRequest{Lines: []ordering.LineRequest{{SKU: "Z", Quantity: 1}}, Address: addr}, "UNKNOWN_SKU"},
		{"out of stock", "b7", ordering.PlaceRequest{Lines: []ordering.LineRequest{{SKU: "B", Quantity: 2}}, Address: addr}, "OUT_OF_STOCK"},
	}
	before, _ := f.svc.List(ctx, "alice", 100)
	for _, tt := range bad {
		if _, _, err := f.svc.Place(ctx, "alice", tt.key, tt.req); code(err) != tt.code {
			t.Errorf("%s: err %v, want %s", tt.name, err, tt.code)
		}
	}
	after, _ := f.svc.List(ctx, "alice", 100)
	if len(after) != len(before) || f.inv.stock["A"] != 5 || f.inv.stock["B"] != 1 {
		t.Errorf("bad input changed state: %d→%d orders, stock %v", len(before), len(after), f.inv.stock)
	}
}

func TestPayPaths(t *testing.T) {
	ctx := context.Background()
	t.Run("paid once, then already paid", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 2})
		out, got, err := f.svc.Pay(ctx, "alice", o.No)
		if err != nil || out != ordering.OutcomePaid || got.Status != ordering.Paid {
			t.Fatalf("pay: %v %v %v", out, got, err)
		}
		f.answerIsStored(t, got)
		if out, _, err := f.svc.Pay(ctx, "alice", o.No); err != nil || out != ordering.OutcomeAlreadyPaid {
			t.Errorf("second pay: %v %v", out, err)
		}
		if f.pub.committedCount() != 1 || f.pay.balance["alice"] != 98_000 {
			t.Errorf("%d events, balance %d", f.pub.committedCount(), f.pay.balance["alice"])
		}
	})
	t.Run("foreign order is not found", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
		if _, _, err := f.svc.Pay(ctx, "bob", o.No); code(err) != "ORDER_NOT_FOUND" {
			t.Errorf("bob pays alice's order: %v", err)
		}
		if _, err := f.svc.Cancel(ctx, "bob", o.No); code(err) != "ORDER_NOT_FOUND" {
			t.Errorf("bob cancels alice's order: %v", err)
		}
		if got, _ := f.store.Get(ctx, o.No); got.Status != ordering.PendingPayment {
			t.Errorf("status %s", got.Status)
		}
	})
	t.Run("declined rolls back and stays payable", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "carol", ordering.LineRequest{SKU: "A", Quantity: 1})
		if _, _, err := f.svc.Pay(ctx, "carol", o.No); apperr.KindOf(err) != apperr.PaymentRequired {
			t.Fatalf("pay: %v", err)
		}
		f.pay.balance["carol"] += 1000
		if out, _, err := f.svc.Pay(ctx, "carol", o.No); err != nil || out != ordering.OutcomePaid {
			t.Errorf("pay after top-up: %v %v", out, err)
		}
		if f.pub.committedCount() != 1 {
			t.Errorf("%d events, want 1", f.pub.committedCount())
		}
	})
	t.Run("timed-out charge is pending, then the check completes it", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
		f.pay.chargeThenErr = true
		out, got, err := f.svc.Pay(ctx, "alice", o.No)
		if err != nil || out != ordering.OutcomePending || got.Status != ordering.PendingPayment {
			t.Fatalf("pay: %v %v %v", out, got, err)
		}
		if got := f.checkPaid("tx-1", o.No); got != "commit" {
			t.Errorf("check = %v, want commit", got)
		}
		if again := f.checkPaid("tx-1", o.No); again != "commit" {
			t.Errorf("second check = %v", again)
		}
		if got, _ := f.store.Get(ctx, o.No); got.Status != ordering.Paid || got.PaidTxID != "tx-1" {
			t.Errorf("order %s tx %s", got.Status, got.PaidTxID)
		}
	})
	t.Run("payment down: check asks again, then rolls back without a charge", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
		f.pay.down = true
		if out, _, _ := f.svc.Pay(ctx, "alice", o.No); out != ordering.OutcomePending {
			t.Fatalf("pay: %v", out)
		}
		if got := f.checkPaid("tx-1", o.No); got != "unknown" {
			t.Errorf("check while payment is down = %v, want unknown", got)
		}
		f.pay.down = false
		if got := f.checkPaid("tx-1", o.No); got != "rollback" {
			t.Errorf("check without a charge = %v, want rollback", got)
		}
	})
	t.Run("check decides rollback while the local transaction runs", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
		// The check arrives after the half is sent and before the charge.
		f.pub.beforeLocal = func(txID string) {
			if got := f.checkPaid(txID, o.No); got != "rollback" {
				t.Errorf("early check = %v", got)
			}
		}
		out, _, err := f.svc.Pay(ctx, "alice", o.No)
		if err != nil || out != ordering.OutcomePending {
			t.Fatalf("pay: %v %v", out, err)
		}
		if f.pub.outcomes["tx-1"] != "rollback" || f.pub.committedCount() != 0 {
			t.Fatalf("local tx after a rollback decision = %v, %d committed", f.pub.outcomes["tx-1"], f.pub.committedCount())
		}
		// The charge stands and is reused by the next attempt: one charge.
		f.pub.beforeLocal = nil
		if out, _, err := f.svc.Pay(ctx, "alice", o.No); err != nil || out != ordering.OutcomePaid {
			t.Errorf("retry: %v %v", out, err)
		}
		if f.pay.balance["alice"] != 99_000 {
			t.Errorf("balance %d, want one charge", f.pay.balance["alice"])
		}
	})
	t.Run("cancelled while charging: refunded once", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
		f.pub.beforeLocal = func(txID string) {
			if txID == "tx-1" {
				f.svc.Cancel(ctx, "alice", o.No)
			}
		}
		if _, _, err := f.svc.Pay(ctx, "alice", o.No); code(err) != "ORDER_NOT_PAYABLE" {
			t.Fatalf("pay: %v", err)
		}
		if f.pay.refunds[o.No] != 1 || f.pay.balance["alice"] != 100_000 {
			t.Errorf("refunds %d, balance %d", f.pay.refunds[o.No], f.pay.balance["alice"])
		}
		if got, _ := f.store.Get(ctx, o.No); got.Status != ordering.Cancelled {
			t.Errorf("status %s", got.Status)
		}
	})
	t.Run("past the deadline", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
		f.clock.advance(11 * time.Minute)
		if _, _, err := f.svc.Pay(ctx, "alice", o.No); code(err) != "ORDER_NOT_PAYABLE" {
			t.Errorf("pay: %v", err)
		}
		if len(f.pay.charges) != 0 {
			t.Error("charged past the deadline")
		}
	})
}

func TestConcurrentPaysOneChargeOneEvent(t *testing.T) {
	f := newFixture(t)
	o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 3})
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			out, _, err := f.svc.Pay(context.Background(), "alice", o.No)
			if err != nil || (out != ordering.OutcomePaid && out != ordering.OutcomeAlreadyPaid) {
				t.Errorf("pay: %v %v", out, err)
			}
		})
	}
	wg.Wait()
	if f.pub.committedCount() != 1 || f.pay.balance["alice"] != 97_000 || len(f.pay.refunds) != 0 {
		t.Errorf("%d events, balance %d, refunds %v", f.pub.committedCount(), f.pay.balance["alice"], f.pay.refunds)
	}
}

func TestTimeoutAndSweep(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
	ev := f.pub.timeouts[0]
	// Early delivery schedules itself again and changes nothing.
	if err := f.svc.HandleTimeout(ctx, ev); err != nil || len(f.pub.timeouts) != 2 {
		t.Fatalf("early: %v, %d timeouts", err, len(f.pub.timeouts))
	}
	f.clock.advance(10 * time.Minute)
	if err := f.svc.HandleTimeout(ctx, ev); err != nil {
		t.Fatal(err)
	}
	got, _ := f.store.Get(ctx, o.No)
	if got.Status != ordering.Cancelled || got.CancelReason != ordering.ReasonDeadlinePassed {
		t.Errorf("after timeout: %s %q", got.Status, got.CancelReason)
	}
	// Redelivery is harmless; a paid order is left alone by the sweeper.
	if err := f.svc.HandleTimeout(ctx, ev); err != nil || f.pub.committedCount() != 1 {
		t.Errorf("redelivery: %v, %d events", err, f.pub.committedCount())
	}
	paid := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
	if _, _, err := f.svc.Pay(ctx, "alice", paid.No); err != nil {
		t.Fatal(err)
	}
	overdue := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
	f.clock.advance(12 * time.Minute)
	if n, err := f.svc.SweepOverdue(ctx, time.Minute); err != nil || n != 1 {
		t.Errorf("sweep: %d %v, want 1", n, err)
	}
	for no, want := range map[string]ordering.Status{paid.No: ordering.Paid, overdue.No: ordering.Cancelled} {
		if got, _ := f.store.Get(ctx, no); got.Status != want {
			t.Errorf("%s: %s, want %s", no, got.Status, want)
		}
	}
}

// A charge may land until its deadline (PaidAt + ChargeWindow), which the
// order service hands the payment service; until then a check-back that
// finds no charge answers "not known yet" instead of rolling back a payment
// whose charge is still on its way, and after it rolls back for good.
func TestCheckBackWaitsForAChargeInFlight(t *testing.T) {
	f := newFixture(t)
	o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
	ev := contracts.OrderPaid{OrderNo: o.No, PaidAt: f.clock.now()}
	if _, err := f.checks.Paid(context.Background(), "tx-late", ev); err == nil {
		t.Fatal("a check-back within the charge window decided; want 'ask again'")
	}
	f.clock.advance(5*time.Second + time.Second)
	committed, err := f.checks.Paid(context.Background(), "tx-late", ev)
	if err != nil || committed {
		t.Errorf("after the window: committed=%v err=%v, want rolled back", committed, err)
	}

	// The deadline the payment service gets is the same window.
	o2 := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
	if _, _, err := f.svc.Pay(context.Background(), "alice", o2.No); err != nil {
		t.Fatal(err)
	}
	if want := f.clock.now().Add(5 * time.Second); !f.pay.notAfter.Equal(want) {
		t.Errorf("charge deadline %s, want %s", f.pay.notAfter, want)
	}
}

// A charge the payment service refused as too late rolls the message back
// and tells the customer to pay again.
func TestChargeTooLateRollsBack(t *testing.T) {
	f := newFixture(t)
	o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
	f.pay.tooLate = true
	_, _, err := f.svc.Pay(context.Background(), "alice", o.No)
	if apperr.KindOf(err) != apperr.Unavailable || code(err) != ordering.CodePaymentTooSlow {
		t.Fatalf("pay: %v, want Unavailable %s", err, ordering.CodePaymentTooSlow)
	}
	if got := f.pub.outcomes; len(got) != 1 || got[firstKey(got)] != "rollback" {
		t.Errorf("message outcomes %v, want one rollback", got)
	}
}

func firstKey(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}
