package httpapi_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// hostile is one request a client should not send; every one must answer
// its exact 4xx in the shared error shape and change no shipment.
type hostile struct {
	name    string
	method  string
	path    string
	body    string
	headers []string // default: the admin token for /admin paths, X-User-ID alice otherwise
	status  int
	code    string
}

func hostileRequests() []hostile {
	const (
		ship    = "/api/v1/admin/shipments/RM-A1/ship"
		deliver = "/api/v1/admin/shipments/RM-A1/deliver"
		mine    = "/api/v1/shipments/RM-A1"
	)
	huge := `{"carrier":"RocketPost","trackingNo":"` + strings.Repeat("9", 2<<20) + `"}`
	long := strings.Repeat("R", shipping.MaxOrderNoLen+1)
	noHeaders := []string{}
	user := func(id string) []string { return []string{httpserver.HeaderUserID, id} }
	token := func(tok string) []string { return []string{httpserver.HeaderAdminToken, tok} }
	return []hostile{
		{name: "list: no user", method: "GET", path: "/api/v1/shipments", headers: noHeaders, status: 401, code: "USER_REQUIRED"},
		{name: "list: unknown user", method: "GET", path: "/api/v1/shipments", headers: user("mallory"), status: 401, code: "UNKNOWN_USER"},
		{name: "list: user id in another case", method: "GET", path: "/api/v1/shipments", headers: user("ALICE"), status: 401, code: "UNKNOWN_USER"},
		{name: "list: admin token is no user", method: "GET", path: "/api/v1/shipments", headers: token(adminToken), status: 401, code: "USER_REQUIRED"},
		{name: "get: no user", method: "GET", path: mine, headers: noHeaders, status: 401, code: "USER_REQUIRED"},
		{name: "get: order number with '!'", method: "GET", path: "/api/v1/shipments/RM!1", status: 400, code: shipping.CodeInvalidOrderNo},
		{name: "get: order number too long", method: "GET", path: "/api/v1/shipments/" + long, status: 400, code: shipping.CodeInvalidOrderNo},
		{name: "get: order number with a space", method: "GET", path: "/api/v1/shipments/RM%201", status: 400, code: shipping.CodeInvalidOrderNo},
		{name: "get: order number with NUL", method: "GET", path: "/api/v1/shipments/RM%001", status: 400, code: shipping.CodeInvalidOrderNo},
		{name: "get: SQL in the order number", method: "GET", path: "/api/v1/shipments/RM-A1'%20OR%20'1'='1", status: 400, code: shipping.CodeInvalidOrderNo},
		{name: "get: encoded slash", method: "GET", path: "/api/v1/shipments/RM%2FA1", status: 404, code: "ROUTE_NOT_FOUND"},
		{name: "get: another user's", method: "GET", path: mine, headers: user("bob"), status: 404, code: shipping.CodeShipmentNotFound},
		{name: "get: wrong method", method: "PUT", path: mine, status: 405, code: "METHOD_NOT_ALLOWED"},

		{name: "admin list: user header only", method: "GET", path: "/api/v1/admin/shipments", headers: user("alice"), status: 401, code: "ADMIN_TOKEN_REQUIRED"},
		{name: "admin list: wrong token", method: "GET", path: "/api/v1/admin/shipments", headers: token("guess"), status: 403, code: "INVALID_ADMIN_TOKEN"},
		{name: "admin list: empty filter", method: "GET", path: "/api/v1/admin/shipments?orderNo=", status: 400, code: shipping.CodeInvalidOrderNo},
		{name: "admin list: bad filter", method: "GET", path: "/api/v1/admin/shipments?orderNo=RM%2FA1", status: 400, code: shipping.CodeInvalidOrderNo},
		{name: "admin get: bad order number", method: "GET", path: "/api/v1/admin/shipments/" + long, status: 400, code: shipping.CodeInvalidOrderNo},
		{name: "admin get: missing", method: "GET", path: "/api/v1/admin/shipments/RM-NONE", status: 404, code: shipping.CodeShipmentNotFound},

		{name: "ship: no token", method: "POST", path: ship, headers: noHeaders, status: 401, code: "ADMIN_TOKEN_REQUIRED"},
		{name: "ship: user instead of admin", method: "POST", path: ship, headers: user("alice"), status: 401, code: "ADMIN_TOKEN_REQUIRED"},
		{name: "ship: wrong token", method: "POST", path: ship, headers: token(adminToken + "x"), status: 403, code: "INVALID_ADMIN_TOKEN"},
		{name: "ship: broken JSON", method: "POST", path: ship, body: `{"carrier":`, status: 400, code: "INVALID_JSON"},
		{name: "ship: not JSON", method: "POST", path: ship, body: `carrier=RocketPost`, status: 400, code: "INVALID_JSON"},
		{name: "ship: array", method: "POST", path: ship, body: `[{"carrier":"RocketPost"}]`, status: 400, code: "INVALID_JSON"},
		{name: "ship: two objects", method: "POST", path: ship, body: `{} {}`, status: 400, code: "INVALID_JSON"},
		{name: "ship: unknown field", method: "POST", path: ship, body: `{"carrier":"RocketPost","status":"DELIVERED"}`, status: 400, code: "INVALID_JSON"},
		{name: "ship: tracking number as number", method: "POST", path: ship, body: `{"trackingNo":12345}`, status: 400, code: "INVALID_JSON"},
		{name: "ship: tracking number with a space", method: "POST", path: ship, body: `{"trackingNo":"RP 1"}`, status: 400, code: shipping.CodeInvalidTrackingNo},
		{name: "ship: tracking number too long", method: "POST", path: ship, body: `{"trackingNo":"` + strings.Repeat("9", 65) + `"}`, status: 400, code: shipping.CodeInvalidTrackingNo},
		{name: "ship: carrier too long", method: "POST", path: ship, body: `{"carrier":"` + strings.Repeat("c", 33) + `"}`, status: 400, code: shipping.CodeInvalidCarrier},
		{name: "ship: carrier with markup", method: "POST", path: ship, body: `{"carrier":"<script>"}`, status: 400, code: shipping.CodeInvalidCarrier},
		{name: "ship: oversized body", method: "POST", path: ship, body: huge, status: 413, code: "BODY_TOO_LARGE"},
		{name: "ship: bad order number", method: "POST", path: "/api/v1/admin/shipments/RM!1/ship", status: 400, code: shipping.CodeInvalidOrderNo},
		{name: "ship: missing shipment", method: "POST", path: "/api/v1/admin/shipments/RM-NONE/ship", status: 404, code: shipping.CodeShipmentNotFound},
		{name: "ship: wrong method", method: "GET", path: ship, status: 405, code: "METHOD_NOT_ALLOWED"},
		{name: "deliver: before ship", method: "POST", path: deliver, status: 409, code: shipping.CodeShipmentNotShipped},
		{name: "deliver: no token", method: "POST", path: deliver, headers: noHeaders, status: 401, code: "ADMIN_TOKEN_REQUIRED"},
		{name: "deliver: missing shipment", method: "POST", path: "/api/v1/admin/shipments/RM-NONE/deliver", status: 404, code: shipping.CodeShipmentNotFound},
	}
}

// Every hostile request answers its exact status and code, and afterwards
// every shipment is exactly as it was.
func TestHostileRequests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		a.seed(t, "RM-A1", "alice")
		a.seed(t, "RM-B1", "bob")
		before, err := a.svc.AllShipments(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hostileRequests() {
			t.Run(h.name, func(t *testing.T) {
				headers := h.headers
				if headers == nil {
					headers = []string{httpserver.HeaderUserID, "alice"}
					if strings.HasPrefix(h.path, "/api/v1/admin/") {
						headers = []string{httpserver.HeaderAdminToken, adminToken}
					}
				}
				r := a.do(t, h.method, h.path, h.body, headers...)
				r.WantError(t, h.status, h.code)
				if strings.Contains(string(r.Body), "SELECT") || strings.Contains(string(r.Body), "constraint") {
					t.Errorf("body leaks database text: %s", r.Body)
				}
			})
		}
		after, err := a.svc.AllShipments(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, after) {
			t.Errorf("shipments changed:\nbefore %+v\nafter  %+v", before, after)
		}
	})
}

// A JSON null body decodes to no fields, like an empty body: RocketPost and
// a generated tracking number.
func TestShipAcceptsJSONNull(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	a.seed(t, "RM-A1", "alice")
	r := a.admin(t, "POST", "/api/v1/admin/shipments/RM-A1/ship", "null")
	if r.Status != http.StatusOK {
		t.Fatalf("ship with a JSON null body: %d %s; want 200 like an empty body", r.Status, r.Body)
	}
	if s := r.shipment(t); s.Carrier != shipping.DefaultCarrier {
		t.Errorf("carrier = %q, want the default", s.Carrier)
	}
}
