package httpapi_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// hostileRequests are requests a client should not send: each must answer
// the exact 4xx in the shared error shape, and change nothing (default
// method GET, default headers X-User-ID alice).
func hostileRequests() []servetest.Hostile {
	const ledger, admin = "/api/v1/points/ledger", "/api/v1/admin/points/ledger"
	adminAuth := []string{httpserver.HeaderAdminToken, adminToken}
	long := strings.Repeat("R", points.MaxIDLen+1)
	return []servetest.Hostile{
		{Name: "no user", Path: "/api/v1/points", Headers: []string{}, Status: 401, Code: "USER_REQUIRED"},
		{Name: "unknown user", Path: "/api/v1/points", Headers: []string{httpserver.HeaderUserID, "mallory"}, Status: 401, Code: "UNKNOWN_USER"},
		{Name: "user id differing in case", Path: "/api/v1/points", Headers: []string{httpserver.HeaderUserID, "Alice"}, Status: 401, Code: "UNKNOWN_USER"},
		{Name: "ledger: unknown user", Path: ledger, Headers: []string{httpserver.HeaderUserID, "root"}, Status: 401, Code: "UNKNOWN_USER"},
		{Name: "limit not a number", Path: ledger + "?limit=abc", Status: 400, Code: points.CodeInvalidLimit},
		{Name: "limit empty", Path: ledger + "?limit=", Status: 400, Code: points.CodeInvalidLimit},
		{Name: "limit 0", Path: ledger + "?limit=0", Status: 400, Code: points.CodeInvalidLimit},
		{Name: "limit negative", Path: ledger + "?limit=-5", Status: 400, Code: points.CodeInvalidLimit},
		{Name: "limit too large", Path: ledger + "?limit=201", Status: 400, Code: points.CodeInvalidLimit},
		{Name: "limit beyond int64", Path: ledger + "?limit=99999999999999999999", Status: 400, Code: points.CodeInvalidLimit},
		{Name: "limit fraction", Path: ledger + "?limit=1.5", Status: 400, Code: points.CodeInvalidLimit},
		{Name: "limit twice", Path: ledger + "?limit=1&limit=2", Status: 400, Code: points.CodeInvalidLimit},
		{Name: "orderNo empty", Path: ledger + "?orderNo=", Status: 400, Code: points.CodeInvalidOrderNo},
		{Name: "orderNo too long", Path: ledger + "?orderNo=" + long, Status: 400, Code: points.CodeInvalidOrderNo},
		{Name: "orderNo with space", Path: ledger + "?orderNo=" + url.QueryEscape("RM 1"), Status: 400, Code: points.CodeInvalidOrderNo},
		{Name: "orderNo with NUL", Path: ledger + "?orderNo=RM%00", Status: 400, Code: points.CodeInvalidOrderNo},
		{Name: "orderNo not ASCII", Path: ledger + "?orderNo=" + url.QueryEscape("RM-ü"), Status: 400, Code: points.CodeInvalidOrderNo},
		{Name: "orderNo SQL", Path: ledger + "?orderNo=" + url.QueryEscape("' OR 1=1 --"), Status: 400, Code: points.CodeInvalidOrderNo},
		{Name: "orderNo twice", Path: ledger + "?orderNo=RM-1&orderNo=RM-2", Status: 400, Code: points.CodeInvalidOrderNo},
		{Name: "POST the balance", Method: "POST", Path: "/api/v1/points", Status: 405, Code: "METHOD_NOT_ALLOWED"},
		{Name: "DELETE the ledger", Method: "DELETE", Path: ledger, Status: 405, Code: "METHOD_NOT_ALLOWED"},
		{Name: "no such route", Path: "/api/v1/points/accounts", Status: 404, Code: "ROUTE_NOT_FOUND"},
		{Name: "admin: no token", Path: "/api/v1/admin/points/accounts", Headers: []string{}, Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "admin: user header only", Path: "/api/v1/admin/points/accounts", Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "admin: wrong token", Path: admin, Headers: []string{httpserver.HeaderAdminToken, "guess"}, Status: 403, Code: "INVALID_ADMIN_TOKEN"},
		{Name: "admin: orderNo too long", Path: admin + "?orderNo=" + long, Headers: adminAuth, Status: 400, Code: points.CodeInvalidOrderNo},
		{Name: "admin: orderNo empty", Path: admin + "?orderNo=", Headers: adminAuth, Status: 400, Code: points.CodeInvalidOrderNo},
		{Name: "admin: orderNo twice", Path: admin + "?orderNo=a&orderNo=b", Headers: adminAuth, Status: 400, Code: points.CodeInvalidOrderNo},
	}
}

func TestHostileRequests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		a.credit(t, "alice", "RM-1", 4_200)
		before := a.admin(t, "/api/v1/admin/points/ledger").Body
		servetest.RunHostile(t, a.handler, func(servetest.Hostile) []string {
			return []string{httpserver.HeaderUserID, "alice"}
		}, hostileRequests(), nil)
		if after := a.admin(t, "/api/v1/admin/points/ledger").Body; !bytes.Equal(after, before) {
			t.Errorf("the ledger changed:\n%s\nwas\n%s", after, before)
		}
	})
}
