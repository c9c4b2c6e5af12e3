package gateway

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Error messages follow Accept-Language: a Chinese browser reads the
// storefront's translation of the code, the code, status and details stay
// as the service (or the gateway) answered, and English, no header, or a
// code without a translation keep the English message byte for byte.
func TestErrorMessagesFollowAcceptLanguage(t *testing.T) {
	h := newTrainerHarness(t, true)
	const serviceBody = `{"error":{"code":"OUT_OF_STOCK","message":"not enough stock","details":{"short":[{"sku":"RM-MUG-STONE","available":1}]}}}`
	h.ups["cart"].setRespond(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, serviceBody)
	})
	h.ups["payment"].setRespond(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, `{"error":{"code":"SOMETHING_NEW","message":"a code no catalogue knows"}}`)
	})
	h.ups["order"].srv.Close() // DEPENDENCY_UNAVAILABLE, with details.service
	alice := h.signIn(t, "alice")
	zh := map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
	cases := []struct {
		name        string
		r           req
		status      int
		code, wantM string
	}{
		{"a service's error", req{method: "POST", path: "/api/cart/cart/items", body: `{}`, cookie: alice, header: zh},
			http.StatusConflict, "OUT_OF_STOCK", "库存不足。"},
		{"the gateway's own error", req{path: "/api/cart/cart", header: zh},
			http.StatusUnauthorized, "SIGN_IN_REQUIRED", "请先登录。"},
		{"a placeholder from the details", req{path: "/api/order/orders", cookie: alice, header: zh},
			http.StatusServiceUnavailable, "DEPENDENCY_UNAVAILABLE", "order 服务没有响应，请稍后重试。"},
		{"a trainer route", req{path: "/api/trainer/faults/nobody", header: map[string]string{"Accept-Language": "zh", "X-Admin-Token": trainerToken}},
			http.StatusNotFound, "UNKNOWN_PROGRAM", "没有这个程序。"},
		{"an unknown code", req{path: "/api/payment/wallet", cookie: alice, header: zh},
			http.StatusTeapot, "SOMETHING_NEW", "a code no catalogue knows"},
		{"English", req{method: "POST", path: "/api/cart/cart/items", body: `{}`, cookie: alice, header: map[string]string{"Accept-Language": "en-US,zh;q=0.5"}},
			http.StatusConflict, "OUT_OF_STOCK", "not enough stock"},
		{"no Accept-Language", req{method: "POST", path: "/api/cart/cart/items", body: `{}`, cookie: alice},
			http.StatusConflict, "OUT_OF_STOCK", "not enough stock"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.do(t, tc.r)
			code, msg, _ := errorOf(t, body)
			if resp.StatusCode != tc.status || code != tc.code || msg != tc.wantM {
				t.Errorf("%d %s %q, want %d %s %q", resp.StatusCode, code, msg, tc.status, tc.code, tc.wantM)
			}
			if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Language") {
				t.Errorf("Vary %q does not name Accept-Language", resp.Header.Values("Vary"))
			}
		})
	}

	// The details pass through untouched; English is the service's body as it was.
	resp, body := h.do(t, cases[0].r)
	if _, _, details := errorOf(t, body); resp.StatusCode != http.StatusConflict || details["short"] == nil {
		t.Errorf("translated answer lost its details: %s", body)
	}
	if _, body := h.do(t, cases[6].r); body != serviceBody {
		t.Errorf("an English answer changed:\n got %s\nwant %s", body, serviceBody)
	}
	// Success is never touched.
	h.ups["cart"].setRespond(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"lines":[],"message":"not an error"}`)
	})
	if resp, body := h.do(t, req{path: "/api/cart/cart", cookie: alice, header: zh}); resp.StatusCode != 200 || body != `{"lines":[],"message":"not an error"}` {
		t.Errorf("a success changed: %d %s", resp.StatusCode, body)
	}
}

// The trainer page asks the launcher for its labs in the page's language:
// the gateway passes lang on, on the list and on a grade.
func TestTrainerLabsForwardLang(t *testing.T) {
	h := newTrainerHarness(t, true)
	tok := map[string]string{"X-Admin-Token": trainerToken}
	for _, r := range []req{
		{path: "/api/trainer/control/labs?lang=zh-CN", header: tok},
		{method: "POST", path: "/api/trainer/control/labs/happy-path/grade?lang=zh-CN", header: tok},
	} {
		if resp, body := h.do(t, r); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d %s", r.method, r.path, resp.StatusCode, body)
		}
	}
	reqs := h.control.requests()
	if len(reqs) != 2 {
		t.Fatalf("the control API got %d requests, want 2", len(reqs))
	}
	for i, want := range []string{"/api/v1/labs", "/api/v1/labs/happy-path/grade"} {
		if reqs[i].Path != want || reqs[i].RawQuery != "lang=zh-CN" {
			t.Errorf("the control API got %s?%s, want %s?lang=zh-CN", reqs[i].Path, reqs[i].RawQuery, want)
		}
	}
}
