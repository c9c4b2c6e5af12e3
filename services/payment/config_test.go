package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq"
)

func TestLoadConfigDefaults(t *testing.T) {
	got := loadConfig(func(string) string { return "" })
	want := config{Addr: ":8082", DB: "sqlite:data/payment.db", NameServer: "127.0.0.1:9876", MaxReconsume: "16",
		AdminToken: "rocketmart-admin", LogLevel: "info"}
	if got != want {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
	env := map[string]string{"PAYMENT_ADDR": "127.0.0.1:9000", "PAYMENT_DB": "mysql://u:p@tcp(db:3306)/payment",
		"ROCKETMQ_NAMESERVER": "rocketmq:9876", "ADMIN_TOKEN": "s3cret", "LOG_LEVEL": "debug"}
	got = loadConfig(func(k string) string { return env[k] })
	if got.Addr != "127.0.0.1:9000" || got.DB != env["PAYMENT_DB"] || got.NameServer != "rocketmq:9876" || got.AdminToken != "s3cret" || got.LogLevel != "debug" {
		t.Errorf("from env: %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("valid env refused: %v", err)
	}
}

func TestValidateNamesTheVariable(t *testing.T) {
	ok := loadConfig(func(string) string { return "" })
	tests := []struct {
		name    string
		mutate  func(*config)
		varName string
	}{
		{"addr without port", func(c *config) { c.Addr = "localhost" }, "PAYMENT_ADDR"},
		{"addr bad port", func(c *config) { c.Addr = ":http" }, "PAYMENT_ADDR"},
		{"db scheme", func(c *config) { c.DB = "postgres://x" }, "PAYMENT_DB"},
		{"sqlite no path", func(c *config) { c.DB = "sqlite:" }, "PAYMENT_DB"},
		{"sqlite params", func(c *config) { c.DB = "sqlite:x.db?_pragma=foo" }, "PAYMENT_DB"},
		{"mysql no db", func(c *config) { c.DB = "mysql://u:p@tcp(h:3306)/" }, "PAYMENT_DB"},
		{"name server no host", func(c *config) { c.NameServer = ":9876" }, "ROCKETMQ_NAMESERVER"},
		{"name server port", func(c *config) { c.NameServer = "h:99999" }, "ROCKETMQ_NAMESERVER"},
		{"token with space", func(c *config) { c.AdminToken = "a b" }, "ADMIN_TOKEN"},
		{"log level", func(c *config) { c.LogLevel = "loud" }, "LOG_LEVEL"},
		{"max reconsume", func(c *config) { c.MaxReconsume = "99" }, "PAYMENT_MAX_RECONSUME"},
	}
	for _, tt := range tests {
		c := ok
		tt.mutate(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.varName) {
			t.Errorf("%s: %v, want an error naming %s", tt.name, err, tt.varName)
		}
	}
}

// run wires everything: it migrates and seeds a fresh database, serves the
// API, the Swagger document and /readyz, consumes from the broker, and
// stops cleanly when its context ends.
func TestRunServesUntilCancelled(t *testing.T) {
	mc := minirmq.DefaultConfig()
	mc.ListenAddr = "127.0.0.1:0"
	mc.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	broker, err := minirmq.Start(mc)
	if err != nil {
		t.Fatal(err)
	}
	defer broker.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("PAYMENT_ADDR", addr)
	t.Setenv("PAYMENT_DB", "sqlite:"+filepath.Join(t.TempDir(), "sub", "payment.db"))
	t.Setenv("ROCKETMQ_NAMESERVER", broker.Addr())
	t.Setenv("ADMIN_TOKEN", "run-test")
	t.Setenv("LOG_LEVEL", "error")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("run did not return after cancel")
		}
	}()

	base := "http://" + addr
	get := func(path string, h map[string]string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if status, _ := get("/readyz", nil); status == http.StatusOK {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	status, body := get("/api/v1/wallet", map[string]string{"X-User-ID": "carol"})
	var w struct{ BalanceCents int64 }
	if err := json.Unmarshal(body, &w); status != http.StatusOK || err != nil || w.BalanceCents != 1500 {
		t.Errorf("carol's wallet: %d %s", status, body)
	}
	if status, body := get("/swagger/doc.json", nil); status != http.StatusOK || !strings.Contains(string(body), "/api/v1/charges") {
		t.Errorf("swagger doc: %d", status)
	}
	if status, _ := get("/api/v1/admin/wallets", map[string]string{"X-Admin-Token": "run-test"}); status != http.StatusOK {
		t.Errorf("admin wallets: %d", status)
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	t.Setenv("PAYMENT_DB", "oracle://nope")
	err := run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "PAYMENT_DB") {
		t.Errorf("run with a bad DSN: %v", err)
	}
}
