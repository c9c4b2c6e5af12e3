package main

import (
	"context"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
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

// fakeShop serves every service's admin lists: one paid order (RM-1,
// alice, 100 cents) and nothing else, so invariant 1 finds no charge.
func fakeShop(t *testing.T) map[string]string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v1/admin/orders" {
			io.WriteString(w, `{"orders":[{"orderNo":"RM-1","userId":"alice","status":"PAID","totalCents":100,"lines":[]}]}`)
			return
		}
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	vars := map[string]string{"MINIRMQ_ADMIN_URL": "none"}
	for _, svc := range contracts.Services() {
		vars[svc.URLVar()] = srv.URL
	}
	return vars
}

// TestLangChoosesTheReportsLanguage: -lang zh-CN, or a Chinese locale
// without it, prints the report in Chinese; -lang en overrides the locale.
func TestLangChoosesTheReportsLanguage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		locale map[string]string
		want   []string
		absent string
	}{
		{"flag zh-CN", []string{"-lang", "zh-CN"}, nil,
			[]string{"失败  1. 每笔已支付订单", "      订单 RM-1：已支付，但有 0 笔扣款", "结果：不一致"}, "RESULT"},
		{"locale", nil, map[string]string{"LANG": "zh_CN.UTF-8"},
			[]string{"订单 RM-1：已支付，但有 0 笔扣款"}, "RESULT"},
		{"flag en over locale", []string{"-lang", "en"}, map[string]string{"LC_ALL": "zh_CN.UTF-8"},
			[]string{"FAIL  1. Every paid order", "      order RM-1: paid, but has 0 charges", "RESULT: INCONSISTENT"}, "结果"},
		{"default", nil, nil, []string{"order RM-1: paid, but has 0 charges"}, "结果"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := fakeShop(t)
			maps.Copy(vars, tt.locale)
			var out, errOut strings.Builder
			code := run(context.Background(), append([]string{"-wait", "1s"}, tt.args...), env(vars), &out, &errOut)
			if code != 1 {
				t.Fatalf("exit %d, want 1 (inconsistent); stderr %s", code, errOut.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String(), tt.absent) {
				t.Errorf("report has %q:\n%s", tt.absent, out.String())
			}
		})
	}
}

func TestBadLangExits2(t *testing.T) {
	var out, errOut strings.Builder
	code := run(context.Background(), []string{"-lang", "fr"}, env(nil), &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "zh-CN") {
		t.Errorf("exit %d, stderr %q; want 2 naming the accepted values", code, errOut.String())
	}
}
