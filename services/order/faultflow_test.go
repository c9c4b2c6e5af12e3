package main

import (
	"net/http"
	"slices"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// The training fault points of the order service (README, "Fault points"),
// armed through the admin API as a trainer arms them, over the real broker
// and services. Each naive check-back strategy runs next to the correct
// one in the scenario that breaks it. No crash is armed here: the order
// service runs inside the test binary.

// armFault arms a fault on the order service, or fails the test.
func (w *world) armFault(spec map[string]any) {
	w.t.Helper()
	if status, body := w.admin(http.MethodPost, w.order+"/api/v1/admin/faults", spec); status != http.StatusCreated {
		w.t.Fatalf("arm %v: %d %v", spec, status, body)
	}
}

// clearFaults disarms every fault of the order service.
func (w *world) clearFaults() {
	w.t.Helper()
	if status, body := w.admin(http.MethodDelete, w.order+"/api/v1/admin/faults", nil); status != http.StatusNoContent {
		w.t.Fatalf("clear faults: %d %v", status, body)
	}
}

var dropEndTransaction = map[string]any{"point": "pay.end-transaction", "action": "drop", "count": 1}

func naiveCheck(strategy string) map[string]any {
	return map[string]any{"point": "pay.check-back.strategy", "action": "naive", "value": strategy}
}

// faultPointsListed: the admin API lists the order service's points, and
// every one of them has a description a workshop can read.
func faultPointsListed(w *world) {
	status, body := w.admin(http.MethodGet, w.order+"/api/v1/admin/faults", nil)
	if status != http.StatusOK {
		w.t.Fatalf("list faults: %d %v", status, body)
	}
	var got []string
	points, _ := body["points"].([]any)
	for _, x := range points {
		p := x.(map[string]any)
		got = append(got, p["point"].(string))
		if d, _ := p["description"].(string); len(d) < 40 {
			w.t.Errorf("point %v: description %q", p["point"], d)
		}
	}
	want := []string{"consume." + contracts.ConsumerOrderOrderRefunded, "consume." + contracts.ConsumerOrderOrderTimeout,
		"consume." + contracts.ConsumerOrderShipmentDelivered, "consume." + contracts.ConsumerOrderShipmentShipped, "pay.after-commit", "pay.after-half",
		"pay.check-back", "pay.check-back.strategy", "pay.end-transaction", "pay.local", "place.after-reserve", "slow-motion"}
	if !slices.Equal(got, want) {
		w.t.Errorf("points %v, want %v", got, want)
	}
}

// placeAfterReserveRetried: placing stops after inventory reserved the stock
// and before the order exists (a crash there leaves the same state; the
// order service runs in this process, so the fault fails instead). The
// retry with the same Idempotency-Key continues the attempt: one order, one
// reservation under its number, the stock reserved once.
func placeAfterReserveRetried(w *world) {
	p := w.roomy(50_000)
	before := w.available(p.SKU)
	reservationsBefore := w.reservationCount()
	key := newKey()
	body := map[string]any{"lines": []map[string]any{{"sku": p.SKU, "quantity": 2}}, "address": shipTo}
	w.armFault(map[string]any{"point": "place.after-reserve", "action": "fail", "count": 1})
	status, got := w.call(http.MethodPost, w.order+"/api/v1/orders", "alice", body, "Idempotency-Key", key)
	if status != http.StatusServiceUnavailable || errCode(got) != "FAULT_INJECTED" {
		w.t.Fatalf("first attempt: %d %v, want 503 FAULT_INJECTED", status, got)
	}
	if n := w.reservationCount(); n != reservationsBefore+1 || w.available(p.SKU) != before-2 {
		w.t.Fatalf("after the first attempt: %d new reservations, available %d (before %d); want 1 and the stock held",
			n-reservationsBefore, w.available(p.SKU), before)
	}
	status, o := w.call(http.MethodPost, w.order+"/api/v1/orders", "alice", body, "Idempotency-Key", key)
	if status != http.StatusCreated || o["status"] != "PENDING_PAYMENT" {
		w.t.Fatalf("retry: %d %v, want 201 PENDING_PAYMENT", status, o)
	}
	no := o["orderNo"].(string)
	status, again := w.call(http.MethodPost, w.order+"/api/v1/orders", "alice", body, "Idempotency-Key", key)
	if status != http.StatusOK || again["orderNo"] != no {
		w.t.Errorf("second retry: %d %v, want 200 and %s", status, again, no)
	}
	if n := w.reservationCount(); n != reservationsBefore+1 || w.available(p.SKU) != before-2 {
		w.t.Errorf("after the retries: %d new reservations, available %d (before %d); want 1 and the stock reserved once",
			n-reservationsBefore, w.available(p.SKU), before)
	}
	if status, r := w.admin(http.MethodGet, w.inventory+"/api/v1/reservations/"+no, nil); status != http.StatusOK || r["status"] != "RESERVED" {
		w.t.Errorf("the order's reservation: %d %v, want RESERVED", status, r)
	}
	n := 0
	status, list := w.call(http.MethodGet, w.order+"/api/v1/orders?limit=100", "alice", nil)
	orders, _ := list["orders"].([]any)
	for _, x := range orders {
		if x.(map[string]any)["orderNo"] == no {
			n++
		}
	}
	if status != http.StatusOK || n != 1 {
		w.t.Errorf("alice's orders: %d, %d times %s; want it once", status, n, no)
	}
	// The order is whole: it pays like any other.
	if status, body := w.pay("alice", no); status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	w.settled(contracts.TopicOrderPaid, no)
}

// reservationCount is how many reservations inventory has ever made.
func (w *world) reservationCount() int {
	w.t.Helper()
	status, body := w.admin(http.MethodGet, w.inventory+"/api/v1/admin/reservations", nil)
	if status != http.StatusOK {
		w.t.Fatalf("reservations: %d %v", status, body)
	}
	list, _ := body["reservations"].([]any)
	return len(list)
}

// payLocalFails: the local transaction fails before the charge.
func payLocalFails(w *world) {
	p := w.roomy(50_000)
	before := w.balance("alice")
	no := w.place("alice", p.SKU, 1)["orderNo"].(string)
	w.armFault(map[string]any{"point": "pay.local", "action": "fail", "count": 1})
	status, body := w.pay("alice", no)
	if status != http.StatusServiceUnavailable || errCode(body) != "FAULT_INJECTED" {
		w.t.Fatalf("pay: %d %v, want 503 FAULT_INJECTED", status, body)
	}
	w.settled(contracts.TopicOrderPaid, no)
	if _, c, r := w.halves(contracts.TopicOrderPaid, no); c != 0 || r != 1 {
		w.t.Errorf("halves committed %d rolled back %d, want 0 and 1", c, r)
	}
	if st, _ := w.charge(no); st != "" || w.balance("alice") != before {
		w.t.Errorf("charge %q, balance %d (before %d): want nothing charged", st, w.balance("alice"), before)
	}
	if got := w.getOrder("alice", no)["status"]; got != "PENDING_PAYMENT" {
		w.t.Errorf("status %v, want PENDING_PAYMENT", got)
	}
	if n := len(w.published(contracts.TopicOrderPaid, no)); n != 0 {
		w.t.Errorf("%d ORDER_PAID events, want none", n)
	}
	// The fault fired once: paying again works.
	if status, body := w.pay("alice", no); status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("pay after the fault: %d %v", status, body)
	}
	w.settled(contracts.TopicOrderPaid, no)
}

// alwaysRollback: the payment committed and its END_TRANSACTION was lost.
// Correct: the check-back finds the logged commit and publishes ORDER_PAID.
// always-rollback: the paid order's ORDER_PAID is rolled back for good.
func alwaysRollback(w *world) {
	p := w.roomy(50_000)
	for _, strategy := range []string{"", "always-rollback"} {
		w.clearFaults()
		w.armFault(dropEndTransaction)
		if strategy != "" {
			w.armFault(naiveCheck(strategy))
		}
		no := w.place("alice", p.SKU, 1)["orderNo"].(string)
		if status, body := w.pay("alice", no); status != http.StatusOK || body["outcome"] != "PAID" {
			w.t.Fatalf("%q: pay: %d %v", strategy, status, body)
		}
		w.settled(contracts.TopicOrderPaid, no)
		st, _ := w.charge(no)
		status := w.getOrder("alice", no)["status"]
		_, c, r := w.halves(contracts.TopicOrderPaid, no)
		events := len(w.published(contracts.TopicOrderPaid, no))
		if st != "SUCCEEDED" || status != "PAID" {
			w.t.Errorf("%q: charge %q, order %v; want SUCCEEDED and PAID", strategy, st, status)
		}
		want := map[string][3]int{"": {1, 0, 1}, "always-rollback": {0, 1, 0}}[strategy]
		if got := [3]int{c, r, events}; got != want {
			w.t.Errorf("%q: halves committed/rolled back and ORDER_PAID events %v, want %v", strategy, got, want)
		}
	}
	w.clearFaults()
}

// alwaysCommit: a declined payment whose rollback was lost. Correct: no
// charge, no logged commit: rolled back. always-commit: ORDER_PAID is
// published for an order nobody paid.
func alwaysCommit(w *world) {
	balance := w.balance("carol")
	var p product // in stock and dearer than carol's balance
	for _, q := range w.products() {
		if q.Available >= 2 && q.PriceCents > balance && (p.SKU == "" || q.PriceCents < p.PriceCents) {
			p = q
		}
	}
	if p.SKU == "" {
		w.t.Fatalf("no product in stock dearer than carol's %d cents; the seed makes her poor", balance)
	}
	for _, strategy := range []string{"", "always-commit"} {
		w.clearFaults()
		w.armFault(dropEndTransaction)
		if strategy != "" {
			w.armFault(naiveCheck(strategy))
		}
		no := w.place("carol", p.SKU, 1)["orderNo"].(string)
		if status, body := w.pay("carol", no); status != http.StatusPaymentRequired || errCode(body) != "INSUFFICIENT_FUNDS" {
			w.t.Fatalf("%q: pay: %d %v", strategy, status, body)
		}
		w.settled(contracts.TopicOrderPaid, no)
		st, _ := w.charge(no)
		status := w.getOrder("carol", no)["status"]
		_, c, r := w.halves(contracts.TopicOrderPaid, no)
		events := len(w.published(contracts.TopicOrderPaid, no))
		if st != "" || status != "PENDING_PAYMENT" {
			w.t.Errorf("%q: charge %q, order %v; want none and PENDING_PAYMENT", strategy, st, status)
		}
		want := map[string][3]int{"": {0, 1, 0}, "always-commit": {1, 0, 1}}[strategy]
		if got := [3]int{c, r, events}; got != want {
			w.t.Errorf("%q: halves committed/rolled back and ORDER_PAID events %v, want %v", strategy, got, want)
		}
		// Cancelled now, so its timeout changes no later scenario's stock.
		if status, body := w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/cancel", "carol", nil); status != http.StatusOK {
			w.t.Errorf("%q: cancel: %d %v", strategy, status, body)
		}
	}
	w.clearFaults()
}

// orderRowOnly: the charge succeeded and its answer was lost. Correct: the
// check-back finds the charge, pays the order and publishes ORDER_PAID.
// order-row-only: the order row says PENDING_PAYMENT, so it rolls back and
// the buyer's money stays taken for an unpaid order.
func orderRowOnly(w *world) {
	p := w.roomy(50_000)
	for _, strategy := range []string{"", "order-row-only"} {
		w.clearFaults()
		if strategy != "" {
			w.armFault(naiveCheck(strategy))
		}
		no := w.place("alice", p.SKU, 1)["orderNo"].(string)
		w.proxy.set(chargeMode{failAfter: true})
		if status, body := w.pay("alice", no); status != http.StatusAccepted || body["outcome"] != "PENDING" {
			w.t.Fatalf("%q: pay: %d %v", strategy, status, body)
		}
		w.proxy.set(chargeMode{})
		if strategy == "" {
			w.eventually(20*time.Second, "the check-back to pay the order", func() bool {
				return w.getOrder("alice", no)["status"] == "PAID"
			})
		}
		w.settled(contracts.TopicOrderPaid, no)
		st, _ := w.charge(no)
		status := w.getOrder("alice", no)["status"]
		_, c, r := w.halves(contracts.TopicOrderPaid, no)
		events := len(w.published(contracts.TopicOrderPaid, no))
		wantStatus := map[string]string{"": "PAID", "order-row-only": "PENDING_PAYMENT"}[strategy]
		if st != "SUCCEEDED" || status != wantStatus {
			w.t.Errorf("%q: charge %q, order %v; want SUCCEEDED and %s", strategy, st, status, wantStatus)
		}
		want := map[string][3]int{"": {1, 0, 1}, "order-row-only": {0, 1, 0}}[strategy]
		if got := [3]int{c, r, events}; got != want {
			w.t.Errorf("%q: halves committed/rolled back and ORDER_PAID events %v, want %v", strategy, got, want)
		}
	}
	w.clearFaults()
}
