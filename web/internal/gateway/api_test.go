package gateway

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/web/internal/shoptest"
)

func TestSignInSessionSignOut(t *testing.T) {
	h := newHarness(t, nil, "")
	if resp, body := h.do(t, req{path: "/api/session"}); resp.StatusCode != http.StatusUnauthorized || errorCode(t, body) != "SIGN_IN_REQUIRED" {
		t.Fatalf("no session: %d %s, want 401", resp.StatusCode, body)
	}

	resp, body := h.do(t, req{method: "POST", path: "/api/session", body: `{"userId":"carol"}`})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %d %s", resp.StatusCode, body)
	}
	var c *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "rm_session" {
			c = ck
		}
	}
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Fatalf("cookie %+v, want rm_session HttpOnly SameSite=Lax Path=/", c)
	}

	resp, body = h.do(t, req{path: "/api/session", cookie: c})
	var s SessionResponse
	if err := json.Unmarshal([]byte(body), &s); err != nil || resp.StatusCode != 200 || s.UserID != "carol" || s.Name != "Carol Poor" {
		t.Fatalf("GET /api/session: %d %s (%v)", resp.StatusCode, body, err)
	}

	resp, _ = h.do(t, req{method: "DELETE", path: "/api/session", cookie: c})
	if resp.StatusCode != http.StatusNoContent || !clearsCookie(resp) {
		t.Fatalf("sign out: %d, cookie cleared %v", resp.StatusCode, clearsCookie(resp))
	}
}

func TestSignInRefusesOthers(t *testing.T) {
	h := newHarness(t, nil, "")
	for _, tc := range []struct {
		body   string
		status int
		code   string
	}{
		{`{"userId":"mallory"}`, http.StatusUnauthorized, "UNKNOWN_USER"},
		{`{"userId":""}`, http.StatusBadRequest, "VALIDATION"},
		{`{"userId":`, http.StatusBadRequest, ""},
	} {
		resp, body := h.do(t, req{method: "POST", path: "/api/session", body: tc.body})
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.body, resp.StatusCode, body, tc.status)
		}
		if code := errorCode(t, body); tc.code != "" && code != tc.code {
			t.Errorf("%s: code %s, want %s", tc.body, code, tc.code)
		}
		if len(resp.Cookies()) != 0 {
			t.Errorf("%s: a cookie was set", tc.body)
		}
	}
}

func TestUsers(t *testing.T) {
	h := newHarness(t, nil, "")
	resp, body := h.do(t, req{path: "/api/users"})
	var got struct{ Users []User }
	if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	ids := []string{}
	for _, u := range got.Users {
		ids = append(ids, u.ID+":"+u.Name)
	}
	if want := "alice:Alice Rich,bob:Bob Comfortable,carol:Carol Poor"; strings.Join(ids, ",") != want {
		t.Errorf("users %v, want %s", ids, want)
	}
}

// The audit is open in the demo: signed in or not, the request reaches the
// (read-only) audit handler.
func TestAuditIsOpenWithOrWithoutASession(t *testing.T) {
	h := newHarness(t, nil, "")
	for i, r := range []req{
		{path: "/api/audit", cookie: h.signIn(t, "bob")},
		{path: "/api/audit"},
	} {
		resp, body := h.do(t, r)
		if resp.StatusCode != 200 || !strings.Contains(body, `"invariants":[{"id":1`) || h.auditCalls() != i+1 {
			t.Fatalf("audit (cookie %v): %d %s (calls %d)", r.cookie != nil, resp.StatusCode, body, h.auditCalls())
		}
	}
}

func TestProgressEndpoint(t *testing.T) {
	shop := shoptest.New(t)
	services := map[string]string{}
	for _, name := range contracts.ServiceNames() {
		services[name] = shop.URL(name)
	}
	h := newHarness(t, services, shop.URL("broker"))
	shop.PutOrder("ORD-1", "alice", "PAID", [2]string{"PAID", "2030-01-01T12:00:01Z"})
	shop.SetReservation("ORD-1", "SOLD", "2030-01-01T12:00:02Z")
	shop.AddHalf("ORDER_PAID", "ORD-2", 1)

	resp, body := h.do(t, req{path: "/api/progress/ORD-1", cookie: h.signIn(t, "alice")})
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("alice: %d %s", resp.StatusCode, body)
	}
	var doc struct {
		Order   map[string]any
		Payment struct{ State string }
		Effects map[string]struct {
			State string
			Done  bool
		}
		CheckedAt string
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Order["orderNo"] != "ORD-1" || doc.Payment.State != "paid" || !doc.Effects["stockSold"].Done ||
		doc.Effects["shipment"].State != "waiting" || doc.CheckedAt == "" {
		t.Errorf("progress = %s", body)
	}
	for _, c := range shop.Calls() {
		if c.Service != "order" && c.Service != "broker" && c.AdminToken != shoptest.AdminToken {
			t.Errorf("%s asked with token %q, want the gateway's admin token", c.Service, c.AdminToken)
		}
		if c.Service == "order" && c.AdminToken != "" {
			t.Error("the order was read with the admin token: ownership would not be checked")
		}
	}

	resp, body = h.do(t, req{path: "/api/progress/ORD-1", cookie: h.signIn(t, "bob")})
	if resp.StatusCode != http.StatusNotFound || errorCode(t, body) != "ORDER_NOT_FOUND" {
		t.Errorf("bob asking for alice's order: %d %s, want 404", resp.StatusCode, body)
	}

	long := strings.Repeat("X", 65)
	resp, body = h.do(t, req{path: "/api/progress/" + long, cookie: h.signIn(t, "alice")})
	if resp.StatusCode != http.StatusBadRequest || errorCode(t, body) != "INVALID_ORDER_NO" {
		t.Errorf("long order number: %d %s, want 400", resp.StatusCode, body)
	}

	shop.Down("order")
	resp, body = h.do(t, req{path: "/api/progress/ORD-1", cookie: h.signIn(t, "alice")})
	if resp.StatusCode != http.StatusServiceUnavailable || errorCode(t, body) != "DEPENDENCY_UNAVAILABLE" {
		t.Errorf("order down: %d %s, want 503", resp.StatusCode, body)
	}
}
