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

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	got := loadConfig(env(nil))
	want := config{
		Addr:         ":8086",
		DB:           "sqlite:data/cart.db",
		InventoryURL: "http://127.0.0.1:8083",
		NameServer:   "127.0.0.1:9876",
		MaxReconsume: "16",
		AdminToken:   "rocketmart-admin",
		LogLevel:     "info",
	}
	if got != want {
		t.Errorf("loadConfig() = %+v, want %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestLoadConfigOverrides(t *testing.T) {
	got := loadConfig(env(map[string]string{
		"CART_ADDR":           "127.0.0.1:9000",
		"CART_DB":             "mysql://cart:secret@tcp(db:3306)/cart",
		"INVENTORY_URL":       "http://inventory:8083/",
		"ROCKETMQ_NAMESERVER": "ns-0:9876;ns-1:9876",
		"CART_MAX_RECONSUME":  "3",
		"ADMIN_TOKEN":         "t0ken",
		"LOG_LEVEL":           "debug",
	}))
	want := config{Addr: "127.0.0.1:9000", DB: "mysql://cart:secret@tcp(db:3306)/cart",
		InventoryURL: "http://inventory:8083/", NameServer: "ns-0:9876;ns-1:9876", MaxReconsume: "3",
		AdminToken: "t0ken", LogLevel: "debug"}
	if got != want {
		t.Errorf("loadConfig() = %+v, want %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestValidateNamesTheVariable(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // in the error
	}{
		{"addr without port", map[string]string{"CART_ADDR": "8086"}, "CART_ADDR"},
		{"addr port too big", map[string]string{"CART_ADDR": ":99999"}, "CART_ADDR"},
		{"addr port not a number", map[string]string{"CART_ADDR": ":http"}, "CART_ADDR"},
		{"db unknown scheme", map[string]string{"CART_DB": "postgres://x@db/cart"}, "CART_DB"},
		{"db sqlite without path", map[string]string{"CART_DB": "sqlite:"}, "CART_DB"},
		{"db sqlite with params", map[string]string{"CART_DB": "sqlite:x.db?mode=ro"}, "CART_DB"},
		{"db mysql malformed", map[string]string{"CART_DB": "mysql://root@127.0.0.1/cart"}, "CART_DB"},
		{"db mysql without database", map[string]string{"CART_DB": "mysql://root@tcp(127.0.0.1:3306)/"}, "CART_DB"},
		{"inventory without scheme", map[string]string{"INVENTORY_URL": "127.0.0.1:8083"}, "INVENTORY_URL"},
		{"inventory ftp", map[string]string{"INVENTORY_URL": "ftp://inventory"}, "INVENTORY_URL"},
		{"inventory without host", map[string]string{"INVENTORY_URL": "http://"}, "INVENTORY_URL"},
		{"inventory with query", map[string]string{"INVENTORY_URL": "http://inventory?x=1"}, "INVENTORY_URL"},
		{"admin token with space", map[string]string{"ADMIN_TOKEN": "a b"}, "ADMIN_TOKEN"},
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"name server without port", map[string]string{"ROCKETMQ_NAMESERVER": "ns-0"}, "ROCKETMQ_NAMESERVER"},
		{"max reconsume not a number", map[string]string{"CART_MAX_RECONSUME": "many"}, "CART_MAX_RECONSUME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := loadConfig(env(tt.env)).Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

func TestValidateReportsEveryProblemAndNoPassword(t *testing.T) {
	err := loadConfig(env(map[string]string{"CART_ADDR": "x", "LOG_LEVEL": "loud", "CART_DB": "mysql://root:hunter2@127.0.0.1/x"})).Validate()
	for _, want := range []string{"CART_ADDR", "LOG_LEVEL", "CART_DB"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to name %s", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Validate() = %v leaks the password", err)
	}
}

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
	ln.Close()
	t.Setenv("CART_ADDR", addr)
	t.Setenv("CART_DB", "sqlite:"+filepath.Join(t.TempDir(), "nested", "cart.db"))
	t.Setenv("INVENTORY_URL", inv.URL)
	t.Setenv("LOG_LEVEL", "error")
	broker := mqtest.Start(t)
	t.Setenv("ROCKETMQ_NAMESERVER", broker.Config.NameServer)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()

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

func TestRunRejectsBadConfig(t *testing.T) {
	t.Setenv("CART_ADDR", "nonsense")
	err := run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "CART_ADDR") {
		t.Errorf("run() = %v, want a configuration error naming CART_ADDR", err)
	}
}
