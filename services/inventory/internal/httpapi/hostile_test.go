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
	)
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		headers    map[string]string
		wantStatus int
		wantCode   string
	}{
		{"broken JSON", post, reserve, `{"orderNo":"RM-1",`, adminHeaders, 400, "INVALID_JSON"},
		{"not an object", post, reserve, `[1,2]`, adminHeaders, 400, "INVALID_JSON"},
		{"empty body", post, reserve, "", adminHeaders, 400, "INVALID_JSON"},
		{"unknown field", post, reserve, `{"orderNo":"RM-1","lines":` + ok + `,"expiresAt":"` + future + `","price":1}`, adminHeaders, 400, "INVALID_JSON"},
		{"unknown line field", post, reserve, body("RM-1", `[{"sku":"RM-TENT-2P","quantity":1,"priceCents":1}]`, future), adminHeaders, 400, "INVALID_JSON"},
		{"trailing data", post, reserve, body("RM-1", ok, future) + `{}`, adminHeaders, 400, "INVALID_JSON"},
		{"quantity as string", post, reserve, body("RM-1", `[{"sku":"RM-TENT-2P","quantity":"1"}]`, future), adminHeaders, 400, "INVALID_JSON"},
		{"fractional quantity", post, reserve, body("RM-1", `[{"sku":"RM-TENT-2P","quantity":1.5}]`, future), adminHeaders, 400, "INVALID_JSON"},
		{"huge quantity", post, reserve, body("RM-1", `[{"sku":"RM-TENT-2P","quantity":1e30}]`, future), adminHeaders, 400, "INVALID_JSON"},
		{"quantity over the limit", post, reserve, body("RM-1", `[{"sku":"RM-TENT-2P","quantity":1001}]`, future), adminHeaders, 400, "VALIDATION"},
		{"zero quantity", post, reserve, body("RM-1", `[{"sku":"RM-TENT-2P","quantity":0}]`, future), adminHeaders, 400, "VALIDATION"},
		{"negative quantity", post, reserve, body("RM-1", `[{"sku":"RM-TENT-2P","quantity":-5}]`, future), adminHeaders, 400, "VALIDATION"},
		{"missing quantity", post, reserve, body("RM-1", `[{"sku":"RM-TENT-2P"}]`, future), adminHeaders, 400, "VALIDATION"},
		{"empty lines", post, reserve, body("RM-1", `[]`, future), adminHeaders, 400, "VALIDATION"},
		{"null lines", post, reserve, body("RM-1", `null`, future), adminHeaders, 400, "VALIDATION"},
		{"duplicate SKU", post, reserve, body("RM-1", `[{"sku":"RM-TENT-2P","quantity":1},{"sku":"RM-TENT-2P","quantity":2}]`, future), adminHeaders, 400, "DUPLICATE_SKU"},
		{"missing order number", post, reserve, `{"lines":` + ok + `,"expiresAt":"` + future + `"}`, adminHeaders, 400, "VALIDATION"},
		{"order number with a slash", post, reserve, body("RM/1", ok, future), adminHeaders, 400, "VALIDATION"},
		{"order number with SQL", post, reserve, body("RM-1' OR '1'='1", ok, future), adminHeaders, 400, "VALIDATION"},
		{"order number too long", post, reserve, body(strings.Repeat("A", 65), ok, future), adminHeaders, 400, "VALIDATION"},
		{"missing expiry", post, reserve, `{"orderNo":"RM-1","lines":` + ok + `}`, adminHeaders, 400, "VALIDATION"},
		{"expiry in the past", post, reserve, body("RM-1", ok, past), adminHeaders, 400, "VALIDATION"},
		{"expiry not RFC 3339", post, reserve, body("RM-1", ok, "tomorrow"), adminHeaders, 400, "VALIDATION"},
		{"expiry as number", post, reserve, `{"orderNo":"RM-1","lines":` + ok + `,"expiresAt":1893456000}`, adminHeaders, 400, "INVALID_JSON"},
		{"expiry years ahead", post, reserve, body("RM-1", ok, "2999-01-01T00:00:00Z"), adminHeaders, 400, "VALIDATION"},
		{"unknown SKU", post, reserve, body("RM-1", `[{"sku":"RM-TENT-2P","quantity":1},{"sku":"RM-NOPE","quantity":1}]`, future), adminHeaders, 404, "UNKNOWN_SKU"},
		{"oversized body", post, reserve, body("RM-1", `[{"sku":"`+strings.Repeat("X", 2<<20)+`","quantity":1}]`, future), adminHeaders, 413, "BODY_TOO_LARGE"},
		{"no admin token", post, reserve, body("RM-1", ok, future), nil, 401, "ADMIN_TOKEN_REQUIRED"},
		{"wrong admin token", post, reserve, body("RM-1", ok, future), map[string]string{httpserver.HeaderAdminToken: "guess"}, 403, "INVALID_ADMIN_TOKEN"},
		{"a user instead of the admin", post, reserve, body("RM-1", ok, future), map[string]string{httpserver.HeaderUserID: "alice"}, 401, "ADMIN_TOKEN_REQUIRED"},
		{"stock without admin token", get, "/api/v1/admin/stock", "", nil, 401, "ADMIN_TOKEN_REQUIRED"},
		{"reservation without admin token", get, "/api/v1/reservations/RM-OLD", "", nil, 401, "ADMIN_TOKEN_REQUIRED"},
		{"release without admin token", post, "/api/v1/reservations/RM-OLD/release", "", nil, 401, "ADMIN_TOKEN_REQUIRED"},
		{"release with a wrong token", post, "/api/v1/reservations/RM-OLD/release", "", map[string]string{httpserver.HeaderAdminToken: "x"}, 403, "INVALID_ADMIN_TOKEN"},
		{"unknown reservation", get, "/api/v1/reservations/RM-NONE", "", adminHeaders, 404, "RESERVATION_NOT_FOUND"},
		{"malformed order number", get, "/api/v1/reservations/RM%20OLD", "", adminHeaders, 400, "VALIDATION"},
		{"release unknown", post, "/api/v1/reservations/RM-NONE/release", "", adminHeaders, 404, "RESERVATION_NOT_FOUND"},
		{"release malformed", post, "/api/v1/reservations/" + strings.Repeat("z", 100) + "/release", "", adminHeaders, 400, "VALIDATION"},
		{"wrong method", http.MethodDelete, "/api/v1/reservations/RM-OLD", "", adminHeaders, 405, "METHOD_NOT_ALLOWED"},
		{"unknown route", get, "/api/v1/nothing", "", adminHeaders, 404, "ROUTE_NOT_FOUND"},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		// An existing reservation that hostile requests must not touch.
		if r := a.admin(t, post, reserve, reserveBody(t, "RM-OLD", httpapi.ReserveLine{SKU: tent, Quantity: 2})); r.status != http.StatusCreated {
			t.Fatalf("setup: %d %s", r.status, r.body)
		}
		before := a.state(t)
		for _, tt := range tests {
			r := a.call(t, tt.method, tt.path, tt.body, tt.headers)
			if r.status != tt.wantStatus || r.errorCode() != tt.wantCode {
				t.Errorf("%s: %d %.200s, want %d %s", tt.name, r.status, r.body, tt.wantStatus, tt.wantCode)
			}
		}
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
