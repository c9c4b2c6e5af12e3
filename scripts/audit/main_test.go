package main

import (
	"context"
	"net"
	"strings"
	"testing"
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
	for _, v := range []string{"ORDER_URL", "PAYMENT_URL", "INVENTORY_URL", "CART_URL", "LOGISTICS_URL", "POINTS_URL"} {
		vars[v] = dead
	}
	var out, errOut strings.Builder
	code := run(context.Background(), []string{"-wait", "1s"}, env(vars), &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "could not read the shop") {
		t.Errorf("exit %d, stderr %q; want 2 and a clear message", code, errOut.String())
	}
}
