package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// hostile is one request a client should not send; every one must answer a
// 4xx in the shared error shape and change no cart.
type hostile struct {
	name    string
	method  string
	path    string
	body    string
	headers []string // default: X-User-ID alice
	status  int
	code    string
}

func hostileRequests() []hostile {
	const items, tee = "/api/v1/cart/items", "/api/v1/cart/items/RM-TEE"
	huge := `{"sku":"RM-TEE","quantity":1,"pad":"` + strings.Repeat("x", 2<<20) + `"}`
	longSKU := strings.Repeat("S", cart.MaxSKULen+1)
	return []hostile{
		{name: "add: broken JSON", method: "POST", path: items, body: `{"sku":"RM-TEE",`, status: 400, code: "INVALID_JSON"},
		{name: "add: not JSON", method: "POST", path: items, body: `sku=RM-TEE&quantity=1`, status: 400, code: "INVALID_JSON"},
		{name: "add: empty body", method: "POST", path: items, body: "", status: 400, code: "INVALID_JSON"},
		{name: "add: array", method: "POST", path: items, body: `[{"sku":"RM-TEE","quantity":1}]`, status: 400, code: "INVALID_JSON"},
		{name: "add: two objects", method: "POST", path: items, body: addBody("RM-TEE", 1) + addBody("RM-TEE", 1), status: 400, code: "INVALID_JSON"},
		{name: "add: unknown field", method: "POST", path: items, body: `{"sku":"RM-TEE","quantity":1,"priceCents":1}`, status: 400, code: "INVALID_JSON"},
		{name: "add: quantity 0", method: "POST", path: items, body: addBody("RM-TEE", 0), status: 400, code: cart.CodeInvalidQuantity},
		{name: "add: quantity -1", method: "POST", path: items, body: addBody("RM-TEE", -1), status: 400, code: cart.CodeInvalidQuantity},
		{name: "add: quantity missing", method: "POST", path: items, body: `{"sku":"RM-TEE"}`, status: 400, code: cart.CodeInvalidQuantity},
		{name: "add: quantity null", method: "POST", path: items, body: `{"sku":"RM-TEE","quantity":null}`, status: 400, code: cart.CodeInvalidQuantity},
		{name: "add: quantity 100", method: "POST", path: items, body: addBody("RM-TEE", 100), status: 400, code: cart.CodeQuantityTooLarge},
		{name: "add: quantity 1e9", method: "POST", path: items, body: `{"sku":"RM-TEE","quantity":1e9}`, status: 400, code: "INVALID_JSON"},
		{name: "add: quantity 1000000000", method: "POST", path: items, body: addBody("RM-TEE", 1_000_000_000), status: 400, code: cart.CodeQuantityTooLarge},
		{name: "add: quantity beyond int64", method: "POST", path: items, body: `{"sku":"RM-TEE","quantity":99999999999999999999999}`, status: 400, code: "INVALID_JSON"},
		{name: "add: quantity as string", method: "POST", path: items, body: `{"sku":"RM-TEE","quantity":"3"}`, status: 400, code: "INVALID_JSON"},
		{name: "add: quantity 3.5", method: "POST", path: items, body: `{"sku":"RM-TEE","quantity":3.5}`, status: 400, code: "INVALID_JSON"},
		{name: "add: sum over 99", method: "POST", path: items, body: addBody("RM-TEE", 2), status: 400, code: cart.CodeQuantityTooLarge},
		{name: "add: sku missing", method: "POST", path: items, body: `{"quantity":1}`, status: 400, code: cart.CodeInvalidSKU},
		{name: "add: sku as number", method: "POST", path: items, body: `{"sku":42,"quantity":1}`, status: 400, code: "INVALID_JSON"},
		{name: "add: sku too long", method: "POST", path: items, body: addBody(longSKU, 1), status: 400, code: cart.CodeInvalidSKU},
		{name: "add: sku with control character", method: "POST", path: items, body: `{"sku":"RM-TEE\u0000","quantity":1}`, status: 400, code: cart.CodeInvalidSKU},
		{name: "add: unknown sku", method: "POST", path: items, body: addBody("NO-SUCH-SKU", 1), status: 404, code: cart.CodeUnknownSKU},
		{name: "add: oversized body", method: "POST", path: items, body: huge, status: 413, code: "BODY_TOO_LARGE"},
		{name: "add: no user header", method: "POST", path: items, body: addBody("RM-TEE", 1), headers: []string{}, status: 401, code: "USER_REQUIRED"},
		{name: "add: unknown user", method: "POST", path: items, body: addBody("RM-TEE", 1), headers: []string{httpserver.HeaderUserID, "mallory"}, status: 401, code: "UNKNOWN_USER"},

		{name: "set: broken JSON", method: "PUT", path: tee, body: `{"quantity":`, status: 400, code: "INVALID_JSON"},
		{name: "set: unknown field", method: "PUT", path: tee, body: `{"quantity":1,"sku":"RM-MUG"}`, status: 400, code: "INVALID_JSON"},
		{name: "set: quantity 0", method: "PUT", path: tee, body: `{"quantity":0}`, status: 400, code: cart.CodeInvalidQuantity},
		{name: "set: quantity -1", method: "PUT", path: tee, body: `{"quantity":-1}`, status: 400, code: cart.CodeInvalidQuantity},
		{name: "set: quantity 100", method: "PUT", path: tee, body: `{"quantity":100}`, status: 400, code: cart.CodeQuantityTooLarge},
		{name: "set: quantity 1e9", method: "PUT", path: tee, body: `{"quantity":1e9}`, status: 400, code: "INVALID_JSON"},
		{name: "set: quantity as string", method: "PUT", path: tee, body: `{"quantity":"3"}`, status: 400, code: "INVALID_JSON"},
		{name: "set: quantity 3.5", method: "PUT", path: tee, body: `{"quantity":3.5}`, status: 400, code: "INVALID_JSON"},
		{name: "set: unknown sku", method: "PUT", path: "/api/v1/cart/items/NO-SUCH-SKU", body: `{"quantity":1}`, status: 404, code: cart.CodeUnknownSKU},
		{name: "set: sku too long", method: "PUT", path: "/api/v1/cart/items/" + longSKU, body: `{"quantity":1}`, status: 400, code: cart.CodeInvalidSKU},
		{name: "set: oversized body", method: "PUT", path: tee, body: huge, status: 413, code: "BODY_TOO_LARGE"},
		{name: "set: no user header", method: "PUT", path: tee, body: `{"quantity":1}`, headers: []string{}, status: 401, code: "USER_REQUIRED"},

		{name: "view: no user header", method: "GET", path: "/api/v1/cart", headers: []string{}, status: 401, code: "USER_REQUIRED"},
		{name: "view: unknown user", method: "GET", path: "/api/v1/cart", headers: []string{httpserver.HeaderUserID, "ALICE"}, status: 401, code: "UNKNOWN_USER"},
		{name: "remove: no user header", method: "DELETE", path: tee, headers: []string{}, status: 401, code: "USER_REQUIRED"},
		{name: "remove: unknown user", method: "DELETE", path: tee, headers: []string{httpserver.HeaderUserID, "mallory"}, status: 401, code: "UNKNOWN_USER"},
		{name: "clear: no user header", method: "DELETE", path: "/api/v1/cart", headers: []string{}, status: 401, code: "USER_REQUIRED"},
		{name: "clear: unknown user", method: "DELETE", path: "/api/v1/cart", headers: []string{httpserver.HeaderUserID, "alice "}, status: 401, code: "UNKNOWN_USER"},
		{name: "wrong method", method: "PATCH", path: tee, body: `{"quantity":1}`, status: 405, code: "METHOD_NOT_ALLOWED"},
		{name: "sku with a slash", method: "DELETE", path: "/api/v1/cart/items/RM%2FTEE/x", status: 404, code: "ROUTE_NOT_FOUND"},
	}
}

func TestHostileInputChangesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		_, inv := newCatalogue(t)
		a := newApp(t, db, inv.URL)
		// 98 T-shirts, so that adding 2 breaks the 99 limit.
		a.as(t, "alice", http.MethodPost, "/api/v1/cart/items", addBody("RM-TEE", 98)).cart(t)
		a.as(t, "alice", http.MethodPost, "/api/v1/cart/items", addBody("RM-MUG", 1)).cart(t)
		a.as(t, "bob", http.MethodPost, "/api/v1/cart/items", addBody("RM-MUG", 2)).cart(t)
		alice, bob := a.lines(t, "alice"), a.lines(t, "bob")

		for _, h := range hostileRequests() {
			t.Run(h.name, func(t *testing.T) {
				headers := h.headers
				if headers == nil {
					headers = []string{httpserver.HeaderUserID, "alice"}
				}
				a.do(t, h.method, h.path, h.body, headers...).WantError(t, h.status, h.code)
				a.wantLines(t, "alice", alice)
				a.wantLines(t, "bob", bob)
				a.wantLines(t, "carol", []cart.Line{})
			})
		}
	})
}
