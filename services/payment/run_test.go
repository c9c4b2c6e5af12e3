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
	cfg, err := loadConfig(env(map[string]string{"PAYMENT_DB": "sqlite:" + filepath.Join(t.TempDir(), "sub", "payment.db"),
		"ROCKETMQ_NAMESERVER": broker.Addr(), "ROCKETMQ_CLIENT_LOG_LEVEL": "fatal", "ADMIN_TOKEN": "run-test", "LOG_LEVEL": "error"}))
	if err != nil {
		t.Fatal(err)
	}
	cfg.listener, cfg.logOut = ln, io.Discard

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg) }()
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
