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
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
)

// hostileRequests are requests a client should not send; every one must
// answer its exact 4xx in the shared error shape and change no shipment
// (default headers: the admin token for /admin paths, X-User-ID alice
// otherwise).
func hostileRequests() []servetest.Hostile {
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
	return []servetest.Hostile{
		{Name: "list: no user", Method: "GET", Path: "/api/v1/shipments", Headers: noHeaders, Status: 401, Code: "USER_REQUIRED"},
		{Name: "list: unknown user", Method: "GET", Path: "/api/v1/shipments", Headers: user("mallory"), Status: 401, Code: "UNKNOWN_USER"},
		{Name: "list: user id in another case", Method: "GET", Path: "/api/v1/shipments", Headers: user("ALICE"), Status: 401, Code: "UNKNOWN_USER"},
		{Name: "list: admin token is no user", Method: "GET", Path: "/api/v1/shipments", Headers: token(adminToken), Status: 401, Code: "USER_REQUIRED"},
		{Name: "get: no user", Method: "GET", Path: mine, Headers: noHeaders, Status: 401, Code: "USER_REQUIRED"},
		{Name: "get: order number with '!'", Method: "GET", Path: "/api/v1/shipments/RM!1", Status: 400, Code: shipping.CodeInvalidOrderNo},
		{Name: "get: order number too long", Method: "GET", Path: "/api/v1/shipments/" + long, Status: 400, Code: shipping.CodeInvalidOrderNo},
		{Name: "get: order number with a space", Method: "GET", Path: "/api/v1/shipments/RM%201", Status: 400, Code: shipping.CodeInvalidOrderNo},
		{Name: "get: order number with NUL", Method: "GET", Path: "/api/v1/shipments/RM%001", Status: 400, Code: shipping.CodeInvalidOrderNo},
		{Name: "get: SQL in the order number", Method: "GET", Path: "/api/v1/shipments/RM-A1'%20OR%20'1'='1", Status: 400, Code: shipping.CodeInvalidOrderNo},
		{Name: "get: encoded slash", Method: "GET", Path: "/api/v1/shipments/RM%2FA1", Status: 404, Code: "ROUTE_NOT_FOUND"},
		{Name: "get: another user's", Method: "GET", Path: mine, Headers: user("bob"), Status: 404, Code: shipping.CodeShipmentNotFound},
		{Name: "get: wrong method", Method: "PUT", Path: mine, Status: 405, Code: "METHOD_NOT_ALLOWED"},

		{Name: "admin list: user header only", Method: "GET", Path: "/api/v1/admin/shipments", Headers: user("alice"), Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "admin list: wrong token", Method: "GET", Path: "/api/v1/admin/shipments", Headers: token("guess"), Status: 403, Code: "INVALID_ADMIN_TOKEN"},
		{Name: "admin list: empty filter", Method: "GET", Path: "/api/v1/admin/shipments?orderNo=", Status: 400, Code: shipping.CodeInvalidOrderNo},
		{Name: "admin list: bad filter", Method: "GET", Path: "/api/v1/admin/shipments?orderNo=RM%2FA1", Status: 400, Code: shipping.CodeInvalidOrderNo},
		{Name: "admin get: bad order number", Method: "GET", Path: "/api/v1/admin/shipments/" + long, Status: 400, Code: shipping.CodeInvalidOrderNo},
		{Name: "admin get: missing", Method: "GET", Path: "/api/v1/admin/shipments/RM-NONE", Status: 404, Code: shipping.CodeShipmentNotFound},

		{Name: "ship: no token", Method: "POST", Path: ship, Headers: noHeaders, Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "ship: user instead of admin", Method: "POST", Path: ship, Headers: user("alice"), Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "ship: wrong token", Method: "POST", Path: ship, Headers: token(adminToken + "x"), Status: 403, Code: "INVALID_ADMIN_TOKEN"},
		{Name: "ship: broken JSON", Method: "POST", Path: ship, Body: `{"carrier":`, Status: 400, Code: "INVALID_JSON"},
		{Name: "ship: not JSON", Method: "POST", Path: ship, Body: `carrier=RocketPost`, Status: 400, Code: "INVALID_JSON"},
		{Name: "ship: array", Method: "POST", Path: ship, Body: `[{"carrier":"RocketPost"}]`, Status: 400, Code: "INVALID_JSON"},
		{Name: "ship: two objects", Method: "POST", Path: ship, Body: `{} {}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "ship: unknown field", Method: "POST", Path: ship, Body: `{"carrier":"RocketPost","status":"DELIVERED"}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "ship: tracking number as number", Method: "POST", Path: ship, Body: `{"trackingNo":12345}`, Status: 400, Code: "INVALID_JSON"},
		{Name: "ship: tracking number with a space", Method: "POST", Path: ship, Body: `{"trackingNo":"RP 1"}`, Status: 400, Code: shipping.CodeInvalidTrackingNo},
		{Name: "ship: tracking number too long", Method: "POST", Path: ship, Body: `{"trackingNo":"` + strings.Repeat("9", 65) + `"}`, Status: 400, Code: shipping.CodeInvalidTrackingNo},
		{Name: "ship: carrier too long", Method: "POST", Path: ship, Body: `{"carrier":"` + strings.Repeat("c", 33) + `"}`, Status: 400, Code: shipping.CodeInvalidCarrier},
		{Name: "ship: carrier with markup", Method: "POST", Path: ship, Body: `{"carrier":"<script>"}`, Status: 400, Code: shipping.CodeInvalidCarrier},
		{Name: "ship: oversized body", Method: "POST", Path: ship, Body: huge, Status: 413, Code: "BODY_TOO_LARGE"},
		{Name: "ship: bad order number", Method: "POST", Path: "/api/v1/admin/shipments/RM!1/ship", Status: 400, Code: shipping.CodeInvalidOrderNo},
		{Name: "ship: missing shipment", Method: "POST", Path: "/api/v1/admin/shipments/RM-NONE/ship", Status: 404, Code: shipping.CodeShipmentNotFound},
		{Name: "ship: wrong method", Method: "GET", Path: ship, Status: 405, Code: "METHOD_NOT_ALLOWED"},
		{Name: "deliver: before ship", Method: "POST", Path: deliver, Status: 409, Code: shipping.CodeShipmentNotShipped},
		{Name: "deliver: no token", Method: "POST", Path: deliver, Headers: noHeaders, Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "deliver: missing shipment", Method: "POST", Path: "/api/v1/admin/shipments/RM-NONE/deliver", Status: 404, Code: shipping.CodeShipmentNotFound},
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
		servetest.RunHostile(t, a.handler, func(h servetest.Hostile) []string {
			if strings.HasPrefix(h.Path, "/api/v1/admin/") {
				return []string{httpserver.HeaderAdminToken, adminToken}
			}
			return []string{httpserver.HeaderUserID, "alice"}
		}, hostileRequests(), nil)
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
