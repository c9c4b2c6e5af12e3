package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// Every hostile request answers 4xx in the shared error shape and changes
// nothing.
func TestHostileInputChangesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if status, _, body := e.charge("KEEP", "bob", 100); status != http.StatusCreated {
			t.Fatalf("setup charge: %d %s", status, body)
		}
		if _, err := e.svc.OrderCancelled(t.Context(), cancelRef(1), "GONE"); err != nil {
			t.Fatal(err)
		}
		before := e.state()

		topUp := asUser("alice").with("Idempotency-Key", "h1")
		long := strings.Repeat("x", 65)
		tests := []struct {
			name         string
			method, path string
			h            hdr
			body         string
			status       int
			code         string
		}{
			{"top-up broken JSON", "POST", "/api/v1/wallet/top-ups", topUp, `{"amountCents":`, 400, "INVALID_JSON"},
			{"top-up unknown field", "POST", "/api/v1/wallet/top-ups", topUp, `{"amountCents":1,"userId":"bob"}`, 400, "INVALID_JSON"},
			{"top-up zero", "POST", "/api/v1/wallet/top-ups", topUp, `{"amountCents":0}`, 400, "VALIDATION"},
			{"top-up missing amount", "POST", "/api/v1/wallet/top-ups", topUp, `{}`, 400, "VALIDATION"},
			{"top-up negative", "POST", "/api/v1/wallet/top-ups", topUp, `{"amountCents":-100}`, 400, "VALIDATION"},
			{"top-up over the cap", "POST", "/api/v1/wallet/top-ups", topUp, `{"amountCents":10000001}`, 400, "VALIDATION"},
			{"top-up beyond int64", "POST", "/api/v1/wallet/top-ups", topUp, `{"amountCents":99999999999999999999}`, 400, "INVALID_JSON"},
			{"top-up fraction", "POST", "/api/v1/wallet/top-ups", topUp, `{"amountCents":1.5}`, 400, "INVALID_JSON"},
			{"top-up string amount", "POST", "/api/v1/wallet/top-ups", topUp, `{"amountCents":"100"}`, 400, "INVALID_JSON"},
			{"top-up array", "POST", "/api/v1/wallet/top-ups", topUp, `[1]`, 400, "INVALID_JSON"},
			{"top-up null", "POST", "/api/v1/wallet/top-ups", topUp, `null`, 400, "VALIDATION"},
			{"top-up two values", "POST", "/api/v1/wallet/top-ups", topUp, `{"amountCents":1}{"amountCents":1}`, 400, "INVALID_JSON"},
			{"top-up empty body", "POST", "/api/v1/wallet/top-ups", topUp, ``, 400, "INVALID_JSON"},
			{"top-up oversized", "POST", "/api/v1/wallet/top-ups", topUp, `{"amountCents":1,"pad":"` + strings.Repeat("a", 8<<10) + `"}`, 413, "BODY_TOO_LARGE"},
			{"top-up long key", "POST", "/api/v1/wallet/top-ups", asUser("alice").with("Idempotency-Key", strings.Repeat("k", 129)), `{"amountCents":1}`, 400, "INVALID_IDEMPOTENCY_KEY"},
			{"top-up no key", "POST", "/api/v1/wallet/top-ups", asUser("alice"), `{"amountCents":1}`, 400, "IDEMPOTENCY_KEY_REQUIRED"},

			{"charge broken JSON", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"N1",`, 400, "INVALID_JSON"},
			{"charge unknown field", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"N1","userId":"bob","amountCents":1,"status":"REFUNDED"}`, 400, "INVALID_JSON"},
			{"charge zero", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"N1","userId":"bob","amountCents":0}`, 400, "VALIDATION"},
			{"charge negative", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"N1","userId":"bob","amountCents":-1}`, 400, "VALIDATION"},
			{"charge over the cap", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"N1","userId":"bob","amountCents":100000001}`, 400, "VALIDATION"},
			{"charge beyond int64", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"N1","userId":"bob","amountCents":1e30}`, 400, "INVALID_JSON"},
			{"charge no order", "POST", "/api/v1/charges", asAdmin(), `{"userId":"bob","amountCents":1}`, 400, "VALIDATION"},
			{"charge long order", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"` + long + `","userId":"bob","amountCents":1}`, 400, "VALIDATION"},
			{"charge order with space", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"N 1","userId":"bob","amountCents":1}`, 400, "VALIDATION"},
			{"charge order with unicode", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"N\u00e91","userId":"bob","amountCents":1}`, 400, "VALIDATION"},
			{"charge no user", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"N1","amountCents":1}`, 400, "VALIDATION"},
			{"charge unknown user", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"N1","userId":"mallory","amountCents":1}`, 404, "WALLET_NOT_FOUND"},
			{"charge more than the balance", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"N1","userId":"carol","amountCents":1501}`, 402, "INSUFFICIENT_FUNDS"},
			{"charge cancelled order", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"GONE","userId":"bob","amountCents":1}`, 409, "ORDER_CANCELLED"},
			{"charge mismatch", "POST", "/api/v1/charges", asAdmin(), `{"orderNo":"KEEP","userId":"bob","amountCents":101}`, 409, "CHARGE_MISMATCH"},

			{"refund no reason", "POST", "/api/v1/charges/KEEP/refund", asAdmin(), `{}`, 400, "VALIDATION"},
			{"refund blank reason", "POST", "/api/v1/charges/KEEP/refund", asAdmin(), `{"reason":"   "}`, 400, "VALIDATION"},
			{"refund long reason", "POST", "/api/v1/charges/KEEP/refund", asAdmin(), `{"reason":"` + strings.Repeat("r", 201) + `"}`, 400, "VALIDATION"},
			{"refund control reason", "POST", "/api/v1/charges/KEEP/refund", asAdmin(), `{"reason":"a\u0000b"}`, 400, "VALIDATION"},
			{"refund unknown field", "POST", "/api/v1/charges/KEEP/refund", asAdmin(), `{"reason":"x","amountCents":5}`, 400, "INVALID_JSON"},
			{"refund no body", "POST", "/api/v1/charges/KEEP/refund", asAdmin(), ``, 400, "INVALID_JSON"},
			{"refund unknown order", "POST", "/api/v1/charges/NOPE/refund", asAdmin(), `{"reason":"x"}`, 404, "CHARGE_NOT_FOUND"},
			{"refund long order", "POST", "/api/v1/charges/" + long + "/refund", asAdmin(), `{"reason":"x"}`, 400, "VALIDATION"},
			{"get long order", "GET", "/api/v1/charges/" + long, asAdmin(), ``, 400, "VALIDATION"},
			{"get escaped order", "GET", "/api/v1/charges/%27%20OR%201=1", asAdmin(), ``, 400, "VALIDATION"},

			{"GET on the charge route", "GET", "/api/v1/charges", asAdmin(), ``, 405, "METHOD_NOT_ALLOWED"},
			{"unknown path", "GET", "/api/v1/wallets", asUser("alice"), ``, 404, "ROUTE_NOT_FOUND"},
			{"wrong method", "DELETE", "/api/v1/wallet", asUser("alice"), ``, 405, "METHOD_NOT_ALLOWED"},
		}
		for _, tt := range tests {
			status, body := e.do(tt.method, tt.path, tt.h, tt.body)
			wantError(t, tt.name, status, body, tt.status, tt.code)
		}
		if after := e.state(); !after.equal(before) {
			t.Errorf("hostile requests changed state:\n before %+v\n after  %+v", before, after)
		}
	})
}

func TestIdentity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		// "outsider" has a wallet (the order service could charge it) but is
		// no demo user, so it cannot sign in.
		e := newEnv(t, db, contracts.DemoUser{ID: "outsider", InitialBalanceCents: 100})
		e.charge("ALICE-1", "alice", 100)
		before := e.state()

		users := []struct {
			name string
			h    hdr
			code string
		}{
			{"no user", hdr{}, "USER_REQUIRED"},
			{"unknown user", asUser("mallory"), "UNKNOWN_USER"},
			{"user outside the demo list", asUser("outsider"), "UNKNOWN_USER"},
			{"admin token is no user", asAdmin(), "USER_REQUIRED"},
		}
		for _, u := range users {
			status, body := e.do("GET", "/api/v1/wallet", u.h, "")
			wantError(t, "wallet, "+u.name, status, body, http.StatusUnauthorized, u.code)
			status, body = e.do("POST", "/api/v1/wallet/top-ups", u.h.with("Idempotency-Key", "id1"), `{"amountCents":100}`)
			wantError(t, "top-up, "+u.name, status, body, http.StatusUnauthorized, u.code)
		}

		admin := []struct{ method, path, body string }{
			{"POST", "/api/v1/charges", `{"orderNo":"A1","userId":"bob","amountCents":1}`},
			{"GET", "/api/v1/charges/ALICE-1", ``},
			{"POST", "/api/v1/charges/ALICE-1/refund", `{"reason":"x"}`},
			{"GET", "/api/v1/admin/wallets", ``},
			{"GET", "/api/v1/admin/charges", ``},
		}
		for _, r := range admin {
			status, body := e.do(r.method, r.path, hdr{}, r.body)
			wantError(t, r.path+" without token", status, body, http.StatusUnauthorized, "ADMIN_TOKEN_REQUIRED")
			status, body = e.do(r.method, r.path, asUser("alice"), r.body)
			wantError(t, r.path+" as a user", status, body, http.StatusUnauthorized, "ADMIN_TOKEN_REQUIRED")
			status, body = e.do(r.method, r.path, hdr{"X-Admin-Token": "guess"}, r.body)
			wantError(t, r.path+" with a wrong token", status, body, http.StatusForbidden, "INVALID_ADMIN_TOKEN")
		}
		if after := e.state(); !after.equal(before) {
			t.Errorf("refused requests changed state:\n before %+v\n after  %+v", before, after)
		}

		// A user sees only their own charges.
		_, body := e.do("GET", "/api/v1/wallet", asUser("bob"), "")
		if w := decode[httpapi.WalletResponse](t, body); w.UserID != "bob" || len(w.Charges) != 0 {
			t.Errorf("bob's wallet shows %+v", w)
		}
	})
}
