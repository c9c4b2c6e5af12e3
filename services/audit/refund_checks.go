package audit

// The invariants of what happens after payment (SPEC §2.6): delivery
// completes an order, and a refund or return reaches every service once.

// Order statuses after payment.
const (
	StatusShipped         = "SHIPPED"
	StatusCompleted       = "COMPLETED"
	StatusReturnRequested = "RETURN_REQUESTED"
	StatusRefunding       = "REFUNDING"
	StatusRefunded        = "REFUNDED"
)

// reasonOrderRefunded is the points ledger reason of a refunded order's
// clawback.
const reasonOrderRefunded = "ORDER_REFUNDED"

// standsPaid reports whether an order in status keeps its payment: paid and
// not refunded, wherever its shipment is. Such an order has every effect of
// ORDER_PAID (invariants 1 and 2).
func standsPaid(status string) bool {
	switch status {
	case StatusPaid, StatusShipped, StatusCompleted, StatusReturnRequested:
		return true
	}
	return false
}

// refundStarted reports whether an order in status was refunded (or is
// being refunded); invariant 7 checks its effects instead of 1–3.
func refundStarted(status string) bool { return status == StatusRefunding || status == StatusRefunded }

// 7. Every refunded order has exactly one refund of its charged part (its
// total less the points that paid for it), its points
// credit clawed back exactly once (clawback = −credit: the balance may go
// negative, never capped), its stock returned and its shipment cancelled or
// returned; and every refund-side effect belongs to a refunded order.
func checkRefunds(s *Snapshot, ix indexes) Invariant {
	inv := Invariant{ID: 7, Title: "Every refunded order has exactly one refund of its charged part (total less points paid), its points clawed back exactly once (clawback = −credit), " +
		"its stock returned and its shipment cancelled or returned; refund-side effects belong to refunded orders"}
	redeemed := redemptions(s)
	clawbacks := map[string][]PointsEntry{}
	for _, e := range s.Ledger {
		if e.Reason == reasonOrderRefunded {
			clawbacks[e.OrderNo] = append(clawbacks[e.OrderNo], e)
		}
	}
	for _, o := range s.Orders {
		if !refundStarted(o.Status) {
			continue
		}
		inv.Checked++
		subj := orderSubject(o.OrderNo)
		if o.Status == StatusRefunding {
			inv.fail(subj, "still REFUNDING: payment never confirmed the refund (the order service's ORDER_REFUNDED consumer did not finish)")
		}
		// The charged part: the total less the points that paid for it
		// (those come back as a redemption return, invariant 9).
		charged := o.TotalCents
		if r := redeemed[o.OrderNo]; r != nil {
			charged -= r.points
		}
		switch cs := ix.charges[o.OrderNo]; {
		case charged == 0 && len(cs) == 0:
			// paid wholly with points: nothing was charged, nothing to refund
		case len(cs) != 1:
			inv.fail(subj, "refunded, but has %d charges", len(cs))
		case cs[0].Status != "REFUNDED":
			inv.fail(subj, "refunded, but its charge is %s", cs[0].Status)
		case cs[0].AmountCents != charged || cs[0].UserID != o.UserID:
			inv.fail(subj, "refunded %d cents to %s, order of %d cents (%d charged) by %s", cs[0].AmountCents, cs[0].UserID, o.TotalCents, charged, o.UserID)
		}
		cr, cb := ix.credits[o.OrderNo], clawbacks[o.OrderNo]
		switch {
		case len(cr) != 1 || len(cb) != 1:
			inv.fail(subj, "refunded, with %d points credits and %d clawbacks; want one of each", len(cr), len(cb))
		case cb[0].Points != -cr[0].Points || cb[0].UserID != cr[0].UserID:
			inv.fail(subj, "clawed back %d points from %s, credited %d to %s", cb[0].Points, cb[0].UserID, cr[0].Points, cr[0].UserID)
		}
		switch r, ok := ix.reservations[o.OrderNo]; {
		case !ok:
			inv.fail(subj, "refunded, but inventory has no reservation")
		case r.Status != "RETURNED":
			inv.fail(subj, "refunded, but its reservation is %s, not RETURNED", r.Status)
		case !sameLines(r.Lines, o.Lines):
			inv.fail(subj, "returned %s, ordered %s", formatLines(r.Lines), formatLines(o.Lines))
		}
		switch sh := ix.shipments[o.OrderNo]; {
		case len(sh) != 1:
			inv.fail(subj, "refunded, but has %d shipments", len(sh))
		case sh[0].Status != "CANCELLED" && sh[0].Status != "RETURNED":
			inv.fail(subj, "refunded, but its shipment is %s, not CANCELLED or RETURNED", sh[0].Status)
		}
	}
	// The other way round: no refund-side effect without a refunded order.
	notRefunded := func(no string) (string, bool) {
		o, ok := ix.orders[no]
		if !ok {
			return "does not exist", true
		}
		return "is " + o.Status, !refundStarted(o.Status)
	}
	for no, cb := range clawbacks {
		inv.Checked += len(cb)
		if state, bad := notRefunded(no); bad {
			inv.fail(orderSubject(no), "%d points clawed back, but the order %s", -cb[0].Points, state)
		}
	}
	for _, r := range s.Reservations {
		inv.Checked++
		if state, bad := notRefunded(r.OrderNo); r.Status == "RETURNED" && bad {
			inv.fail(orderSubject(r.OrderNo), "stock returned, but the order %s", state)
		}
	}
	for _, sh := range s.Shipments {
		inv.Checked++
		if state, bad := notRefunded(sh.OrderNo); (sh.Status == "CANCELLED" || sh.Status == "RETURNED") && bad {
			inv.fail(orderSubject(sh.OrderNo), "shipment %s, but the order %s", sh.Status, state)
		}
	}
	return inv
}

// shipmentFor is the shipment status each order status implies once the
// shop is quiet: logistics' step and the order's agree.
var shipmentFor = map[string]string{
	StatusPaid:            "AWAITING_SHIPMENT",
	StatusShipped:         "SHIPPED",
	StatusCompleted:       "DELIVERED",
	StatusReturnRequested: "DELIVERED",
}

// 8. Every completed order (and one whose return is requested) has a
// delivered shipment, every shipped order a shipped one, every paid order
// one awaiting shipment: so a delivered shipment completed its order.
func checkDeliveries(s *Snapshot, ix indexes) Invariant {
	inv := Invariant{ID: 8, Title: "Every completed order has a delivered shipment; a shipped order a shipped one, a paid order one awaiting shipment"}
	for _, o := range s.Orders {
		want, ok := shipmentFor[o.Status]
		if !ok {
			continue
		}
		inv.Checked++
		// A missing or second shipment is invariant 2's.
		if sh := ix.shipments[o.OrderNo]; len(sh) == 1 && sh[0].Status != want {
			inv.fail(orderSubject(o.OrderNo), "%s, but its shipment is %s, not %s", o.Status, sh[0].Status, want)
		}
	}
	return inv
}
