package main

import (
	"net/http"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

var declineCharge = map[string]any{"point": "charge", "action": "answer", "value": "decline"}

// pointsDeclinedThenTimeout: the points are redeemed, the charge of the
// rest is declined, the half message rolled back. The redemption stays held
// for the pending order (a second pay with other points is refused, the
// same points pay again without a second deduction) until the deadline
// cancels the order, and ORDER_CANCELLED returns it exactly once, however
// often it is delivered.
func pointsDeclinedThenTimeout(w *world) {
	p := w.roomy(50_000)
	o := w.place("alice", p.SKU, 1)
	no, total := o["orderNo"].(string), num(o["totalCents"])
	use := min(total/2, 300)
	pts := w.earnPoints("alice", use+1)
	w.armPayment(declineCharge)
	status, body := w.payWith("alice", no, map[string]any{"pointsToUse": use})
	if status != http.StatusPaymentRequired {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	w.settled(contracts.TopicOrderPaid, no)
	if _, c, r := w.halves(contracts.TopicOrderPaid, no); c != 0 || r != 1 {
		w.t.Errorf("halves committed %d, rolled back %d; want 0 and 1", c, r)
	}
	if got := w.pointsBalance("alice"); got != pts-use {
		w.t.Errorf("points %d after the decline, want %d held for the order", got, pts-use)
	}
	if status, body := w.payWith("alice", no, map[string]any{"pointsToUse": use + 1}); status != http.StatusConflict || errCode(body) != "POINTS_ALREADY_APPLIED" {
		w.t.Errorf("pay with other points: %d %v", status, body)
	}
	if status, _ := w.payWith("alice", no, map[string]any{"pointsToUse": use}); status != http.StatusPaymentRequired || w.pointsBalance("alice") != pts-use {
		w.t.Errorf("second declined pay: %d, points %d; want 402 and no second deduction", status, w.pointsBalance("alice"))
	}
	w.eventually(paymentTimeout+15*time.Second, "timeout cancels the order", func() bool {
		return w.getOrder("alice", no)["status"] == "CANCELLED"
	})
	w.redemptionReturned(no)
	if got := w.pointsBalance("alice"); got != pts {
		w.t.Errorf("points %d after the return, want %d", got, pts)
	}
	w.redeliverCancelled(no)
	w.consumedAll(contracts.ConsumerPointsOrderCancelled, contracts.TopicOrderCancelled)
	sum, n := w.pointsEntries(no)
	if n["REDEMPTION_RETURNED"] != 1 || sum["REDEMPTION_RETURNED"] != use || sum["ORDER_REDEEMED"] != -use || w.pointsBalance("alice") != pts {
		w.t.Errorf("after a redelivered ORDER_CANCELLED: ledger %v %v, points %d (want %d)", sum, n, w.pointsBalance("alice"), pts)
	}
	if st, _ := w.charge(no); st != "" {
		w.t.Errorf("charge %q of a declined order", st)
	}
}

// pointsAfterPlainDecline: a pay without points is declined; once its
// charge window is over (nothing redeemed or charged), the order pays with
// points.
func pointsAfterPlainDecline(w *world) {
	p := w.roomy(50_000)
	o := w.place("alice", p.SKU, 1)
	no, total := o["orderNo"].(string), num(o["totalCents"])
	use := min(total/2, 300)
	w.earnPoints("alice", use)
	w.armPayment(map[string]any{"point": "charge", "action": "answer", "value": "decline", "count": 1})
	if status, body := w.pay("alice", no); status != http.StatusPaymentRequired {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	var status int
	var body map[string]any
	w.eventually(15*time.Second, "the points of the order can change", func() bool {
		status, body = w.payWith("alice", no, map[string]any{"pointsToUse": use})
		return errCode(body) != "POINTS_ALREADY_APPLIED"
	})
	if status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("pay with points: %d %v", status, body)
	}
	if st, amt := w.charge(no); st != "SUCCEEDED" || amt != total-use {
		w.t.Errorf("charge %s %d, want %d", st, amt, total-use)
	}
}

// pointsRacingTimeout: the points are redeemed, the charge is held past
// the deadline; the timeout cancels the order, the charge is refused (or
// refunded), the points come back once, and no ORDER_PAID is published.
func pointsRacingTimeout(w *world) {
	p := w.roomy(50_000)
	o := w.place("bob", p.SKU, 1)
	no, total := o["orderNo"].(string), num(o["totalCents"])
	use := min(total/2, 300)
	pts := w.earnPoints("bob", use)
	money := w.balance("bob")
	w.proxy.set(chargeMode{delayBefore: paymentTimeout + 2*time.Second})
	status, body := w.payWith("bob", no, map[string]any{"pointsToUse": use})
	if status != http.StatusAccepted || body["outcome"] != "PENDING" {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	w.eventually(paymentTimeout+15*time.Second, "the timeout cancels the order", func() bool {
		return w.getOrder("bob", no)["status"] == "CANCELLED"
	})
	w.settled(contracts.TopicOrderPaid, no)
	if n := len(w.published(contracts.TopicOrderPaid, no)); n != 0 {
		w.t.Errorf("%d ORDER_PAID events for a cancelled order", n)
	}
	w.redemptionReturned(no)
	w.eventually(15*time.Second, "money back", func() bool { return w.balance("bob") == money })
	if got := w.pointsBalance("bob"); got != pts {
		w.t.Errorf("points %d, want %d back", got, pts)
	}
	if sum, n := w.pointsEntries(no); n["REDEMPTION_RETURNED"] != 1 || sum["ORDER_REDEEMED"]+sum["REDEMPTION_RETURNED"] != 0 || n["ORDER_PAID"] != 0 {
		w.t.Errorf("ledger of %s: %v %v", no, sum, n)
	}
	if st, _ := w.charge(no); st != "" && st != "REFUNDED" {
		w.t.Errorf("charge %s for a cancelled order", st)
	}
}
