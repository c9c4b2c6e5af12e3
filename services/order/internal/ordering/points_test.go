package ordering_test

import (
	"context"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

func pts(n int64) *int64 { return &n }

func TestPayWithPoints(t *testing.T) {
	ctx := context.Background()
	t.Run("points first, the rest charged, the event carries both", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 2}) // 2000 cents
		out, got, err := f.svc.PayWithPoints(ctx, "alice", o.No, pts(500))
		if err != nil || out != ordering.OutcomePaid || got.PointsApplied != 500 || got.ChargedCents() != 1500 {
			t.Fatalf("pay: %v %+v %v", out, got, err)
		}
		f.answerIsStored(t, got)
		if c := f.pay.charges[o.No]; c.AmountCents != 1500 || f.pts.balance["alice"] != 4500 {
			t.Errorf("charge %+v, points %d", c, f.pts.balance["alice"])
		}
		ev := f.pub.committed[0].(contracts.OrderPaid)
		if ev.PointsRedeemed != 500 || ev.ChargedCents() != 1500 {
			t.Errorf("event %+v", ev)
		}
		// Omitted points on a later pay mean "as before".
		if out, _, err := f.svc.Pay(ctx, "alice", o.No); err != nil || out != ordering.OutcomeAlreadyPaid {
			t.Errorf("pay again: %v %v", out, err)
		}
	})
	t.Run("points pay everything: no charge", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
		if out, _, err := f.svc.PayWithPoints(ctx, "alice", o.No, pts(1000)); err != nil || out != ordering.OutcomePaid {
			t.Fatalf("pay: %v %v", out, err)
		}
		if _, charged := f.pay.charges[o.No]; charged || f.pts.balance["alice"] != 4000 {
			t.Errorf("charged %v, points %d", charged, f.pts.balance["alice"])
		}
	})
	t.Run("bad amounts and short balances change nothing", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
		for _, bad := range []int64{-1, 1001} {
			if _, _, err := f.svc.PayWithPoints(ctx, "alice", o.No, pts(bad)); code(err) != ordering.CodeInvalidPoints {
				t.Errorf("points %d: %v", bad, err)
			}
		}
		f.pts.balance["alice"] = 10
		if _, _, err := f.svc.PayWithPoints(ctx, "alice", o.No, pts(11)); code(err) != contracts.CodeInsufficientPoints || apperr.KindOf(err) != apperr.Conflict {
			t.Errorf("11 of 10 points: %v", err)
		}
		if _, found, _ := f.store.PointsSplit(ctx, o.No); found || f.pts.redeemCalls != 0 || f.pub.n != 0 {
			t.Errorf("a refusal fixed a split (%v), redeemed (%d) or sent a half (%d)", found, f.pts.redeemCalls, f.pub.n)
		}
		if out, _, err := f.svc.PayWithPoints(ctx, "alice", o.No, pts(10)); err != nil || out != ordering.OutcomePaid {
			t.Errorf("pay with the 10 points: %v %v", out, err)
		}
	})
	t.Run("declined with points: the redemption stands, other points are refused", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "carol", ordering.LineRequest{SKU: "A", Quantity: 1}) // carol has 500 cents
		f.pts.balance["carol"] = 300
		if _, _, err := f.svc.PayWithPoints(ctx, "carol", o.No, pts(300)); apperr.KindOf(err) != apperr.PaymentRequired {
			t.Fatalf("pay: %v", err)
		}
		if f.pts.balance["carol"] != 0 || f.pub.outcomes["tx-1"] != "rollback" {
			t.Errorf("points %d, half %s", f.pts.balance["carol"], f.pub.outcomes["tx-1"])
		}
		f.clock.advance(time.Minute) // a redemption exists: no change, however late
		if _, _, err := f.svc.PayWithPoints(ctx, "carol", o.No, pts(0)); code(err) != ordering.CodePointsAlreadyApplied {
			t.Errorf("pay with other points: %v", err)
		}
		f.pay.balance["carol"] = 700
		if out, _, err := f.svc.Pay(ctx, "carol", o.No); err != nil || out != ordering.OutcomePaid {
			t.Fatalf("pay after a top-up: %v %v", out, err)
		}
		if c := f.pay.charges[o.No]; c.AmountCents != 700 || f.pts.redeemCalls != 2 || f.pts.balance["carol"] != 0 {
			t.Errorf("charge %+v, %d redeem calls, points %d: want the first redemption reused", c, f.pts.redeemCalls, f.pts.balance["carol"])
		}
	})
	t.Run("declined without points: other points once the window is over", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "carol", ordering.LineRequest{SKU: "A", Quantity: 1})
		if _, _, err := f.svc.Pay(ctx, "carol", o.No); apperr.KindOf(err) != apperr.PaymentRequired {
			t.Fatalf("pay: %v", err)
		}
		f.pts.balance["carol"] = 600
		if _, _, err := f.svc.PayWithPoints(ctx, "carol", o.No, pts(600)); code(err) != ordering.CodePointsAlreadyApplied {
			t.Errorf("right away: %v, want POINTS_ALREADY_APPLIED", err)
		}
		f.clock.advance(10 * time.Second)
		if out, got, err := f.svc.PayWithPoints(ctx, "carol", o.No, pts(600)); err != nil || out != ordering.OutcomePaid || got.PointsApplied != 600 {
			t.Fatalf("after the window: %v %+v %v", out, got, err)
		}
	})
}

// The check-back decides on the last participant: the charge, or the
// redemption when points pay everything, and only of the event's amount.
func TestCheckBackWithPoints(t *testing.T) {
	ctx := context.Background()
	t.Run("points only, answer lost: the redemption completes it", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
		f.pts.redeemThenErr = true
		if out, _, _ := f.svc.PayWithPoints(ctx, "alice", o.No, pts(1000)); out != ordering.OutcomePending {
			t.Fatalf("pay: %v", out)
		}
		ev := contracts.OrderPaid{OrderNo: o.No, TotalCents: 1000, PointsRedeemed: 1000}
		if got := f.check("tx-1", ev); got != "commit" {
			t.Errorf("check = %s, want commit", got)
		}
		if got, _ := f.store.Get(ctx, o.No); got.Status != ordering.Paid {
			t.Errorf("order %s", got.Status)
		}
	})
	t.Run("redemption answer lost: no charge was made, rolled back after the window", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
		ev := contracts.OrderPaid{OrderNo: o.No, TotalCents: 1000, PointsRedeemed: 400, PaidAt: f.clock.now()}
		f.pts.redeemThenErr = true // redeemed, but the answer is lost
		if out, _, _ := f.svc.PayWithPoints(ctx, "alice", o.No, pts(400)); out != ordering.OutcomePending {
			t.Fatalf("pay: %v", out)
		}
		if _, charged := f.pay.charges[o.No]; charged {
			t.Fatal("charged after an unknown redemption")
		}
		if got := f.check("tx-1", ev); got != "unknown" {
			t.Errorf("check within the window = %s, want unknown", got)
		}
		f.clock.advance(10 * time.Second)
		if got := f.check("tx-1", ev); got != "rollback" {
			t.Errorf("check after the window = %s, want rollback", got)
		}
		if f.pts.balance["alice"] != 4600 {
			t.Errorf("points %d: the redemption stays held for the pending order", f.pts.balance["alice"])
		}
		f.pts.returnRedemption(o.No) // what ORDER_CANCELLED does
		if f.pts.balance["alice"] != 5000 {
			t.Errorf("points %d after the return", f.pts.balance["alice"])
		}
	})
	t.Run("a charge of another amount is not this event's", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
		f.pay.charges[o.No] = ordering.Charge{OrderNo: o.No, UserID: "alice", AmountCents: 1000, Status: ordering.ChargeSucceeded}
		ev := contracts.OrderPaid{OrderNo: o.No, TotalCents: 1000, PointsRedeemed: 300}
		if got := f.check("tx-9", ev); got != "rollback" {
			t.Errorf("check = %s, want rollback", got)
		}
		if got, _ := f.store.Get(ctx, o.No); got.Status != ordering.PendingPayment {
			t.Errorf("order %s", got.Status)
		}
	})
}
