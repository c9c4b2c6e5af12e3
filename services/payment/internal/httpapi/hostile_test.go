package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
)

const bulk = "/api/v1/admin/wallets/top-ups"

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
		if status, body := e.do("POST", bulk, asAdmin().with("Idempotency-Key", "old-bulk"), `{"topUps":[{"userId":"bob","amountCents":500}]}`); status != http.StatusCreated {
			t.Fatalf("setup bulk top-up: %d %s", status, body)
		}
		before := e.state()

		bulkH := asAdmin().with("Idempotency-Key", "b1")
		const bulkOK = `{"topUps":[{"userId":"bob","amountCents":5}]}`
		topUp := asUser("alice").with("Idempotency-Key", "h1")
		long := strings.Repeat("x", 65)
		tests := []servetest.Hostile{
			{Name: "top-up broken JSON", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{"amountCents":`, Headers: topUp.pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "top-up unknown field", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{"amountCents":1,"userId":"bob"}`, Headers: topUp.pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "top-up zero", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{"amountCents":0}`, Headers: topUp.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "top-up missing amount", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{}`, Headers: topUp.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "top-up negative", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{"amountCents":-100}`, Headers: topUp.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "top-up over the cap", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{"amountCents":10000001}`, Headers: topUp.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "top-up beyond int64", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{"amountCents":99999999999999999999}`, Headers: topUp.pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "top-up fraction", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{"amountCents":1.5}`, Headers: topUp.pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "top-up string amount", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{"amountCents":"100"}`, Headers: topUp.pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "top-up array", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `[1]`, Headers: topUp.pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "top-up null", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `null`, Headers: topUp.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "top-up two values", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{"amountCents":1}{"amountCents":1}`, Headers: topUp.pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "top-up empty body", Method: "POST", Path: "/api/v1/wallet/top-ups", Headers: topUp.pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "top-up oversized", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{"amountCents":1,"pad":"` + strings.Repeat("a", 8<<10) + `"}`, Headers: topUp.pairs(), Status: 413, Code: "BODY_TOO_LARGE"},
			{Name: "top-up long key", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{"amountCents":1}`, Headers: asUser("alice").with("Idempotency-Key", strings.Repeat("k", 129)).pairs(), Status: 400, Code: "INVALID_IDEMPOTENCY_KEY"},
			{Name: "top-up no key", Method: "POST", Path: "/api/v1/wallet/top-ups", Body: `{"amountCents":1}`, Headers: asUser("alice").pairs(), Status: 400, Code: "IDEMPOTENCY_KEY_REQUIRED"},

			{Name: "charge broken JSON", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"N1",`, Headers: asAdmin().pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "charge unknown field", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"N1","userId":"bob","amountCents":1,"status":"REFUNDED"}`, Headers: asAdmin().pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "charge zero", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"N1","userId":"bob","amountCents":0}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "charge negative", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"N1","userId":"bob","amountCents":-1}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "charge over the cap", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"N1","userId":"bob","amountCents":100000001}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "charge beyond int64", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"N1","userId":"bob","amountCents":1e30}`, Headers: asAdmin().pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "charge no order", Method: "POST", Path: "/api/v1/charges", Body: `{"userId":"bob","amountCents":1}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "charge long order", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"` + long + `","userId":"bob","amountCents":1}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "charge order with space", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"N 1","userId":"bob","amountCents":1}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "charge order with unicode", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"N\u00e91","userId":"bob","amountCents":1}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "charge no user", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"N1","amountCents":1}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "charge unknown user", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"N1","userId":"mallory","amountCents":1}`, Headers: asAdmin().pairs(), Status: 404, Code: "WALLET_NOT_FOUND"},
			{Name: "charge more than the balance", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"N1","userId":"carol","amountCents":1501}`, Headers: asAdmin().pairs(), Status: 402, Code: "INSUFFICIENT_FUNDS"},
			{Name: "charge cancelled order", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"GONE","userId":"bob","amountCents":1}`, Headers: asAdmin().pairs(), Status: 409, Code: "ORDER_CANCELLED"},
			{Name: "charge mismatch", Method: "POST", Path: "/api/v1/charges", Body: `{"orderNo":"KEEP","userId":"bob","amountCents":101}`, Headers: asAdmin().pairs(), Status: 409, Code: "CHARGE_MISMATCH"},

			{Name: "refund no reason", Method: "POST", Path: "/api/v1/charges/KEEP/refund", Body: `{}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "refund blank reason", Method: "POST", Path: "/api/v1/charges/KEEP/refund", Body: `{"reason":"   "}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "refund long reason", Method: "POST", Path: "/api/v1/charges/KEEP/refund", Body: `{"reason":"` + strings.Repeat("r", 201) + `"}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "refund control reason", Method: "POST", Path: "/api/v1/charges/KEEP/refund", Body: `{"reason":"a\u0000b"}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "refund unknown field", Method: "POST", Path: "/api/v1/charges/KEEP/refund", Body: `{"reason":"x","amountCents":5}`, Headers: asAdmin().pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "refund no body", Method: "POST", Path: "/api/v1/charges/KEEP/refund", Headers: asAdmin().pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "refund unknown order", Method: "POST", Path: "/api/v1/charges/NOPE/refund", Body: `{"reason":"x"}`, Headers: asAdmin().pairs(), Status: 404, Code: "CHARGE_NOT_FOUND"},
			{Name: "refund long order", Method: "POST", Path: "/api/v1/charges/" + long + "/refund", Body: `{"reason":"x"}`, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "get long order", Method: "GET", Path: "/api/v1/charges/" + long, Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "get escaped order", Method: "GET", Path: "/api/v1/charges/%27%20OR%201=1", Headers: asAdmin().pairs(), Status: 400, Code: "VALIDATION"},

			{Name: "bulk no key", Method: "POST", Path: bulk, Body: bulkOK, Headers: asAdmin().pairs(), Status: 400, Code: "IDEMPOTENCY_KEY_REQUIRED"},
			{Name: "bulk long key", Method: "POST", Path: bulk, Body: bulkOK, Headers: asAdmin().with("Idempotency-Key", strings.Repeat("k", 129)).pairs(), Status: 400, Code: "INVALID_IDEMPOTENCY_KEY"},
			{Name: "bulk key with a control character", Method: "POST", Path: bulk, Body: bulkOK, Headers: asAdmin().with("Idempotency-Key", "k\x7f").pairs(), Status: 400, Code: "INVALID_IDEMPOTENCY_KEY"},
			{Name: "bulk broken JSON", Method: "POST", Path: bulk, Body: `{"topUps":[`, Headers: bulkH.pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "bulk unknown field", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"bob","amountCents":1,"balanceCents":5}]}`, Headers: bulkH.pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "bulk no lines", Method: "POST", Path: bulk, Body: `{"topUps":[]}`, Headers: bulkH.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "bulk null lines", Method: "POST", Path: bulk, Body: `{"topUps":null}`, Headers: bulkH.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "bulk empty object", Method: "POST", Path: bulk, Body: `{}`, Headers: bulkH.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "bulk too many lines", Method: "POST", Path: bulk, Body: `{"topUps":[` + strings.Repeat(`{"userId":"bob","amountCents":1},`, 100) + `{"userId":"bob","amountCents":1}]}`, Headers: bulkH.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "bulk zero amount", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"bob","amountCents":0}]}`, Headers: bulkH.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "bulk negative amount", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"bob","amountCents":-5}]}`, Headers: bulkH.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "bulk amount over the cap", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"bob","amountCents":100000001}]}`, Headers: bulkH.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "bulk amount beyond int64", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"bob","amountCents":1e30}]}`, Headers: bulkH.pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "bulk amount as string", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"bob","amountCents":"5"}]}`, Headers: bulkH.pairs(), Status: 400, Code: "INVALID_JSON"},
			{Name: "bulk missing user", Method: "POST", Path: bulk, Body: `{"topUps":[{"amountCents":5}]}`, Headers: bulkH.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "bulk user with a space", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"b ob","amountCents":5}]}`, Headers: bulkH.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "bulk long user", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"` + long + `","amountCents":5}]}`, Headers: bulkH.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "bulk a user twice", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"bob","amountCents":5},{"userId":"bob","amountCents":6}]}`, Headers: bulkH.pairs(), Status: 400, Code: "VALIDATION"},
			{Name: "bulk unknown user after a good one", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"alice","amountCents":5},{"userId":"mallory","amountCents":6}]}`, Headers: bulkH.pairs(), Status: 404, Code: "WALLET_NOT_FOUND"},
			{Name: "bulk the old key for other lines", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"bob","amountCents":501}]}`, Headers: asAdmin().with("Idempotency-Key", "old-bulk").pairs(), Status: 422, Code: "IDEMPOTENCY_KEY_REUSED"},
			{Name: "bulk the old key for another user", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"carol","amountCents":500}]}`, Headers: asAdmin().with("Idempotency-Key", "old-bulk").pairs(), Status: 422, Code: "IDEMPOTENCY_KEY_REUSED"},
			{Name: "bulk oversized", Method: "POST", Path: bulk, Body: `{"topUps":[{"userId":"bob","amountCents":1}],"pad":"` + strings.Repeat("a", 8<<10) + `"}`, Headers: bulkH.pairs(), Status: 413, Code: "BODY_TOO_LARGE"},
			{Name: "bulk as a user", Method: "POST", Path: bulk, Body: bulkOK, Headers: asUser("alice").with("Idempotency-Key", "b1").pairs(), Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
			{Name: "bulk with a wrong token", Method: "POST", Path: bulk, Body: bulkOK, Headers: hdr{"X-Admin-Token": "guess", "Idempotency-Key": "b1"}.pairs(), Status: 403, Code: "INVALID_ADMIN_TOKEN"},

			{Name: "GET on the charge route", Method: "GET", Path: "/api/v1/charges", Headers: asAdmin().pairs(), Status: 405, Code: "METHOD_NOT_ALLOWED"},
			{Name: "unknown path", Method: "GET", Path: "/api/v1/wallets", Headers: asUser("alice").pairs(), Status: 404, Code: "ROUTE_NOT_FOUND"},
			{Name: "wrong method", Method: "DELETE", Path: "/api/v1/wallet", Headers: asUser("alice").pairs(), Status: 405, Code: "METHOD_NOT_ALLOWED"},
		}
		servetest.RunHostile(t, e.h, nil, tests, nil)
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
			{"POST", bulk, `{"topUps":[{"userId":"bob","amountCents":5}]}`},
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
