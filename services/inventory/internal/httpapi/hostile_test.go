package httpapi_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
)

// Hostile and broken requests get a 4xx in the shared error shape and change
// nothing.
func TestHostileRequestsChangeNothing(t *testing.T) {
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	past := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	body := func(orderNo, lines, expiresAt string) string {
		return fmt.Sprintf(`{"orderNo":%q,"lines":%s,"expiresAt":%q}`, orderNo, lines, expiresAt)
	}
	ok := `[{"sku":"RM-TENT-2P","quantity":1}]`
	const (
		post    = http.MethodPost
		get     = http.MethodGet
		reserve = "/api/v1/reservations"
		restock = "/api/v1/admin/stock/RM-TENT-2P/restock"
	)
	keyed := func(key string) []string { return append(pairs(adminHeaders), "Idempotency-Key", key) }
	tests := []servetest.Hostile{
		{Name: "broken JSON", Method: post, Path: reserve, Body: `{"orderNo":"RM-1",`, Headers: pairs(adminHeaders), Status: 400, Code: "INVALID_JSON"},
		{Name: "not an object", Method: post, Path: reserve, Body: `[1,2]`, Headers: pairs(adminHeaders), Status: 400, Code: "INVALID_JSON"},
		{Name: "empty body", Method: post, Path: reserve, Headers: pairs(adminHeaders), Status: 400, Code: "INVALID_JSON"},
		{Name: "unknown field", Method: post, Path: reserve, Body: `{"orderNo":"RM-1","lines":` + ok + `,"expiresAt":"` + future + `","price":1}`, Headers: pairs(adminHeaders), Status: 400, Code: "INVALID_JSON"},
		{Name: "unknown line field", Method: post, Path: reserve, Body: body("RM-1", `[{"sku":"RM-TENT-2P","quantity":1,"priceCents":1}]`, future), Headers: pairs(adminHeaders), Status: 400, Code: "INVALID_JSON"},
		{Name: "trailing data", Method: post, Path: reserve, Body: body("RM-1", ok, future) + `{}`, Headers: pairs(adminHeaders), Status: 400, Code: "INVALID_JSON"},
		{Name: "quantity as string", Method: post, Path: reserve, Body: body("RM-1", `[{"sku":"RM-TENT-2P","quantity":"1"}]`, future), Headers: pairs(adminHeaders), Status: 400, Code: "INVALID_JSON"},
		{Name: "fractional quantity", Method: post, Path: reserve, Body: body("RM-1", `[{"sku":"RM-TENT-2P","quantity":1.5}]`, future), Headers: pairs(adminHeaders), Status: 400, Code: "INVALID_JSON"},
		{Name: "huge quantity", Method: post, Path: reserve, Body: body("RM-1", `[{"sku":"RM-TENT-2P","quantity":1e30}]`, future), Headers: pairs(adminHeaders), Status: 400, Code: "INVALID_JSON"},
		{Name: "quantity over the limit", Method: post, Path: reserve, Body: body("RM-1", `[{"sku":"RM-TENT-2P","quantity":1001}]`, future), Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "zero quantity", Method: post, Path: reserve, Body: body("RM-1", `[{"sku":"RM-TENT-2P","quantity":0}]`, future), Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "negative quantity", Method: post, Path: reserve, Body: body("RM-1", `[{"sku":"RM-TENT-2P","quantity":-5}]`, future), Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "missing quantity", Method: post, Path: reserve, Body: body("RM-1", `[{"sku":"RM-TENT-2P"}]`, future), Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "empty lines", Method: post, Path: reserve, Body: body("RM-1", `[]`, future), Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "null lines", Method: post, Path: reserve, Body: body("RM-1", `null`, future), Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "duplicate SKU", Method: post, Path: reserve, Body: body("RM-1", `[{"sku":"RM-TENT-2P","quantity":1},{"sku":"RM-TENT-2P","quantity":2}]`, future), Headers: pairs(adminHeaders), Status: 400, Code: "DUPLICATE_SKU"},
		{Name: "missing order number", Method: post, Path: reserve, Body: `{"lines":` + ok + `,"expiresAt":"` + future + `"}`, Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "order number with a slash", Method: post, Path: reserve, Body: body("RM/1", ok, future), Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "order number with SQL", Method: post, Path: reserve, Body: body("RM-1' OR '1'='1", ok, future), Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "order number too long", Method: post, Path: reserve, Body: body(strings.Repeat("A", 65), ok, future), Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "missing expiry", Method: post, Path: reserve, Body: `{"orderNo":"RM-1","lines":` + ok + `}`, Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "expiry in the past", Method: post, Path: reserve, Body: body("RM-1", ok, past), Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "expiry not RFC 3339", Method: post, Path: reserve, Body: body("RM-1", ok, "tomorrow"), Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "expiry as number", Method: post, Path: reserve, Body: `{"orderNo":"RM-1","lines":` + ok + `,"expiresAt":1893456000}`, Headers: pairs(adminHeaders), Status: 400, Code: "INVALID_JSON"},
		{Name: "expiry years ahead", Method: post, Path: reserve, Body: body("RM-1", ok, "2999-01-01T00:00:00Z"), Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "unknown SKU", Method: post, Path: reserve, Body: body("RM-1", `[{"sku":"RM-TENT-2P","quantity":1},{"sku":"RM-NOPE","quantity":1}]`, future), Headers: pairs(adminHeaders), Status: 404, Code: "UNKNOWN_SKU"},
		{Name: "oversized body", Method: post, Path: reserve, Body: body("RM-1", `[{"sku":"`+strings.Repeat("X", 2<<20)+`","quantity":1}]`, future), Headers: pairs(adminHeaders), Status: 413, Code: "BODY_TOO_LARGE"},
		{Name: "no admin token", Method: post, Path: reserve, Body: body("RM-1", ok, future), Headers: pairs(nil), Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "wrong admin token", Method: post, Path: reserve, Body: body("RM-1", ok, future), Headers: pairs(map[string]string{httpserver.HeaderAdminToken: "guess"}), Status: 403, Code: "INVALID_ADMIN_TOKEN"},
		{Name: "a user instead of the admin", Method: post, Path: reserve, Body: body("RM-1", ok, future), Headers: pairs(map[string]string{httpserver.HeaderUserID: "alice"}), Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "stock without admin token", Method: get, Path: "/api/v1/admin/stock", Headers: pairs(nil), Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "reservation without admin token", Method: get, Path: "/api/v1/reservations/RM-OLD", Headers: pairs(nil), Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "release without admin token", Method: post, Path: "/api/v1/reservations/RM-OLD/release", Headers: pairs(nil), Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "release with a wrong token", Method: post, Path: "/api/v1/reservations/RM-OLD/release", Headers: pairs(map[string]string{httpserver.HeaderAdminToken: "x"}), Status: 403, Code: "INVALID_ADMIN_TOKEN"},
		{Name: "unknown reservation", Method: get, Path: "/api/v1/reservations/RM-NONE", Headers: pairs(adminHeaders), Status: 404, Code: "RESERVATION_NOT_FOUND"},
		{Name: "malformed order number", Method: get, Path: "/api/v1/reservations/RM%20OLD", Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "release unknown", Method: post, Path: "/api/v1/reservations/RM-NONE/release", Headers: pairs(adminHeaders), Status: 404, Code: "RESERVATION_NOT_FOUND"},
		{Name: "release malformed", Method: post, Path: "/api/v1/reservations/" + strings.Repeat("z", 100) + "/release", Headers: pairs(adminHeaders), Status: 400, Code: "VALIDATION"},
		{Name: "restock without a key", Method: post, Path: restock, Body: `{"quantity":5}`, Headers: pairs(adminHeaders), Status: 400, Code: "IDEMPOTENCY_KEY_REQUIRED"},
		{Name: "restock key too long", Method: post, Path: restock, Body: `{"quantity":5}`, Headers: keyed(strings.Repeat("k", 129)), Status: 400, Code: "INVALID_IDEMPOTENCY_KEY"},
		{Name: "restock key with a control character", Method: post, Path: restock, Body: `{"quantity":5}`, Headers: keyed("a\tb"), Status: 400, Code: "INVALID_IDEMPOTENCY_KEY"},
		{Name: "restock the old key for another quantity", Method: post, Path: restock, Body: `{"quantity":6}`, Headers: keyed("old-restock"), Status: 422, Code: "IDEMPOTENCY_KEY_REUSED"},
		{Name: "restock the old key for another SKU", Method: post, Path: "/api/v1/admin/stock/RM-MUG-STONE/restock", Body: `{"quantity":5}`, Headers: keyed("old-restock"), Status: 422, Code: "IDEMPOTENCY_KEY_REUSED"},
		{Name: "restock zero", Method: post, Path: restock, Body: `{"quantity":0}`, Headers: keyed("k1"), Status: 400, Code: "VALIDATION"},
		{Name: "restock negative", Method: post, Path: restock, Body: `{"quantity":-5}`, Headers: keyed("k1"), Status: 400, Code: "VALIDATION"},
		{Name: "restock over the limit", Method: post, Path: restock, Body: `{"quantity":1000001}`, Headers: keyed("k1"), Status: 400, Code: "VALIDATION"},
		{Name: "restock missing quantity", Method: post, Path: restock, Body: `{}`, Headers: keyed("k1"), Status: 400, Code: "VALIDATION"},
		{Name: "restock quantity as string", Method: post, Path: restock, Body: `{"quantity":"5"}`, Headers: keyed("k1"), Status: 400, Code: "INVALID_JSON"},
		{Name: "restock fractional quantity", Method: post, Path: restock, Body: `{"quantity":1.5}`, Headers: keyed("k1"), Status: 400, Code: "INVALID_JSON"},
		{Name: "restock huge quantity", Method: post, Path: restock, Body: `{"quantity":1e30}`, Headers: keyed("k1"), Status: 400, Code: "INVALID_JSON"},
		{Name: "restock unknown field", Method: post, Path: restock, Body: `{"quantity":5,"initial":1}`, Headers: keyed("k1"), Status: 400, Code: "INVALID_JSON"},
		{Name: "restock broken JSON", Method: post, Path: restock, Body: `{"quantity":`, Headers: keyed("k1"), Status: 400, Code: "INVALID_JSON"},
		{Name: "restock unknown SKU", Method: post, Path: "/api/v1/admin/stock/RM-NOPE/restock", Body: `{"quantity":5}`, Headers: keyed("k1"), Status: 404, Code: "UNKNOWN_SKU"},
		{Name: "restock SKU with SQL", Method: post, Path: "/api/v1/admin/stock/RM-TENT-2P%27%20OR%20%271%27=%271/restock", Body: `{"quantity":5}`, Headers: keyed("k1"), Status: 404, Code: "UNKNOWN_SKU"},
		{Name: "restock oversized body", Method: post, Path: restock, Body: `{"quantity":5,"x":"` + strings.Repeat("X", 2<<20) + `"}`, Headers: keyed("k1"), Status: 413, Code: "BODY_TOO_LARGE"},
		{Name: "restock without admin token", Method: post, Path: restock, Body: `{"quantity":5}`, Headers: []string{"Idempotency-Key", "k1"}, Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "restock with a wrong token", Method: post, Path: restock, Body: `{"quantity":5}`, Headers: []string{"Idempotency-Key", "k1", httpserver.HeaderAdminToken, "guess"}, Status: 403, Code: "INVALID_ADMIN_TOKEN"},
		{Name: "restock as a user", Method: post, Path: restock, Body: `{"quantity":5}`, Headers: []string{"Idempotency-Key", "k1", httpserver.HeaderUserID, "alice"}, Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "wrong method", Method: http.MethodDelete, Path: "/api/v1/reservations/RM-OLD", Headers: pairs(adminHeaders), Status: 405, Code: "METHOD_NOT_ALLOWED"},
		{Name: "unknown route", Method: get, Path: "/api/v1/nothing", Headers: pairs(adminHeaders), Status: 404, Code: "ROUTE_NOT_FOUND"},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		// An existing reservation that hostile requests must not touch.
		if r := a.admin(t, post, reserve, reserveBody(t, "RM-OLD", httpapi.ReserveLine{SKU: tent, Quantity: 2})); r.status != http.StatusCreated {
			t.Fatalf("setup: %d %s", r.status, r.body)
		}
		if r := a.restock(t, tent, "old-restock", 5); r.status != http.StatusCreated {
			t.Fatalf("setup restock: %d %s", r.status, r.body)
		}
		before := a.state(t)
		servetest.RunHostile(t, a.handler, nil, tests, nil)
		if after := a.state(t); !reflect.DeepEqual(before, after) {
			t.Errorf("hostile requests changed state:\nbefore %v\nafter  %v", before, after)
		}
	})
}

// Bad input names the field it is about.
func TestBadInputNamesTheField(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		for body, want := range map[string]string{
			`{"orderNo":"RM-1","lines":[{"sku":"RM-TENT-2P","quantity":0}],"expiresAt":"` + future + `"}`:   "lines[0].quantity",
			`{"orderNo":"RM-1","lines":[{"sku":"RM-TENT-2P","quantity":"x"}],"expiresAt":"` + future + `"}`: "lines.quantity",
			`{"orderNo":"RM-1","lines":[{"sku":"RM-TENT-2P","quantity":1}],"expiresAt":"soon"}`:             "expiresAt",
			`{"orderNo":"","lines":[{"sku":"RM-TENT-2P","quantity":1}],"expiresAt":"` + future + `"}`:       "orderNo",
		} {
			r := a.admin(t, http.MethodPost, "/api/v1/reservations", body)
			if got := r.errorDetails()["field"]; r.status != 400 || got != want {
				t.Errorf("%s: %d field %v, want 400 naming %q", body, r.status, got, want)
			}
		}
	})
}

// A bad restock quantity names the field.
func TestBadRestockNamesTheField(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		for _, body := range []string{`{"quantity":0}`, `{"quantity":"x"}`, `{}`, `{"quantity":2000000}`} {
			r := a.call(t, http.MethodPost, "/api/v1/admin/stock/"+tent+"/restock", body,
				map[string]string{httpserver.HeaderAdminToken: adminToken, httpapi.HeaderIdempotencyKey: "k"})
			if got := r.errorDetails()["field"]; r.status != 400 || got != "quantity" {
				t.Errorf("%s: %d field %v, want 400 naming quantity (%s)", body, r.status, got, r.body)
			}
		}
	})
}
