package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
)

// hostileRequests are requests a client should not send; every one must answer a
// a 4xx in the shared error shape and change no cart (default headers:
// X-User-ID alice).
func hostileRequests() []servetest.Hostile {
	const items, tee = "/api/v1/cart/items", "/api/v1/cart/items/RM-TEE"
	huge := `{"sku":"RM-TEE","quantity":1,"pad":"` + strings.Repeat("x", 2<<20) + `"}`
	longSKU := strings.Repeat("S", cart.MaxSKULen+1)
	return []servetest.Hostile{
		{Name: "add: broken JSON", Method: "POST", Path: items, Body: `{"sku":"RM-TEE",`, Status: 400, Code: "INVALID_JSON"},
		{Name: "add: not JSON", Method: "POST", Path: items, Body: `sku=RM-TEE&quantity=1`, Status: 400, Code: "INVALID_JSON"},
		{Name: "add: empty body", Method: "POST", Path: items, Body: "", Status: 400, Code: "INVALID_JSON"},
		{Name: "add: array", Method: "POST", Path: items, Body: `[{"sku":"RM-TEE","quantity":1}]`, Status: 400, Code: "INVALID_JSON"},
		{Name: "add: two objects", Method: "POST", Path: items, Body: addBody("RM-TEE", 1) + addBody("RM-TEE", 1), Status: 400, Code: "INVALID_JSON"},
		{Name: "add: unknown field", Method: "POST", Path: items, Body: `{"sku":"RM-TEE","quantity":1,"priceCents":1}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "add: quantity 0", Method: "POST", Path: items, Body: addBody("RM-TEE", 0), Status: 400, Code: cart.CodeInvalidQuantity},
		{Name: "add: quantity -1", Method: "POST", Path: items, Body: addBody("RM-TEE", -1), Status: 400, Code: cart.CodeInvalidQuantity},
		{Name: "add: quantity missing", Method: "POST", Path: items, Body: `{"sku":"RM-TEE"}`, Status: 400, Code: cart.CodeInvalidQuantity},
		{Name: "add: quantity null", Method: "POST", Path: items, Body: `{"sku":"RM-TEE","quantity":null}`, Status: 400, Code: cart.CodeInvalidQuantity},
		{Name: "add: quantity 100", Method: "POST", Path: items, Body: addBody("RM-TEE", 100), Status: 400, Code: cart.CodeQuantityTooLarge},
		{Name: "add: quantity 1e9", Method: "POST", Path: items, Body: `{"sku":"RM-TEE","quantity":1e9}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "add: quantity 1000000000", Method: "POST", Path: items, Body: addBody("RM-TEE", 1_000_000_000), Status: 400, Code: cart.CodeQuantityTooLarge},
		{Name: "add: quantity beyond int64", Method: "POST", Path: items, Body: `{"sku":"RM-TEE","quantity":99999999999999999999999}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "add: quantity as string", Method: "POST", Path: items, Body: `{"sku":"RM-TEE","quantity":"3"}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "add: quantity 3.5", Method: "POST", Path: items, Body: `{"sku":"RM-TEE","quantity":3.5}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "add: sum over 99", Method: "POST", Path: items, Body: addBody("RM-TEE", 2), Status: 400, Code: cart.CodeQuantityTooLarge},
		{Name: "add: sku missing", Method: "POST", Path: items, Body: `{"quantity":1}`, Status: 400, Code: cart.CodeInvalidSKU},
		{Name: "add: sku as number", Method: "POST", Path: items, Body: `{"sku":42,"quantity":1}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "add: sku too long", Method: "POST", Path: items, Body: addBody(longSKU, 1), Status: 400, Code: cart.CodeInvalidSKU},
		{Name: "add: sku with control character", Method: "POST", Path: items, Body: `{"sku":"RM-TEE\u0000","quantity":1}`, Status: 400, Code: cart.CodeInvalidSKU},
		{Name: "add: unknown sku", Method: "POST", Path: items, Body: addBody("NO-SUCH-SKU", 1), Status: 404, Code: cart.CodeUnknownSKU},
		{Name: "add: oversized body", Method: "POST", Path: items, Body: huge, Status: 413, Code: "BODY_TOO_LARGE"},
		{Name: "add: no user header", Method: "POST", Path: items, Body: addBody("RM-TEE", 1), Headers: []string{}, Status: 401, Code: "USER_REQUIRED"},
		{Name: "add: unknown user", Method: "POST", Path: items, Body: addBody("RM-TEE", 1), Headers: []string{httpserver.HeaderUserID, "mallory"}, Status: 401, Code: "UNKNOWN_USER"},

		{Name: "set: broken JSON", Method: "PUT", Path: tee, Body: `{"quantity":`, Status: 400, Code: "INVALID_JSON"},
		{Name: "set: unknown field", Method: "PUT", Path: tee, Body: `{"quantity":1,"sku":"RM-MUG"}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "set: quantity 0", Method: "PUT", Path: tee, Body: `{"quantity":0}`, Status: 400, Code: cart.CodeInvalidQuantity},
		{Name: "set: quantity -1", Method: "PUT", Path: tee, Body: `{"quantity":-1}`, Status: 400, Code: cart.CodeInvalidQuantity},
		{Name: "set: quantity 100", Method: "PUT", Path: tee, Body: `{"quantity":100}`, Status: 400, Code: cart.CodeQuantityTooLarge},
		{Name: "set: quantity 1e9", Method: "PUT", Path: tee, Body: `{"quantity":1e9}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "set: quantity as string", Method: "PUT", Path: tee, Body: `{"quantity":"3"}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "set: quantity 3.5", Method: "PUT", Path: tee, Body: `{"quantity":3.5}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "set: unknown sku", Method: "PUT", Path: "/api/v1/cart/items/NO-SUCH-SKU", Body: `{"quantity":1}`, Status: 404, Code: cart.CodeUnknownSKU},
		{Name: "set: sku too long", Method: "PUT", Path: "/api/v1/cart/items/" + longSKU, Body: `{"quantity":1}`, Status: 400, Code: cart.CodeInvalidSKU},
		{Name: "set: oversized body", Method: "PUT", Path: tee, Body: huge, Status: 413, Code: "BODY_TOO_LARGE"},
		{Name: "set: no user header", Method: "PUT", Path: tee, Body: `{"quantity":1}`, Headers: []string{}, Status: 401, Code: "USER_REQUIRED"},

		{Name: "view: no user header", Method: "GET", Path: "/api/v1/cart", Headers: []string{}, Status: 401, Code: "USER_REQUIRED"},
		{Name: "view: unknown user", Method: "GET", Path: "/api/v1/cart", Headers: []string{httpserver.HeaderUserID, "ALICE"}, Status: 401, Code: "UNKNOWN_USER"},
		{Name: "remove: no user header", Method: "DELETE", Path: tee, Headers: []string{}, Status: 401, Code: "USER_REQUIRED"},
		{Name: "remove: unknown user", Method: "DELETE", Path: tee, Headers: []string{httpserver.HeaderUserID, "mallory"}, Status: 401, Code: "UNKNOWN_USER"},
		{Name: "clear: no user header", Method: "DELETE", Path: "/api/v1/cart", Headers: []string{}, Status: 401, Code: "USER_REQUIRED"},
		{Name: "clear: unknown user", Method: "DELETE", Path: "/api/v1/cart", Headers: []string{httpserver.HeaderUserID, "alice "}, Status: 401, Code: "UNKNOWN_USER"},
		{Name: "wrong method", Method: "PATCH", Path: tee, Body: `{"quantity":1}`, Status: 405, Code: "METHOD_NOT_ALLOWED"},
		{Name: "sku with a slash", Method: "DELETE", Path: "/api/v1/cart/items/RM%2FTEE/x", Status: 404, Code: "ROUTE_NOT_FOUND"},
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

		servetest.RunHostile(t, a.handler, func(servetest.Hostile) []string {
			return []string{httpserver.HeaderUserID, "alice"}
		}, hostileRequests(), func(t *testing.T) {
			a.wantLines(t, "alice", alice)
			a.wantLines(t, "bob", bob)
			a.wantLines(t, "carol", []cart.Line{})
		})
	})
}
