package audit

import "fmt"

// Paying with points (issue 17). The points ledger holds, per order, at
// most one entry of each reason:
//
//	ORDER_PAID           +credit     (total − points paid) / 100
//	ORDER_REDEEMED       −points     points paid for the order
//	REDEMPTION_RETURNED  +points     the redemption given back (order cancelled or refunded)
//	ORDER_REFUNDED       −clawback   a refund's clawback of the credit (refund_checks.go)
//
// A redeemed point is worth one cent (contracts.CentsPerPoint).

// Ledger reasons besides reasonOrderPaid (checks.go) and reasonOrderRefunded
// (refund_checks.go).
const (
	reasonOrderRedeemed      = "ORDER_REDEEMED"
	reasonRedemptionReturned = "REDEMPTION_RETURNED"
)

// The invariants' numbers (SPEC §3, as the README lists them).
const (
	idPointsConserved = 9
	idMoneyWithPoints = 10
)

// redemption is an order's ORDER_REDEEMED entry and its return.
type redemption struct {
	userID        string
	points        int64 // positive
	n, returns    int   // entries of each reason
	returned      int64 // points given back
	returnUserIDs []string
}

// redemptions indexes the ledger's redemptions and returns by order.
func redemptions(s *Snapshot) map[string]*redemption {
	out := map[string]*redemption{}
	get := func(no string) *redemption {
		if out[no] == nil {
			out[no] = &redemption{}
		}
		return out[no]
	}
	for _, e := range s.Ledger {
		switch e.Reason {
		case reasonOrderRedeemed:
			r := get(e.OrderNo)
			r.n++
			r.userID, r.points = e.UserID, -e.Points
		case reasonRedemptionReturned:
			r := get(e.OrderNo)
			r.returns++
			r.returned += e.Points
			r.returnUserIDs = append(r.returnUserIDs, e.UserID)
		}
	}
	return out
}

// pointsPaid is the value in cents of the points that still pay for each
// order: redeemed and not returned. Invariants 1, 2 and 8 take it off the
// order's total to find the part charged to the wallet.
func pointsPaid(s *Snapshot) map[string]int64 {
	out := map[string]int64{}
	for no, r := range redemptions(s) {
		if r.returns == 0 {
			out[no] = r.points
		}
	}
	return out
}

// 9. Points are conserved: per user, credits − clawbacks − redemptions +
// returns = balance, every redemption belongs to an order and is returned
// exactly once if and only if the order was cancelled or refunded.
func checkPointsConserved(s *Snapshot, ix indexes) Invariant {
	inv := Invariant{ID: idPointsConserved, Title: "Points are conserved: credits − clawbacks − redemptions + returns = balance; a cancelled or refunded order's redemption is returned exactly once, a paid order's never"}
	type sums struct{ credits, clawbacks, redeemed, returned int64 }
	byUser := map[string]*sums{}
	for _, e := range s.Ledger {
		u := byUser[e.UserID]
		if u == nil {
			u = &sums{}
			byUser[e.UserID] = u
		}
		subj := fmt.Sprintf("user %s, order %s", e.UserID, e.OrderNo)
		switch e.Reason {
		case reasonOrderPaid:
			u.credits += e.Points
		case reasonOrderRefunded:
			u.clawbacks -= e.Points
		case reasonOrderRedeemed:
			u.redeemed -= e.Points
			if e.Points >= 0 {
				inv.fail(subj, "redemption entry of %d points (must be negative)", e.Points)
			}
		case reasonRedemptionReturned:
			u.returned += e.Points
			if e.Points <= 0 {
				inv.fail(subj, "return entry of %d points (must be positive)", e.Points)
			}
		default:
			inv.fail(subj, "ledger entry with an unknown reason %q (%d points)", e.Reason, e.Points)
		}
	}
	for _, a := range s.Accounts {
		inv.Checked++
		u := byUser[a.UserID]
		if u == nil {
			u = &sums{}
		}
		if want := u.credits - u.clawbacks - u.redeemed + u.returned; want != a.Balance {
			inv.fail("user "+a.UserID, "credits %d − clawbacks %d − redemptions %d + returns %d = %d, balance %d",
				u.credits, u.clawbacks, u.redeemed, u.returned, want, a.Balance)
		}
		if a.Balance < 0 && u.clawbacks == 0 {
			inv.fail("user "+a.UserID, "negative balance %d without a clawback", a.Balance)
		}
	}
	for no, r := range redemptions(s) {
		inv.Checked++
		checkRedemption(&inv, ix, no, r)
	}
	return inv
}

// checkRedemption applies invariant 7 to one order's redemption.
func checkRedemption(inv *Invariant, ix indexes, no string, r *redemption) {
	subj := orderSubject(no)
	o, ok := ix.orders[no]
	switch {
	case r.n != 1:
		inv.fail(subj, "%d redemptions and %d returns (at most one redemption per order)", r.n, r.returns)
		return
	case !ok:
		inv.fail(subj, "%d points redeemed for an order that does not exist", r.points)
		return
	case r.userID != o.UserID:
		inv.fail(subj, "points of %s redeemed for an order of %s", r.userID, o.UserID)
	}
	if r.returns > 1 {
		inv.fail(subj, "redemption returned %d times", r.returns)
	}
	if r.returns == 1 && (r.returned != r.points || r.returnUserIDs[0] != r.userID) {
		inv.fail(subj, "%d points of %s redeemed, %d returned to %s", r.points, r.userID, r.returned, r.returnUserIDs[0])
	}
	switch o.Status {
	case StatusPending, StatusRefunding:
		// Held for the pending order; a refund still under way.
	case StatusCancelled, StatusRefunded:
		if r.returns == 0 {
			inv.fail(subj, "%s, but its %d redeemed points were never returned", o.Status, r.points)
		}
	default:
		if r.returns > 0 {
			inv.fail(subj, "%s, but the %d points it was paid with were returned", o.Status, r.points)
		}
	}
}

// 10. Money including points: a paid (or shipped, or completed) order's
// succeeded charge plus the value of its unreturned redemption is its
// total; the points that paid for it earned none (its credit is on the
// charged part, invariant 2).
func checkMoneyWithPoints(s *Snapshot, ix indexes) Invariant {
	inv := Invariant{ID: idMoneyWithPoints, Title: "Money including points: for every paid order, charged + points paid = total"}
	for _, o := range s.Orders {
		if !standsPaid(o.Status) {
			continue
		}
		inv.Checked++
		var charged int64
		for _, c := range ix.charges[o.OrderNo] {
			if c.Status == "SUCCEEDED" {
				charged += c.AmountCents
			}
		}
		points := ix.pointsPaid[o.OrderNo]
		if charged+points != o.TotalCents {
			inv.fail(orderSubject(o.OrderNo), "charged %d + points %d = %d cents, total %d", charged, points, charged+points, o.TotalCents)
		}
		if points < 0 || points > o.TotalCents {
			inv.fail(orderSubject(o.OrderNo), "paid %d cents with points of a %d-cent total", points, o.TotalCents)
		}
	}
	return inv
}
