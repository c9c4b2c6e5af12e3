package main

import (
	"net/http"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/minirmq"
)

// statuses runs call n times at once and counts the HTTP statuses.
func statuses(n int, call func() int) map[int]int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	out := map[int]int{}
	for range n {
		wg.Go(func() {
			status := call()
			mu.Lock()
			out[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// payWith pays an order with a JSON body (a map, or a raw string).
func (w *world) payWith(user, no string, body any) (int, map[string]any) {
	w.t.Helper()
	return w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/pay", user, body)
}

// pointsBalance is the user's points balance.
func (w *world) pointsBalance(user string) int64 {
	w.t.Helper()
	status, body := w.call(http.MethodGet, w.points+"/api/v1/points", user, nil)
	if status != http.StatusOK {
		w.t.Fatalf("points: %d %v", status, body)
	}
	return num(body["balance"])
}

// pointsEntries returns the order's ledger entries by reason: the sum of
// their points and how many there are.
func (w *world) pointsEntries(no string) (sum map[string]int64, n map[string]int) {
	w.t.Helper()
	status, body := w.admin(http.MethodGet, w.points+"/api/v1/admin/points/ledger?orderNo="+no, nil)
	if status != http.StatusOK {
		w.t.Fatalf("ledger: %d %v", status, body)
	}
	sum, n = map[string]int64{}, map[string]int{}
	entries, _ := body["entries"].([]any)
	for _, x := range entries {
		e := x.(map[string]any)
		r := e["reason"].(string)
		sum[r] += num(e["points"])
		n[r]++
	}
	return sum, n
}

// pointsConserved checks every account's balance against its ledger.
func (w *world) pointsConserved() {
	w.t.Helper()
	_, body := w.admin(http.MethodGet, w.points+"/api/v1/admin/points/accounts", nil)
	accounts, _ := body["accounts"].([]any)
	for _, x := range accounts {
		a := x.(map[string]any)
		if num(a["balance"]) != num(a["ledgerSum"]) {
			w.t.Errorf("points of %v: balance %d, ledger sums to %d", a["userId"], num(a["balance"]), num(a["ledgerSum"]))
		}
	}
}

// cheapest returns the cheapest product with plenty of stock.
func (w *world) cheapest() product {
	w.t.Helper()
	var p product
	for _, q := range w.products() {
		if q.Available >= 20 && (p.SKU == "" || q.PriceCents < p.PriceCents) {
			p = q
		}
	}
	return p
}

// earnPoints pays orders of a dear product until user has at least want
// points, and returns the balance.
func (w *world) earnPoints(user string, want int64) int64 {
	w.t.Helper()
	var p product
	for _, q := range w.products() {
		if q.Available >= 10 && q.PriceCents > p.PriceCents {
			p = q
		}
	}
	for have := w.pointsBalance(user); have < want; have = w.pointsBalance(user) {
		qty := min(int((want-have)*100/p.PriceCents)+1, 5)
		no := w.place(user, p.SKU, qty)["orderNo"].(string)
		if status, body := w.pay(user, no); status != http.StatusOK {
			w.t.Fatalf("earn points: pay %d %v", status, body)
		}
		w.eventually(20*time.Second, "points credited", func() bool {
			_, n := w.pointsEntries(no)
			return n["ORDER_PAID"] == 1
		})
	}
	return w.pointsBalance(user)
}

// armPayment arms a training fault of the payment service (disarmed when
// the test ends).
func (w *world) armPayment(spec map[string]any) {
	w.t.Helper()
	if status, body := w.admin(http.MethodPost, w.payment+"/api/v1/admin/faults", spec); status != http.StatusCreated {
		w.t.Fatalf("arm payment %v: %d %v", spec, status, body)
	}
	w.t.Cleanup(func() { w.admin(http.MethodDelete, w.payment+"/api/v1/admin/faults", nil) })
}

// redemptionReturned waits until the points service returned the order's
// redemption (consuming ORDER_CANCELLED).
func (w *world) redemptionReturned(no string) {
	w.t.Helper()
	w.eventually(20*time.Second, "the redemption of "+no+" returned", func() bool {
		_, n := w.pointsEntries(no)
		return n["REDEMPTION_RETURNED"] > 0
	})
}

// redeliverCancelled delivers the order's ORDER_CANCELLED to the points
// service's group once more (a duplicate delivery).
func (w *world) redeliverCancelled(no string) {
	w.t.Helper()
	_, body := w.call(http.MethodGet, w.brokerAdmin+"/api/v1/topics/"+contracts.TopicOrderCancelled+"/messages?key="+no, "", nil)
	msgs, _ := body["messages"].([]any)
	if len(msgs) != 1 {
		w.t.Fatalf("%d ORDER_CANCELLED messages for %s, want 1", len(msgs), no)
	}
	id := msgs[0].(map[string]any)["offsetMsgId"]
	status, resp := w.call(http.MethodPost, w.brokerAdmin+"/api/v1/consumer-groups/"+contracts.ConsumerPointsOrderCancelled+"/redeliver",
		"", map[string]any{"msgId": id}, "X-Admin-Token", minirmq.DefaultAdminToken)
	if status != http.StatusAccepted {
		w.t.Fatalf("redeliver: %d %v", status, resp)
	}
}

// consumedAll waits until a consumer group has no lag on topic.
func (w *world) consumedAll(group, topic string) {
	w.t.Helper()
	w.eventually(20*time.Second, group+" caught up on "+topic, func() bool {
		_, g := w.call(http.MethodGet, w.brokerAdmin+"/api/v1/consumer-groups/"+group, "", nil)
		queues, _ := g["queues"].([]any)
		seen := false
		for _, x := range queues {
			q := x.(map[string]any)
			if q["topic"] != topic && q["topic"] != "%RETRY%"+group {
				continue
			}
			seen = true
			if num(q["committedOffset"]) < num(q["maxOffset"]) {
				return false
			}
		}
		return seen
	})
}
