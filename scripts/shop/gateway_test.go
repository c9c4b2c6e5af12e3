package main_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

// shopper is a browser without a browser: it calls the gateway with a cookie
// jar, so the session cookie decides who it is.
type shopper struct {
	t    *testing.T
	base string
	http *http.Client
}

func newShopper(t *testing.T, shop *launcher.Shop) *shopper {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &shopper{t: t, base: shop.URL["web"], http: &http.Client{Jar: jar, Timeout: 90 * time.Second}}
}

// do sends a JSON request to the gateway and decodes a JSON answer into out
// (when not nil); headers come in name/value pairs. It returns the status
// and the raw body.
func (s *shopper) do(method, path string, in, out any, headers ...string) (int, string) {
	s.t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			s.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := s.http.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode, string(raw)
}

// must is do with an expected status.
func (s *shopper) must(want int, method, path string, in, out any, headers ...string) {
	s.t.Helper()
	if code, body := s.do(method, path, in, out, headers...); code != want {
		s.t.Fatalf("%s %s answered %d, want %d: %s", method, path, code, want, body)
	}
}

func (s *shopper) signIn(user string) {
	s.t.Helper()
	s.must(http.StatusOK, "POST", "/api/session", map[string]string{"userId": user}, nil)
}

// progress is the part of the gateway's order progress document the tests read.
type progress struct {
	Order struct {
		OrderNo    string `json:"orderNo"`
		Status     string `json:"status"`
		TotalCents int64  `json:"totalCents"`
	} `json:"order"`
	Payment struct {
		State string `json:"state"`
	} `json:"payment"`
	Effects struct {
		StockSold   effect `json:"stockSold"`
		Shipment    effect `json:"shipment"`
		Points      effect `json:"points"`
		CartCleaned effect `json:"cartCleaned"`
	} `json:"effects"`
	Complete bool `json:"complete"`
}

type effect struct {
	State   string `json:"state"`
	Points  int64  `json:"points"`
	Removed []line `json:"removed"`
}

// A checkout driven over HTTP through the gateway of the real stack: sign in,
// fill the cart, place the order from it, pay, and watch the progress document
// until all four downstream effects are there. Then a second user tries every
// way of acting as the first one, and the audit passes.
func TestGatewayCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop; skipped with -short")
	}
	shop, _ := startShop(t, "sqlite", "ORDER_PAYMENT_TIMEOUT", "5m") // no race with the deadline
	alice := newShopper(t, shop)

	var users struct{ Users []struct{ ID string } }
	alice.must(http.StatusOK, "GET", "/api/users", nil, &users)
	if len(users.Users) != 3 {
		t.Fatalf("demo users = %+v, want alice, bob and carol", users.Users)
	}
	// Nothing but the catalogue without a session.
	if code, body := alice.do("GET", "/api/cart/cart", nil, nil); code != http.StatusUnauthorized || !strings.Contains(body, "SIGN_IN_REQUIRED") {
		t.Fatalf("cart without a session answered %d %s, want 401 SIGN_IN_REQUIRED", code, body)
	}
	alice.must(http.StatusOK, "GET", "/api/inventory/products", nil, nil)

	alice.signIn("alice")
	for i, l := range []line{{"RM-MUG-STONE", 2}, {"RM-NOTEBOOK-A5", 1}} {
		alice.must(http.StatusOK, "POST", "/api/cart/cart/items", l, nil, "Idempotency-Key", "gw-add-"+l.SKU)
		var cart struct{ ItemCount int }
		alice.must(http.StatusOK, "GET", "/api/cart/cart", nil, &cart)
		if want := []int{2, 3}[i]; cart.ItemCount != want {
			t.Fatalf("cart holds %d items after adding %v, want %d", cart.ItemCount, l, want)
		}
	}

	var placed struct {
		OrderNo    string
		Status     string
		TotalCents int64
	}
	alice.must(http.StatusCreated, "POST", "/api/order/orders", map[string]any{"address": address}, &placed,
		"Idempotency-Key", "gw-checkout-1")
	if placed.Status != "PENDING_PAYMENT" || placed.TotalCents != 2*1499+1299 {
		t.Fatalf("placed %+v, want PENDING_PAYMENT for 2 mugs and a notebook (4297 cents)", placed)
	}
	var again struct{ OrderNo string }
	alice.must(http.StatusOK, "POST", "/api/order/orders", map[string]any{"address": address}, &again,
		"Idempotency-Key", "gw-checkout-1")
	if again.OrderNo != placed.OrderNo {
		t.Fatalf("the same Idempotency-Key (replayed: 200) placed a second order %s (first %s)", again.OrderNo, placed.OrderNo)
	}

	// Bob, signed in, forges alice's user id in every header the services
	// trust: the gateway replaces it with his own, so alice's order is not
	// found, cannot be paid or cancelled, and his order list is empty.
	bob := newShopper(t, shop)
	bob.signIn("bob")
	forged := []string{"X-User-ID", "alice", "X-Admin-Token", shop.AdminToken}
	order := "/api/order/orders/" + placed.OrderNo
	for _, call := range []struct{ method, path string }{
		{"GET", order}, {"POST", order + "/pay"}, {"POST", order + "/cancel"}, {"GET", "/api/progress/" + placed.OrderNo},
	} {
		if code, body := bob.do(call.method, call.path, nil, nil, forged...); code != http.StatusNotFound {
			t.Errorf("bob forging X-User-ID: alice: %s %s answered %d %s, want 404", call.method, call.path, code, body)
		}
	}
	var bobs struct{ Orders []struct{ OrderNo string } }
	bob.must(http.StatusOK, "GET", "/api/order/orders", nil, &bobs, forged...)
	if len(bobs.Orders) != 0 {
		t.Errorf("bob forging X-User-ID: alice sees orders %+v", bobs.Orders)
	}
	// Admin endpoints never leave the gateway, whatever token comes along.
	if code, _ := bob.do("GET", "/api/order/admin/orders", nil, nil, forged...); code != http.StatusNotFound {
		t.Errorf("admin path through the gateway answered %d, want 404", code)
	}
	// A write from another origin is refused before any service sees it.
	if code, _ := alice.do("POST", order+"/pay", nil, nil, "Origin", "http://evil.example"); code != http.StatusForbidden {
		t.Errorf("cross-origin pay answered %d, want 403", code)
	}
	var still progress
	alice.must(http.StatusOK, "GET", "/api/progress/"+placed.OrderNo, nil, &still)
	if still.Order.Status != "PENDING_PAYMENT" {
		t.Fatalf("after bob's attempts alice's order is %s, want PENDING_PAYMENT", still.Order.Status)
	}

	var paid struct {
		Outcome string
		Order   struct{ Status string }
	}
	alice.must(http.StatusOK, "POST", order+"/pay", nil, &paid)
	if paid.Outcome != "PAID" || paid.Order.Status != "PAID" {
		t.Fatalf("pay answered %+v, want PAID", paid)
	}

	// The effects arrive asynchronously, each from its own consumer group.
	var p progress
	deadline := time.Now().Add(30 * time.Second)
	for {
		alice.must(http.StatusOK, "GET", "/api/progress/"+placed.OrderNo, nil, &p)
		if p.Complete {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("progress never complete: %+v", p)
		}
		time.Sleep(100 * time.Millisecond) // polling interval
	}
	e := p.Effects
	for name, got := range map[string]string{"stockSold": e.StockSold.State, "shipment": e.Shipment.State, "points": e.Points.State, "cartCleaned": e.CartCleaned.State} {
		if got != "done" {
			t.Errorf("effect %s is %q, want done", name, got)
		}
	}
	if e.Points.Points != placed.TotalCents/100 {
		t.Errorf("points credited %d, want %d", e.Points.Points, placed.TotalCents/100)
	}
	if removed := sumQuantities(e.CartCleaned.Removed); removed != 3 {
		t.Errorf("cart gave up %d items (%+v), want 3", removed, e.CartCleaned.Removed)
	}
	var cart struct{ ItemCount int }
	alice.must(http.StatusOK, "GET", "/api/cart/cart", nil, &cart)
	if cart.ItemCount != 0 {
		t.Errorf("cart holds %d items after the purchase, want 0", cart.ItemCount)
	}
	var wallet struct {
		Charges []struct {
			OrderNo     string
			AmountCents int64
			Status      string
		}
	}
	alice.must(http.StatusOK, "GET", "/api/payment/wallet", nil, &wallet)
	if len(wallet.Charges) != 1 || wallet.Charges[0].OrderNo != placed.OrderNo || wallet.Charges[0].AmountCents != placed.TotalCents {
		t.Errorf("alice's charges = %+v, want one of %d for %s", wallet.Charges, placed.TotalCents, placed.OrderNo)
	}

	// The consistency page's endpoint runs the real audit.
	var report struct {
		Passed, Quiescent bool
		Invariants        []struct {
			ID      int
			Passed  bool
			Checked int
		}
	}
	alice.must(http.StatusOK, "GET", "/api/audit", nil, &report)
	if !report.Passed || !report.Quiescent || len(report.Invariants) != 10 {
		t.Fatalf("audit through the gateway: %+v", report)
	}
	if report.Invariants[0].Checked < 1 || report.Invariants[1].Checked < 1 {
		t.Errorf("audit checked no paid order: %+v", report.Invariants)
	}
}

func sumQuantities(lines []line) int {
	n := 0
	for _, l := range lines {
		n += l.Quantity
	}
	return n
}
