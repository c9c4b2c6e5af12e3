package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// The scenarios of paying with points (issue 17), run by TestFlows: the
// points service is the pay flow's second participant, and returns a
// redemption exactly once when the order is cancelled instead of paid.

func pointsPayPart(w *world) {
	p := w.roomy(50_000)
	o := w.place("alice", p.SKU, 2)
	no, total := o["orderNo"].(string), num(o["totalCents"])
	use := min(total/2, 400)
	pts := w.earnPoints("alice", use)
	money := w.balance("alice")
	status, body := w.payWith("alice", no, map[string]any{"pointsToUse": use})
	if status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	got := body["order"].(map[string]any)
	if num(got["pointsApplied"]) != use || num(got["chargedCents"]) != total-use {
		w.t.Errorf("order says %v points and %v charged, want %d and %d", got["pointsApplied"], got["chargedCents"], use, total-use)
	}
	w.settled(contracts.TopicOrderPaid, no)
	evs := w.published(contracts.TopicOrderPaid, no)
	if len(evs) != 1 || evs[0].PointsRedeemed != use || evs[0].TotalCents != total {
		w.t.Fatalf("ORDER_PAID %+v, want one with pointsRedeemed %d", evs, use)
	}
	if st, amt := w.charge(no); st != "SUCCEEDED" || amt != total-use || w.balance("alice") != money-(total-use) {
		w.t.Errorf("charge %s %d, wallet %d → %d; want %d charged", st, amt, money, w.balance("alice"), total-use)
	}
	// The credit is on the charged part: (total − points) / 100.
	earned := (total - use) / 100
	w.eventually(20*time.Second, "points credited", func() bool { return w.pointsBalance("alice") == pts-use+earned })
	sum, n := w.pointsEntries(no)
	if sum["ORDER_REDEEMED"] != -use || n["ORDER_REDEEMED"] != 1 || sum["ORDER_PAID"] != earned || n["REDEMPTION_RETURNED"] != 0 {
		w.t.Errorf("ledger of %s: %v %v", no, sum, n)
	}
	// Paying again changes nothing; the same points again neither.
	if status, body := w.payWith("alice", no, map[string]any{"pointsToUse": use}); status != http.StatusOK || body["outcome"] != "ALREADY_PAID" {
		w.t.Errorf("second pay: %d %v", status, body)
	}
	if w.pointsBalance("alice") != pts-use+earned || len(w.published(contracts.TopicOrderPaid, no)) != 1 {
		w.t.Errorf("a second pay changed the points or published again")
	}
}

func pointsPayAll(w *world) {
	p := w.cheapest()
	o := w.place("alice", p.SKU, 1)
	no, total := o["orderNo"].(string), num(o["totalCents"])
	pts := w.earnPoints("alice", total)
	money := w.balance("alice")
	if status, body := w.payWith("alice", no, map[string]any{"pointsToUse": total}); status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	w.settled(contracts.TopicOrderPaid, no)
	if evs := w.published(contracts.TopicOrderPaid, no); len(evs) != 1 || evs[0].ChargedCents() != 0 {
		w.t.Fatalf("ORDER_PAID %+v, want one charging nothing", evs)
	}
	if st, _ := w.charge(no); st != "" || w.balance("alice") != money {
		w.t.Errorf("charge %q, wallet %d → %d: an order paid with points only charged money", st, money, w.balance("alice"))
	}
	w.eventually(20*time.Second, "the 0-point credit", func() bool { _, n := w.pointsEntries(no); return n["ORDER_PAID"] == 1 })
	if got := w.pointsBalance("alice"); got != pts-total {
		w.t.Errorf("points %d, want %d", got, pts-total)
	}
}

func pointsMoreThanBalance(w *world) {
	p := w.roomy(50_000)
	pts := w.earnPoints("bob", 200)
	o := w.place("bob", p.SKU, int((pts+1)/p.PriceCents)+1)
	no, total := o["orderNo"].(string), num(o["totalCents"])
	if total <= pts {
		w.t.Fatalf("bob's %d points cover the order of %d", pts, total)
	}
	status, body := w.payWith("bob", no, map[string]any{"pointsToUse": pts + 1})
	if status != http.StatusConflict || errCode(body) != "INSUFFICIENT_POINTS" {
		w.t.Fatalf("pay with too many points: %d %v", status, body)
	}
	if d := body["error"].(map[string]any)["details"].(map[string]any); num(d["balance"]) != pts || num(d["points"]) != pts+1 {
		w.t.Errorf("details %v", d)
	}
	if got := w.getOrder("bob", no); got["status"] != "PENDING_PAYMENT" || num(got["pointsApplied"]) != 0 {
		w.t.Errorf("order after the refusal: %v", got)
	}
	if st, _ := w.charge(no); st != "" || w.pointsBalance("bob") != pts {
		w.t.Errorf("charge %q, points %d → %d after a refusal", st, pts, w.pointsBalance("bob"))
	}
	// Nothing was fixed: the same order pays with fewer points.
	if status, body := w.payWith("bob", no, map[string]any{"pointsToUse": 100}); status != http.StatusOK {
		w.t.Fatalf("pay with 100 points: %d %v", status, body)
	}
	if st, amt := w.charge(no); st != "SUCCEEDED" || amt != total-100 {
		w.t.Errorf("charge %s %d, want %d", st, amt, total-100)
	}
}

func pointsHostileInput(w *world) {
	p := w.roomy(50_000)
	o := w.place("alice", p.SKU, 1)
	no, total := o["orderNo"].(string), num(o["totalCents"])
	pts := w.pointsBalance("alice")
	cases := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"negative", `{"pointsToUse":-1}`, 400, "INVALID_POINTS"},
		{"more than the total", fmt.Sprintf(`{"pointsToUse":%d}`, total+1), 400, "INVALID_POINTS"},
		{"fraction", `{"pointsToUse":1.5}`, 400, "INVALID_JSON"},
		{"string", `{"pointsToUse":"100"}`, 400, "INVALID_JSON"},
		{"overflow", `{"pointsToUse":1e30}`, 400, "INVALID_JSON"},
		{"unknown field", `{"points":100}`, 400, "INVALID_JSON"},
		{"broken JSON", `{"pointsToUse":`, 400, "INVALID_JSON"},
		{"two values", `{"pointsToUse":1}{"pointsToUse":2}`, 400, "INVALID_JSON"},
	}
	for _, tc := range cases {
		status, body := w.payWith("alice", no, tc.body)
		if status != tc.status || errCode(body) != tc.code {
			w.t.Errorf("%s: %d %s, want %d %s (%v)", tc.name, status, errCode(body), tc.status, tc.code, body)
		}
	}
	// The points API is the order service's: no admin token, no redemption.
	redeem := map[string]any{"orderNo": no, "userId": "alice", "points": 1}
	if status, body := w.call(http.MethodPost, w.points+"/api/v1/redemptions", "alice", redeem); status != http.StatusUnauthorized {
		w.t.Errorf("redeem without the admin token: %d %v", status, body)
	}
	for _, bad := range []map[string]any{
		{"orderNo": no, "userId": "alice", "points": 0},
		{"orderNo": no, "userId": "alice", "points": -5},
		{"orderNo": "RM 1", "userId": "alice", "points": 1},
		{"orderNo": no, "userId": "", "points": 1},
	} {
		if status, body := w.admin(http.MethodPost, w.points+"/api/v1/redemptions", bad); status != http.StatusBadRequest {
			w.t.Errorf("redeem %v: %d %v, want 400", bad, status, body)
		}
	}
	if got := w.getOrder("alice", no); got["status"] != "PENDING_PAYMENT" || num(got["pointsApplied"]) != 0 || w.pointsBalance("alice") != pts {
		w.t.Errorf("hostile input changed the order (%v) or the points (%d → %d)", got, pts, w.pointsBalance("alice"))
	}
	if status, _ := w.admin(http.MethodGet, w.points+"/api/v1/redemptions/"+no, nil); status != http.StatusNotFound {
		w.t.Errorf("a redemption exists after hostile input: %d", status)
	}
}

func pointsConcurrent(w *world) {
	p := w.roomy(50_000)
	o := w.place("alice", p.SKU, 1)
	no, total := o["orderNo"].(string), num(o["totalCents"])
	use := min(total/3, 300)
	pts := w.earnPoints("alice", use+7)
	money := w.balance("alice")
	paid := statuses(20, func() int {
		status, _ := w.payWith("alice", no, map[string]any{"pointsToUse": use})
		return status
	})
	if paid[http.StatusOK]+paid[http.StatusAccepted] != 20 {
		w.t.Errorf("statuses %v, want only 200 and 202", paid)
	}
	w.eventually(20*time.Second, "order paid", func() bool { return w.getOrder("alice", no)["status"] == "PAID" })
	w.settled(contracts.TopicOrderPaid, no)
	if n := len(w.published(contracts.TopicOrderPaid, no)); n != 1 {
		w.t.Errorf("%d events, want 1", n)
	}
	earned := (total - use) / 100
	w.eventually(20*time.Second, "points credited", func() bool { _, n := w.pointsEntries(no); return n["ORDER_PAID"] == 1 })
	if got := w.pointsBalance("alice"); got != pts-use+earned || w.balance("alice") != money-(total-use) {
		w.t.Errorf("points %d (want %d), wallet %d (want %d)", got, pts-use+earned, w.balance("alice"), money-(total-use))
	}

	// The points service on its own: ten identical redemptions of one
	// order at once take the points once; another amount is a 409.
	pts = w.pointsBalance("alice")
	req := map[string]any{"orderNo": "RM-DIRECT-" + newKey(), "userId": "alice", "points": 7}
	codes := statuses(10, func() int {
		status, _ := w.admin(http.MethodPost, w.points+"/api/v1/redemptions", req)
		return status
	})
	if codes[http.StatusCreated] != 1 || codes[http.StatusOK] != 9 || w.pointsBalance("alice") != pts-7 {
		w.t.Errorf("statuses %v, points %d → %d; want one 201, nine 200, 7 points taken", codes, pts, w.pointsBalance("alice"))
	}
	req["points"] = 8
	if status, body := w.admin(http.MethodPost, w.points+"/api/v1/redemptions", req); status != http.StatusConflict || errCode(body) != "REDEMPTION_MISMATCH" {
		w.t.Errorf("other amount: %d %v", status, body)
	}
}

func pointsAnswerLost(w *world) {
	p := w.cheapest()
	o := w.place("alice", p.SKU, 1)
	no, total := o["orderNo"].(string), num(o["totalCents"])
	pts := w.earnPoints("alice", total)
	w.pointsProxy.set(chargeMode{failAfter: true})
	status, body := w.payWith("alice", no, map[string]any{"pointsToUse": total})
	if status != http.StatusAccepted || body["outcome"] != "PENDING" {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	w.eventually(20*time.Second, "the check-back to pay the order", func() bool {
		return w.getOrder("alice", no)["status"] == "PAID"
	})
	w.settled(contracts.TopicOrderPaid, no)
	if evs := w.published(contracts.TopicOrderPaid, no); len(evs) != 1 || evs[0].PointsRedeemed != total {
		w.t.Errorf("ORDER_PAID %+v", evs)
	}
	if got := w.pointsBalance("alice"); got != pts-total {
		w.t.Errorf("points %d, want %d", got, pts-total)
	}
}
