package main

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestBadSettingsExit2NamingTheVariable(t *testing.T) {
	var out, errOut strings.Builder
	code := run(context.Background(), nil, env(map[string]string{"POINTS_URL": "points:8085"}), &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "POINTS_URL") {
		t.Errorf("exit %d, stderr %q; want 2 naming POINTS_URL", code, errOut.String())
	}
}

func TestUnreachableShopExits2(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	vars := map[string]string{"MINIRMQ_ADMIN_URL": "none"}
	for _, svc := range contracts.Services() {
		vars[svc.URLVar()] = dead
	}
	var out, errOut strings.Builder
	code := run(context.Background(), []string{"-wait", "1s"}, env(vars), &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "could not read the shop") {
		t.Errorf("exit %d, stderr %q; want 2 and a clear message", code, errOut.String())
	}
}

// TestDefaultsAreTheEmbeddedRun: with nothing set, every service in the
// table is audited at the address `make run` gives it.
func TestDefaultsAreTheEmbeddedRun(t *testing.T) {
	c, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.URLs) != len(contracts.Services()) {
		t.Errorf("URLs = %v, want one per service", c.URLs)
	}
	for _, svc := range contracts.Services() {
		if got := c.URLs[svc.Name]; got != svc.DefaultURL() {
			t.Errorf("%s: %q, want %q", svc.Name, got, svc.DefaultURL())
		}
	}
	if c.BrokerAdminURL != "http://127.0.0.1:9877" || c.AdminToken != "rocketmart-admin" {
		t.Errorf("config = %+v", c)
	}
}

func TestEveryBadURLIsReported(t *testing.T) {
	_, err := loadConfig(env(map[string]string{"CART_URL": "cart", "ORDER_URL": "order"}))
	if err == nil || !strings.Contains(err.Error(), "CART_URL") || !strings.Contains(err.Error(), "ORDER_URL") {
		t.Errorf("err = %v, want CART_URL and ORDER_URL both named", err)
	}
}
