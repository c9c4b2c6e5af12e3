package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/program/programtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// run prices the cart through INVENTORY_URL (a fake inventory here), takes
// a paid order's lines out of the cart on ORDER_PAID, and serves the cart's
// document (programtest and platform's tests cover what every service's run
// does).
func TestRun(t *testing.T) {
	inv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		p := `{"sku":"RM-TEE","name":"T-shirt","description":"","priceCents":2999,"imageUrl":"","available":5}`
		if r.URL.Path == "/api/v1/products" {
			p = `{"products":[` + p + `]}`
		}
		io.WriteString(w, p)
	}))
	t.Cleanup(inv.Close)
	s := programtest.Start(t, dbtest.SQLiteDSN(t), loadConfig, run, map[string]string{"INVENTORY_URL": inv.URL})
	total := func(status int, body string) int64 {
		var got struct{ TotalCents int64 }
		if err := json.Unmarshal([]byte(body), &got); status != http.StatusOK || err != nil {
			t.Errorf("cart: %d %s", status, body)
		}
		return got.TotalCents
	}

	if got := total(s.Do(t, http.MethodPost, "/api/v1/cart/items", `{"sku":"RM-TEE","quantity":2}`, "X-User-ID", "alice")); got != 5998 {
		t.Errorf("add: total %d, want 5998", got)
	}
	// The ORDER_PAID consumer runs: one of the two shirts was bought.
	s.Broker.Send(t, contracts.TopicOrderPaid, "RM-RUN-1", []byte(`{"eventId":"ev-run-1","orderNo":"RM-RUN-1","userId":"alice",`+
		`"lines":[{"sku":"RM-TEE","name":"T-shirt","quantity":1,"unitPriceCents":2999}],"totalCents":2999,`+
		`"address":{"name":"Alice","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"},"paidAt":"2030-01-01T12:00:00Z"}`))
	testkit.Eventually(t, programtest.Timeout, "the checkout of RM-RUN-1", func() bool {
		status, _ := s.Do(t, http.MethodGet, "/api/v1/admin/checkouts/RM-RUN-1", "", "X-Admin-Token", "rocketmart-admin")
		return status == http.StatusOK
	})
	if got := total(s.Do(t, http.MethodGet, "/api/v1/cart", "", "X-User-ID", "alice")); got != 2999 {
		t.Errorf("cart total after the paid order = %d, want 2999 (one shirt left)", got)
	}
	if _, doc := s.Do(t, http.MethodGet, "/swagger/doc.json", ""); !strings.Contains(doc, "RocketMart cart API") {
		t.Errorf("/swagger/doc.json does not hold the cart's document")
	}
}
