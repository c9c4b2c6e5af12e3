package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
)

// TestRun starts the whole service on a temporary SQLite file and a fake
// inventory, checks that it serves, and stops it by cancelling ctx.
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	broker := mqtest.Start(t)
	cfg, err := loadConfig(env(map[string]string{"CART_DB": "sqlite:" + filepath.Join(t.TempDir(), "nested", "cart.db"),
		"INVENTORY_URL": inv.URL, "LOG_LEVEL": "error", "ROCKETMQ_NAMESERVER": broker.Config.NameServer, "ROCKETMQ_CLIENT_LOG_LEVEL": "fatal"}))
	if err != nil {
		t.Fatal(err)
	}
	cfg.listener, cfg.logOut = ln, io.Discard

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg) }()

	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("service not ready after 10 s: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}

	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/cart/items", strings.NewReader(`{"sku":"RM-TEE","quantity":2}`))
	req.Header.Set("X-User-ID", "alice")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ TotalCents int64 }
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || got.TotalCents != 5998 {
		t.Errorf("add = %d, total %d; want 200, 5998", resp.StatusCode, got.TotalCents)
	}

	// The ORDER_PAID consumer runs: one of the two shirts was bought.
	broker.Send(t, contracts.TopicOrderPaid, "RM-RUN-1", []byte(`{"eventId":"ev-run-1","orderNo":"RM-RUN-1","userId":"alice",`+
		`"lines":[{"sku":"RM-TEE","name":"T-shirt","quantity":1,"unitPriceCents":2999}],"totalCents":2999,`+
		`"address":{"name":"Alice","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"},"paidAt":"2030-01-01T12:00:00Z"}`))
	mqtest.Eventually(t, 20*time.Second, "the checkout of RM-RUN-1", func() bool {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/admin/checkouts/RM-RUN-1", nil)
		req.Header.Set("X-Admin-Token", "rocketmart-admin")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	req, _ = http.NewRequest(http.MethodGet, base+"/api/v1/cart", nil)
	req.Header.Set("X-User-ID", "alice")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if got.TotalCents != 2999 {
		t.Errorf("cart total after the paid order = %d, want 2999 (one shirt left)", got.TotalCents)
	}

	resp, err = http.Get(base + "/swagger/doc.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(doc), "RocketMart cart API") {
		t.Errorf("/swagger/doc.json does not hold the cart's document")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run() = %v, want nil after cancel", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}
