package main

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// TestFlows runs every order flow of SPEC §2.2–§2.5 end to end, on SQLite
// and (with TEST_MYSQL_DSN) on MariaDB/MySQL.
func TestFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole shop; run without -short")
	}
	for _, flavour := range []string{"sqlite", "mysql"} {
		t.Run(flavour, func(t *testing.T) {
			w := startWorld(t, flavour)
			for _, tc := range []struct {
				name string
				fn   func(w *world)
			}{
				{"happy pay publishes ORDER_PAID once", happyPay},
				{"declined then top-up", declinedThenTopUp},
				{"charge answer lost: check-back pays", chargeAnswerLost},
				{"charge never arrived: check-back rolls back", chargeNeverArrived},
				{"check-back during the local transaction", checkDuringLocalTx},
				{"50 concurrent pays", concurrentPays},
				{"timeout cancels and releases stock", timeoutCancels},
				{"pay racing the timeout", payRacingTimeout},
				{"user cancel", userCancel},
				{"order from the cart", orderFromCart},
				{"hostile input changes nothing", hostileInput},
				{"oversell race", oversell},
				// Paying with points (points_flow_test.go).
				{"points pay part, money the rest", pointsPayPart},
				{"points pay everything: no charge", pointsPayAll},
				{"more points than the balance: 409, nothing changes", pointsMoreThanBalance},
				{"hostile points input changes nothing", pointsHostileInput},
				{"concurrent pays and redemptions: one deduction", pointsConcurrent},
				{"redemption answer lost: check-back pays", pointsAnswerLost},
				{"declined with points: returned once at the timeout", pointsDeclinedThenTimeout},
				{"declined without points: pay again with points", pointsAfterPlainDecline},
				{"points-paid order racing its timeout", pointsRacingTimeout},
				// Training faults last: the orders they leave pending or
				// half-delivered then change no other scenario.
				{"fault points listed", faultPointsListed},
				{"fault pay.local: 503, nothing charged, rolled back", payLocalFails},
				{"fault place.after-reserve: the retry reuses the reservation", placeAfterReserveRetried},
				{"fault end-transaction dropped: always-rollback loses a paid order's event", alwaysRollback},
				{"fault end-transaction dropped: always-commit publishes a declined order", alwaysCommit},
				{"fault charge answer lost: order-row-only keeps the money on an unpaid order", orderRowOnly},
			} {
				t.Run(tc.name, func(t *testing.T) {
					w.t = t
					w.proxy.set(chargeMode{})
					w.pointsProxy.set(chargeMode{})
					w.clearFaults()
					tc.fn(w)
					w.pointsConserved()
				})
			}
		})
	}
}

func happyPay(w *world) {
	p := w.roomy(50_000)
	before := w.balance("alice")
	o := w.place("alice", p.SKU, 2)
	no := o["orderNo"].(string)
	if o["status"] != "PENDING_PAYMENT" || num(o["totalCents"]) != 2*p.PriceCents {
		w.t.Fatalf("placed: %v", o)
	}
	status, body := w.pay("alice", no)
	if status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	w.settled(contracts.TopicOrderPaid, no)
	evs := w.published(contracts.TopicOrderPaid, no)
	if len(evs) != 1 {
		w.t.Fatalf("%d ORDER_PAID events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.EventID == "" || ev.UserID != "alice" || ev.TotalCents != 2*p.PriceCents || len(ev.Lines) != 1 ||
		ev.Lines[0].SKU != p.SKU || ev.Lines[0].Quantity != 2 || ev.Address.City != "Springfield" {
		w.t.Errorf("event: %+v", ev)
	}
	if got := w.balance("alice"); got != before-2*p.PriceCents {
		w.t.Errorf("balance %d, want %d", got, before-2*p.PriceCents)
	}
	// Paying again is safe: no second charge, no second event.
	status, body = w.pay("alice", no)
	if status != http.StatusOK || body["outcome"] != "ALREADY_PAID" {
		w.t.Errorf("second pay: %d %v", status, body)
	}
	if n := len(w.published(contracts.TopicOrderPaid, no)); n != 1 || w.balance("alice") != before-2*p.PriceCents {
		w.t.Errorf("after a second pay: %d events, balance %d", n, w.balance("alice"))
	}
	hist := w.getOrder("alice", no)["history"].([]any)
	if len(hist) != 2 || hist[1].(map[string]any)["to"] != "PAID" {
		w.t.Errorf("history: %v", hist)
	}
}

func declinedThenTopUp(w *world) {
	var p product // the dearest product in stock
	for _, q := range w.products() {
		if q.Available >= 20 && q.PriceCents > p.PriceCents {
			p = q
		}
	}
	qty := int(w.balance("carol")/p.PriceCents) + 1 // more than carol can afford
	if qty > 20 {
		w.t.Fatalf("carol can afford %d of the dearest product; the seed makes her poor", qty-1)
	}
	o := w.place("carol", p.SKU, qty)
	no := o["orderNo"].(string)
	status, body := w.pay("carol", no)
	if status != http.StatusPaymentRequired || errCode(body) != "INSUFFICIENT_FUNDS" {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	w.settled(contracts.TopicOrderPaid, no)
	if _, c, r := w.halves(contracts.TopicOrderPaid, no); c != 0 || r != 1 {
		w.t.Errorf("halves committed %d rolled back %d, want 0 and 1", c, r)
	}
	if n := len(w.published(contracts.TopicOrderPaid, no)); n != 0 {
		w.t.Errorf("%d events after a decline", n)
	}
	if got := w.getOrder("carol", no)["status"]; got != "PENDING_PAYMENT" {
		w.t.Errorf("status %v after a decline", got)
	}
	status, body = w.call(http.MethodPost, w.payment+"/api/v1/wallet/top-ups", "carol",
		map[string]any{"amountCents": num(o["totalCents"])}, "Idempotency-Key", newKey())
	if status != http.StatusCreated {
		w.t.Fatalf("top-up: %d %v", status, body)
	}
	if status, body = w.pay("carol", no); status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("pay after top-up: %d %v", status, body)
	}
	w.settled(contracts.TopicOrderPaid, no)
	if n := len(w.published(contracts.TopicOrderPaid, no)); n != 1 {
		w.t.Errorf("%d events, want 1", n)
	}
}

func chargeAnswerLost(w *world) {
	p := w.roomy(50_000)
	before := w.balance("alice")
	no := w.place("alice", p.SKU, 1)["orderNo"].(string)
	w.proxy.set(chargeMode{failAfter: true})
	status, body := w.pay("alice", no)
	if status != http.StatusAccepted || body["outcome"] != "PENDING" {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	w.eventually(20*time.Second, "the check-back to pay the order", func() bool {
		return w.getOrder("alice", no)["status"] == "PAID"
	})
	w.settled(contracts.TopicOrderPaid, no)
	if n := len(w.published(contracts.TopicOrderPaid, no)); n != 1 {
		w.t.Errorf("%d events, want 1", n)
	}
	if st, amt := w.charge(no); st != "SUCCEEDED" || amt != p.PriceCents || w.balance("alice") != before-p.PriceCents {
		w.t.Errorf("charge %s %d, balance %d (before %d)", st, amt, w.balance("alice"), before)
	}
}

func chargeNeverArrived(w *world) {
	p := w.roomy(50_000)
	no := w.place("alice", p.SKU, 1)["orderNo"].(string)
	w.proxy.set(chargeMode{failBefore: true})
	if status, body := w.pay("alice", no); status != http.StatusAccepted {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	w.settled(contracts.TopicOrderPaid, no)
	if _, c, r := w.halves(contracts.TopicOrderPaid, no); c != 0 || r != 1 {
		w.t.Errorf("halves committed %d rolled back %d, want 0 and 1", c, r)
	}
	if st, _ := w.charge(no); st != "" || w.getOrder("alice", no)["status"] != "PENDING_PAYMENT" {
		w.t.Errorf("charge %q, order %v", st, w.getOrder("alice", no)["status"])
	}
	w.proxy.set(chargeMode{})
	if status, body := w.pay("alice", no); status != http.StatusOK {
		w.t.Fatalf("second pay: %d %v", status, body)
	}
}

func checkDuringLocalTx(w *world) {
	p := w.roomy(50_000)
	// The check arrives (after 400 ms) while the charge is still on its way
	// (it takes 1 s): it finds no charge, but the charge's deadline has not
	// passed, so it answers "not known yet" instead of rolling back; the
	// charge lands, the local transaction commits, and so does the message.
	before := w.balance("alice")
	no := w.place("alice", p.SKU, 1)["orderNo"].(string)
	w.proxy.set(chargeMode{delayBefore: time.Second})
	if status, body := w.pay("alice", no); status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	w.settled(contracts.TopicOrderPaid, no)
	if n := len(w.published(contracts.TopicOrderPaid, no)); n != 1 || w.balance("alice") != before-p.PriceCents {
		w.t.Errorf("%d events, balance %d, want 1 and %d", n, w.balance("alice"), before-p.PriceCents)
	}

	// The check arrives after the charge, before its answer: the check pays
	// the order with this transaction, the local transaction agrees.
	no = w.place("alice", p.SKU, 1)["orderNo"].(string)
	w.proxy.set(chargeMode{delayAfter: time.Second}) // under the 2 s call timeout
	if status, body := w.pay("alice", no); status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("pay with a slow answer: %d %v", status, body)
	}
	w.settled(contracts.TopicOrderPaid, no)
	if n := len(w.published(contracts.TopicOrderPaid, no)); n != 1 {
		w.t.Errorf("%d events, want 1", n)
	}
}

func concurrentPays(w *world) {
	p := w.roomy(50_000)
	before := w.balance("bob")
	no := w.place("bob", p.SKU, 1)["orderNo"].(string)
	paid := statuses(50, func() int {
		status, _ := w.pay("bob", no)
		return status
	})
	if paid[http.StatusOK]+paid[http.StatusAccepted] != 50 {
		w.t.Errorf("statuses %v, want only 200 and 202", paid)
	}
	w.eventually(20*time.Second, "order paid", func() bool { return w.getOrder("bob", no)["status"] == "PAID" })
	w.settled(contracts.TopicOrderPaid, no)
	if n := len(w.published(contracts.TopicOrderPaid, no)); n != 1 {
		w.t.Errorf("%d events, want 1", n)
	}
	if got := w.balance("bob"); got != before-p.PriceCents {
		w.t.Errorf("balance %d, want one charge: %d", got, before-p.PriceCents)
	}
}

func timeoutCancels(w *world) {
	p := w.roomy(50_000)
	start := w.available(p.SKU)
	no := w.place("alice", p.SKU, 3)["orderNo"].(string)
	if got := w.available(p.SKU); got != start-3 {
		w.t.Fatalf("available %d after reserving 3 of %d", got, start)
	}
	w.eventually(paymentTimeout+15*time.Second, "timeout cancels the order", func() bool {
		return w.getOrder("alice", no)["status"] == "CANCELLED"
	})
	if o := w.getOrder("alice", no); o["cancelReason"] != "payment deadline passed" {
		w.t.Errorf("reason %v", o["cancelReason"])
	}
	w.eventually(15*time.Second, "stock released", func() bool { return w.available(p.SKU) == start })
	if status, body := w.pay("alice", no); status != http.StatusConflict || errCode(body) != "ORDER_NOT_PAYABLE" {
		w.t.Errorf("pay after timeout: %d %v", status, body)
	}
}

func payRacingTimeout(w *world) {
	p := w.roomy(50_000)
	before := w.balance("bob")
	// The charge is held until after the deadline: the timeout cancels the
	// order first, the charge (if it lands) must be refunded exactly once.
	no := w.place("bob", p.SKU, 1)["orderNo"].(string)
	w.proxy.set(chargeMode{delayBefore: paymentTimeout + 2*time.Second})
	// The charge call times out (2 s): the customer is told to wait; the
	// check-back answers "not known yet" until the charge's deadline, and
	// the charge, arriving after it, is refused.
	status, body := w.pay("bob", no)
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
	w.eventually(15*time.Second, "money back", func() bool { return w.balance("bob") == before })
	if st, _ := w.charge(no); st != "" && st != "REFUNDED" {
		w.t.Errorf("charge %s for a cancelled order", st)
	}

	// Pay first, then the timeout: the timeout leaves the paid order alone.
	w.proxy.set(chargeMode{})
	no = w.place("bob", p.SKU, 1)["orderNo"].(string)
	if status, body := w.pay("bob", no); status != http.StatusOK {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	w.eventually(paymentTimeout+20*time.Second, "the order's timeout message handled", func() bool { return w.timeoutHandled(no) })
	if got := w.getOrder("bob", no)["status"]; got != "PAID" {
		w.t.Errorf("paid order became %v", got)
	}
	if st, _ := w.charge(no); st != "SUCCEEDED" {
		w.t.Errorf("charge %s of a paid order", st)
	}
}

func userCancel(w *world) {
	p := w.roomy(50_000)
	start := w.available(p.SKU)
	no := w.place("alice", p.SKU, 2)["orderNo"].(string)
	for range 2 { // cancelling twice is fine
		status, body := w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/cancel", "alice", nil)
		if status != http.StatusOK || body["status"] != "CANCELLED" || body["cancelReason"] != "cancelled by the customer" {
			w.t.Fatalf("cancel: %d %v", status, body)
		}
	}
	w.eventually(15*time.Second, "stock released", func() bool { return w.available(p.SKU) == start })
	if status, _ := w.pay("alice", no); status != http.StatusConflict {
		w.t.Errorf("pay of a cancelled order: %d", status)
	}
	// A paid order cannot be cancelled.
	paid := w.place("alice", p.SKU, 1)["orderNo"].(string)
	w.pay("alice", paid)
	if status, body := w.call(http.MethodPost, w.order+"/api/v1/orders/"+paid+"/cancel", "alice", nil); status != http.StatusConflict || errCode(body) != "ORDER_ALREADY_PAID" {
		w.t.Errorf("cancel of a paid order: %d %v", status, body)
	}
}

func orderFromCart(w *world) {
	p := w.roomy(50_000)
	if status, body := w.call(http.MethodPut, w.cart+"/api/v1/cart/items/"+p.SKU, "bob", map[string]any{"quantity": 2}); status != http.StatusOK {
		w.t.Fatalf("cart: %d %v", status, body)
	}
	status, o := w.call(http.MethodPost, w.order+"/api/v1/orders", "bob", map[string]any{"address": shipTo}, "Idempotency-Key", newKey())
	if status != http.StatusCreated {
		w.t.Fatalf("place from cart: %d %v", status, o)
	}
	lines := o["lines"].([]any)
	if len(lines) != 1 || lines[0].(map[string]any)["sku"] != p.SKU || num(lines[0].(map[string]any)["quantity"]) != 2 {
		w.t.Errorf("lines %v", lines)
	}
	w.call(http.MethodDelete, w.cart+"/api/v1/cart", "bob", nil)
}

func hostileInput(w *world) {
	p := w.roomy(50_000)
	mine := w.place("alice", p.SKU, 1)["orderNo"].(string)
	_, list := w.call(http.MethodGet, w.order+"/api/v1/orders?limit=200", "alice", nil)
	ordersBefore := len(list["orders"].([]any))
	stockBefore := w.available(p.SKU)
	key := newKey()
	line := func(q any) string {
		return `{"lines":[{"sku":"` + p.SKU + `","quantity":` + toJSON(q) + `}],"address":` + toJSON(shipTo) + `}`
	}
	if status, _ := w.call(http.MethodPost, w.order+"/api/v1/orders", "alice", line(1), "Idempotency-Key", key); status != http.StatusCreated {
		w.t.Fatalf("setup order: %d", status)
	}
	ordersBefore++
	stockBefore--
	huge := `{"address":` + toJSON(shipTo) + `,"lines":[{"sku":"` + strings.Repeat("x", 2<<20) + `","quantity":1}]}`
	cases := []struct {
		name, method, path, user, body string
		header                         []string
		status                         int
		code                           string
	}{
		{"broken JSON", "POST", "/api/v1/orders", "alice", `{"lines":[`, []string{"Idempotency-Key", newKey()}, 400, "INVALID_JSON"},
		{"unknown field", "POST", "/api/v1/orders", "alice", `{"addres":{}}`, []string{"Idempotency-Key", newKey()}, 400, "INVALID_JSON"},
		{"zero quantity", "POST", "/api/v1/orders", "alice", line(0), []string{"Idempotency-Key", newKey()}, 400, "INVALID_QUANTITY"},
		{"negative quantity", "POST", "/api/v1/orders", "alice", line(-1), []string{"Idempotency-Key", newKey()}, 400, "INVALID_QUANTITY"},
		{"huge quantity", "POST", "/api/v1/orders", "alice", line(1_000_000_000), []string{"Idempotency-Key", newKey()}, 400, "INVALID_QUANTITY"},
		{"quantity overflow", "POST", "/api/v1/orders", "alice", line(1e30), []string{"Idempotency-Key", newKey()}, 400, "INVALID_JSON"},
		{"string quantity", "POST", "/api/v1/orders", "alice", line("3"), []string{"Idempotency-Key", newKey()}, 400, "INVALID_JSON"},
		{"unknown sku", "POST", "/api/v1/orders", "alice", `{"lines":[{"sku":"NOPE","quantity":1}],"address":` + toJSON(shipTo) + `}`, []string{"Idempotency-Key", newKey()}, 404, "UNKNOWN_SKU"},
		{"oversized body", "POST", "/api/v1/orders", "alice", huge, []string{"Idempotency-Key", newKey()}, 413, "BODY_TOO_LARGE"},
		{"no idempotency key", "POST", "/api/v1/orders", "alice", line(1), nil, 400, "IDEMPOTENCY_KEY_REQUIRED"},
		{"key replayed with another body", "POST", "/api/v1/orders", "alice", line(2), []string{"Idempotency-Key", key}, 422, "IDEMPOTENCY_KEY_REUSED"},
		{"no user", "POST", "/api/v1/orders", "", line(1), []string{"Idempotency-Key", newKey()}, 401, "USER_REQUIRED"},
		{"unknown user", "GET", "/api/v1/orders", "mallory", "", nil, 401, "UNKNOWN_USER"},
		{"foreign order", "GET", "/api/v1/orders/" + mine, "bob", "", nil, 404, "ORDER_NOT_FOUND"},
		{"pay foreign order", "POST", "/api/v1/orders/" + mine + "/pay", "bob", "", nil, 404, "ORDER_NOT_FOUND"},
		{"cancel foreign order", "POST", "/api/v1/orders/" + mine + "/cancel", "bob", "", nil, 404, "ORDER_NOT_FOUND"},
		{"admin without token", "GET", "/api/v1/admin/orders/" + mine, "", "", nil, 401, "ADMIN_TOKEN_REQUIRED"},
		{"bad limit", "GET", "/api/v1/orders?limit=0", "alice", "", nil, 400, "INVALID_LIMIT"},
	}
	for _, tc := range cases {
		var body any
		if tc.body != "" {
			body = tc.body
		}
		status, resp := w.call(tc.method, w.order+tc.path, tc.user, body, tc.header...)
		if status != tc.status || errCode(resp) != tc.code {
			w.t.Errorf("%s: %d %s, want %d %s (%v)", tc.name, status, errCode(resp), tc.status, tc.code, resp)
		}
	}
	_, list = w.call(http.MethodGet, w.order+"/api/v1/orders?limit=200", "alice", nil)
	if got := len(list["orders"].([]any)); got != ordersBefore || w.available(p.SKU) != stockBefore {
		w.t.Errorf("orders %d→%d, stock %d→%d: bad input changed state", ordersBefore, got, stockBefore, w.available(p.SKU))
	}
	if got := w.getOrder("alice", mine)["status"]; got != "PENDING_PAYMENT" {
		w.t.Errorf("foreign requests changed the order: %v", got)
	}
}

func oversell(w *world) {
	var p product
	for _, q := range w.products() {
		if q.Available > 0 && (p.SKU == "" || q.Available < p.Available) {
			p = q
		}
	}
	k := p.Available
	if k > 15 {
		w.t.Fatalf("smallest stock is %d; the seed should have a scarce product", k)
	}
	n := 3*k + 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range n {
		user := []string{"alice", "bob"}[i%2]
		wg.Go(func() {
			body := map[string]any{"lines": []map[string]any{{"sku": p.SKU, "quantity": 1}}, "address": shipTo}
			status, _ := w.call(http.MethodPost, w.order+"/api/v1/orders", user, body, "Idempotency-Key", newKey())
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[http.StatusCreated] != k || statuses[http.StatusConflict] != n-k {
		w.t.Errorf("statuses %v, want %d×201 and %d×409", statuses, k, n-k)
	}
	if got := w.available(p.SKU); got != 0 {
		w.t.Errorf("available %d, want 0", got)
	}
}
