package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

var keySeq atomic.Int64

func newKey() string { return fmt.Sprintf("key-%d-%d", time.Now().UnixNano(), keySeq.Add(1)) }

var shipTo = map[string]any{"name": "Alice Rich", "line1": "1 Market Street", "city": "Springfield", "postalCode": "12345", "country": "US"}

type product struct {
	SKU        string `json:"sku"`
	PriceCents int64  `json:"priceCents"`
	Available  int    `json:"available"`
}

func (w *world) products() []product {
	w.t.Helper()
	resp, err := http.Get(w.inventory + "/api/v1/products")
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Products []product `json:"products"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Products) < 12 {
		w.t.Fatalf("products: %v (%d)", err, len(out.Products))
	}
	return out.Products
}

func (w *world) product(sku string) product {
	w.t.Helper()
	for _, p := range w.products() {
		if p.SKU == sku {
			return p
		}
	}
	w.t.Fatalf("no product %s", sku)
	return product{}
}

// roomy returns a product with plenty of stock, cheaper than maxCents.
func (w *world) roomy(maxCents int64) product {
	w.t.Helper()
	for _, p := range w.products() {
		if p.Available >= 20 && p.PriceCents <= maxCents {
			return p
		}
	}
	w.t.Fatal("no product with stock")
	return product{}
}

// place checks out qty of sku for user and returns the order.
func (w *world) place(user, sku string, qty int) map[string]any {
	w.t.Helper()
	body := map[string]any{"lines": []map[string]any{{"sku": sku, "quantity": qty}}, "address": shipTo}
	status, o := w.call(http.MethodPost, w.order+"/api/v1/orders", user, body, "Idempotency-Key", newKey())
	if status != http.StatusCreated {
		w.t.Fatalf("place: %d %v", status, o)
	}
	return o
}

func (w *world) getOrder(user, no string) map[string]any {
	w.t.Helper()
	status, o := w.call(http.MethodGet, w.order+"/api/v1/orders/"+no, user, nil)
	if status != http.StatusOK {
		w.t.Fatalf("get order: %d %v", status, o)
	}
	return o
}

func (w *world) pay(user, no string) (int, map[string]any) {
	w.t.Helper()
	return w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/pay", user, nil)
}

func (w *world) balance(user string) int64 {
	w.t.Helper()
	status, body := w.call(http.MethodGet, w.payment+"/api/v1/wallet", user, nil)
	if status != http.StatusOK {
		w.t.Fatalf("wallet: %d %v", status, body)
	}
	return int64(body["balanceCents"].(float64))
}

// charge returns the payment service's charge of an order ("" if none).
func (w *world) charge(no string) (status string, amount int64) {
	w.t.Helper()
	code, body := w.admin(http.MethodGet, w.payment+"/api/v1/charges/"+no, nil)
	if code == http.StatusNotFound {
		return "", 0
	}
	if code != http.StatusOK {
		w.t.Fatalf("charge: %d %v", code, body)
	}
	return body["status"].(string), int64(body["amountCents"].(float64))
}

func (w *world) available(sku string) int { return w.product(sku).Available }

// halves returns the states of the ORDER_PAID half messages keyed by no.
func (w *world) halves(topic, no string) (pending, committed, rolledBack int) {
	w.t.Helper()
	_, body := w.call(http.MethodGet, w.brokerAdmin+"/api/v1/transactions", "", nil)
	list, _ := body["transactions"].([]any)
	for _, x := range list {
		h := x.(map[string]any)
		if h["topic"] != topic || h["keys"] != no {
			continue
		}
		switch h["state"] {
		case "pending":
			pending++
		case "committed":
			committed++
		case "rolled_back":
			rolledBack++
		}
	}
	return
}

// settled waits until no half message of topic for no is pending.
func (w *world) settled(topic, no string) {
	w.t.Helper()
	w.eventually(20*time.Second, "half messages of "+no+" decided", func() bool {
		p, c, r := w.halves(topic, no)
		return p == 0 && c+r > 0
	})
}

// published returns the ORDER_PAID events the broker delivers for no.
func (w *world) published(topic, no string) []contracts.OrderPaid {
	w.t.Helper()
	_, body := w.call(http.MethodGet, w.brokerAdmin+"/api/v1/topics/"+topic+"/messages?key="+no, "", nil)
	var out []contracts.OrderPaid
	list, _ := body["messages"].([]any)
	for _, x := range list {
		m := x.(map[string]any)
		raw := []byte(m["body"].(string))
		if m["bodyEncoding"] == "base64" {
			raw, _ = base64.StdEncoding.DecodeString(m["body"].(string))
		}
		var ev contracts.OrderPaid
		if err := json.Unmarshal(raw, &ev); err != nil {
			w.t.Fatalf("event body: %v", err)
		}
		out = append(out, ev)
	}
	return out
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// timeoutHandled reports whether every ORDER_TIMEOUT message for no has
// reached its topic (its delay is over) and been acknowledged by the order
// service's consumer group.
func (w *world) timeoutHandled(no string) bool {
	w.t.Helper()
	_, body := w.call(http.MethodGet, w.brokerAdmin+"/api/v1/topics/"+contracts.TopicOrderTimeout+"/messages?key="+no, "", nil)
	msgs, _ := body["messages"].([]any)
	if len(msgs) == 0 {
		return false
	}
	_, group := w.call(http.MethodGet, w.brokerAdmin+"/api/v1/consumer-groups/"+contracts.ConsumerOrderOrderTimeout, "", nil)
	committed := map[int64]int64{} // queue id → committed offset
	queues, _ := group["queues"].([]any)
	for _, x := range queues {
		q := x.(map[string]any)
		if q["topic"] == contracts.TopicOrderTimeout {
			committed[num(q["queueId"])] = num(q["committedOffset"])
		}
	}
	for _, x := range msgs {
		m := x.(map[string]any)
		if committed[num(m["queueId"])] <= num(m["queueOffset"]) {
			return false
		}
	}
	return true
}
