package httpapi_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// hostile is one request a client should not send: it must answer the
// exact 4xx in the shared error shape, and change nothing.
type hostile struct {
	name    string
	method  string // default GET
	path    string
	headers []string // default: X-User-ID alice
	status  int
	code    string
}

func hostileRequests() []hostile {
	const ledger, admin = "/api/v1/points/ledger", "/api/v1/admin/points/ledger"
	adminAuth := []string{httpserver.HeaderAdminToken, adminToken}
	long := strings.Repeat("R", points.MaxIDLen+1)
	return []hostile{
		{name: "no user", path: "/api/v1/points", headers: []string{}, status: 401, code: "USER_REQUIRED"},
		{name: "unknown user", path: "/api/v1/points", headers: []string{httpserver.HeaderUserID, "mallory"}, status: 401, code: "UNKNOWN_USER"},
		{name: "user id differing in case", path: "/api/v1/points", headers: []string{httpserver.HeaderUserID, "Alice"}, status: 401, code: "UNKNOWN_USER"},
		{name: "ledger: unknown user", path: ledger, headers: []string{httpserver.HeaderUserID, "root"}, status: 401, code: "UNKNOWN_USER"},
		{name: "limit not a number", path: ledger + "?limit=abc", status: 400, code: points.CodeInvalidLimit},
		{name: "limit empty", path: ledger + "?limit=", status: 400, code: points.CodeInvalidLimit},
		{name: "limit 0", path: ledger + "?limit=0", status: 400, code: points.CodeInvalidLimit},
		{name: "limit negative", path: ledger + "?limit=-5", status: 400, code: points.CodeInvalidLimit},
		{name: "limit too large", path: ledger + "?limit=201", status: 400, code: points.CodeInvalidLimit},
		{name: "limit beyond int64", path: ledger + "?limit=99999999999999999999", status: 400, code: points.CodeInvalidLimit},
		{name: "limit fraction", path: ledger + "?limit=1.5", status: 400, code: points.CodeInvalidLimit},
		{name: "limit twice", path: ledger + "?limit=1&limit=2", status: 400, code: points.CodeInvalidLimit},
		{name: "orderNo empty", path: ledger + "?orderNo=", status: 400, code: points.CodeInvalidOrderNo},
		{name: "orderNo too long", path: ledger + "?orderNo=" + long, status: 400, code: points.CodeInvalidOrderNo},
		{name: "orderNo with space", path: ledger + "?orderNo=" + url.QueryEscape("RM 1"), status: 400, code: points.CodeInvalidOrderNo},
		{name: "orderNo with NUL", path: ledger + "?orderNo=RM%00", status: 400, code: points.CodeInvalidOrderNo},
		{name: "orderNo not ASCII", path: ledger + "?orderNo=" + url.QueryEscape("RM-ü"), status: 400, code: points.CodeInvalidOrderNo},
		{name: "orderNo SQL", path: ledger + "?orderNo=" + url.QueryEscape("' OR 1=1 --"), status: 400, code: points.CodeInvalidOrderNo},
		{name: "orderNo twice", path: ledger + "?orderNo=RM-1&orderNo=RM-2", status: 400, code: points.CodeInvalidOrderNo},
		{name: "POST the balance", method: "POST", path: "/api/v1/points", status: 405, code: "METHOD_NOT_ALLOWED"},
		{name: "DELETE the ledger", method: "DELETE", path: ledger, status: 405, code: "METHOD_NOT_ALLOWED"},
		{name: "no such route", path: "/api/v1/points/accounts", status: 404, code: "ROUTE_NOT_FOUND"},
		{name: "admin: no token", path: "/api/v1/admin/points/accounts", headers: []string{}, status: 401, code: "ADMIN_TOKEN_REQUIRED"},
		{name: "admin: user header only", path: "/api/v1/admin/points/accounts", status: 401, code: "ADMIN_TOKEN_REQUIRED"},
		{name: "admin: wrong token", path: admin, headers: []string{httpserver.HeaderAdminToken, "guess"}, status: 403, code: "INVALID_ADMIN_TOKEN"},
		{name: "admin: orderNo too long", path: admin + "?orderNo=" + long, headers: adminAuth, status: 400, code: points.CodeInvalidOrderNo},
		{name: "admin: orderNo empty", path: admin + "?orderNo=", headers: adminAuth, status: 400, code: points.CodeInvalidOrderNo},
		{name: "admin: orderNo twice", path: admin + "?orderNo=a&orderNo=b", headers: adminAuth, status: 400, code: points.CodeInvalidOrderNo},
	}
}

func TestHostileRequests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		a.credit(t, "alice", "RM-1", 4_200)
		before := a.admin(t, "/api/v1/admin/points/ledger").Body
		for _, h := range hostileRequests() {
			t.Run(h.name, func(t *testing.T) {
				headers := h.headers
				if headers == nil {
					headers = []string{httpserver.HeaderUserID, "alice"}
				}
				method := h.method
				if method == "" {
					method = http.MethodGet
				}
				a.do(t, method, h.path, headers...).WantError(t, h.status, h.code)
			})
		}
		if after := a.admin(t, "/api/v1/admin/points/ledger").Body; !bytes.Equal(after, before) {
			t.Errorf("the ledger changed:\n%s\nwas\n%s", after, before)
		}
	})
}
