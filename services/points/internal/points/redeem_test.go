package points_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// Points paid with earn nothing: the credit is on the charged part.
func TestCreditOnTheChargedPart(t *testing.T) {
	svc := newService(t, dbtest.SQLite(t))
	e, err := svc.CreditOrderPaid(t.Context(), group, points.OrderPaid{EventID: "ev-1", OrderNo: "RM-1", UserID: "alice", TotalCents: 12_399, PointsRedeemed: 2_300})
	if err != nil || e.Points != 100 {
		t.Errorf("credit of 12399 with 2300 points: %+v, %v; want 100 points", e, err)
	}
	all, err := svc.CreditOrderPaid(t.Context(), group, points.OrderPaid{EventID: "ev-2", OrderNo: "RM-2", UserID: "alice", TotalCents: 999, PointsRedeemed: 999})
	if err != nil || all.Points != 0 {
		t.Errorf("credit of an order paid with points only: %+v, %v; want a 0-point entry", all, err)
	}
	for _, bad := range []int64{-1, 1000} {
		_, err := svc.CreditOrderPaid(t.Context(), group, points.OrderPaid{EventID: "ev-3", OrderNo: "RM-3", UserID: "alice", TotalCents: 999, PointsRedeemed: bad})
		if testkit.CodeOf(err) != points.CodeInvalidPoints {
			t.Errorf("pointsRedeemed %d: %v, want INVALID_POINTS", bad, err)
		}
	}
}

func TestRedeemRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc := newService(t, db)
		ctx := t.Context()
		if _, err := svc.CreditOrderPaid(ctx, group, points.OrderPaid{EventID: "ev-1", OrderNo: "RM-EARN", UserID: "alice", TotalCents: 100_000}); err != nil {
			t.Fatal(err)
		}
		req := points.RedeemRequest{OrderNo: "RM-1", UserID: "alice", Points: 400}
		if r, created, err := svc.Redeem(ctx, req); err != nil || !created || r.Points != 400 {
			t.Fatalf("redeem: %+v %v %v", r, created, err)
		}
		for name, other := range map[string]points.RedeemRequest{
			"other points": {OrderNo: "RM-1", UserID: "alice", Points: 401},
			"other user":   {OrderNo: "RM-1", UserID: "bob", Points: 400},
		} {
			if _, _, err := svc.Redeem(ctx, other); apperr.KindOf(err) != apperr.Conflict || testkit.CodeOf(err) != points.CodeRedemptionMismatch {
				t.Errorf("%s: %v, want REDEMPTION_MISMATCH", name, err)
			}
		}
		for name, bad := range map[string]points.RedeemRequest{
			"no points":      {OrderNo: "RM-2", UserID: "alice"},
			"too many":       {OrderNo: "RM-2", UserID: "alice", Points: points.MaxRedeemPoints + 1},
			"bad order":      {OrderNo: "RM 2", UserID: "alice", Points: 1},
			"no user":        {OrderNo: "RM-2", Points: 1},
			"bad event id":   {OrderNo: "RM-2", UserID: "alice", Points: 1, EventID: "a\nb"},
			"negative point": {OrderNo: "RM-2", UserID: "alice", Points: -3},
		} {
			if _, _, err := svc.Redeem(ctx, bad); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("%s: %v, want Invalid", name, err)
			}
		}
		if _, err := svc.RedemptionOf(ctx, "RM-2"); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("RedemptionOf an order without one: %v", err)
		}
		if out, err := svc.ReturnRedemption(ctx, group, "ev-c", "RM-1"); err != nil || out != points.ReturnReturned {
			t.Errorf("return: %v %v", out, err)
		}
		st, err := svc.Statement(ctx, "alice")
		if err != nil || st.Balance != 1000 {
			t.Errorf("balance %d after the return, want 1000 (%v)", st.Balance, err)
		}
	})
}
