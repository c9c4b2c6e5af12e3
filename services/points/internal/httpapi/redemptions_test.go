package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
	"github.com/rocketmart/rocketmart/services/points/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

func (a app) redeem(t *testing.T, body string) response {
	t.Helper()
	return response{servetest.Do(a.handler, http.MethodPost, "/api/v1/redemptions", body, httpserver.HeaderAdminToken, adminToken)}
}

func TestRedemptionsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		a.credit(t, "alice", "RM-EARN", 50_000) // 500 points
		r := a.redeem(t, `{"orderNo":"RM-1","userId":"alice","points":200,"eventId":"evt-1"}`)
		var got httpapi.RedemptionResponse
		if err := json.Unmarshal(r.Body, &got); r.Status != http.StatusCreated || err != nil ||
			got.Points != 200 || got.Status != "REDEEMED" || got.UserID != "alice" || got.EventID != "evt-1" {
			t.Fatalf("redeem: %d %s", r.Status, r.Body)
		}
		if r := a.redeem(t, `{"orderNo":"RM-1","userId":"alice","points":200}`); r.Status != http.StatusOK {
			t.Errorf("redeem again: %d %s, want 200", r.Status, r.Body)
		}
		a.redeem(t, `{"orderNo":"RM-1","userId":"alice","points":201}`).WantError(t, http.StatusConflict, points.CodeRedemptionMismatch)
		a.redeem(t, `{"orderNo":"RM-2","userId":"alice","points":301}`).WantError(t, http.StatusConflict, points.CodeInsufficientPoints)
		a.redeem(t, `{"orderNo":"RM-3","userId":"alice","points":1,"notAfter":"2020-01-01T00:00:00Z"}`).
			WantError(t, http.StatusConflict, points.CodeRedemptionTooLate)
		a.admin(t, "/api/v1/redemptions/RM-1").decode(t, &got)
		if got.Points != 200 || got.Status != "REDEEMED" {
			t.Errorf("GET redemption: %+v", got)
		}
		a.admin(t, "/api/v1/redemptions/RM-2").WantError(t, http.StatusNotFound, points.CodeRedemptionNotFound)
		var st httpapi.StatementResponse
		a.as(t, "alice", "/api/v1/points").decode(t, &st)
		if st.Balance != 300 || len(st.Ledger) != 2 || st.Ledger[0].Reason != "ORDER_REDEEMED" || st.Ledger[0].Points != -200 {
			t.Errorf("statement after redeeming: %+v", st)
		}
	})
}

func TestRedemptionsHostile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		a.credit(t, "alice", "RM-EARN", 50_000)
		const path = "/api/v1/redemptions"
		adminAuth := []string{httpserver.HeaderAdminToken, adminToken}
		body := func(fields string) string { return `{"orderNo":"RM-9","userId":"alice",` + fields + `}` }
		long := strings.Repeat("R", points.MaxIDLen+1)
		cases := []servetest.Hostile{
			{Name: "no token", Method: "POST", Path: path, Body: body(`"points":1`), Headers: []string{}, Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
			{Name: "a user, not the order service", Method: "POST", Path: path, Body: body(`"points":1`), Headers: []string{httpserver.HeaderUserID, "alice"}, Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
			{Name: "wrong token", Method: "POST", Path: path, Body: body(`"points":1`), Headers: []string{httpserver.HeaderAdminToken, "guess"}, Status: 403, Code: "INVALID_ADMIN_TOKEN"},
			{Name: "no body", Method: "POST", Path: path, Status: 400, Code: "INVALID_JSON"},
			{Name: "broken JSON", Method: "POST", Path: path, Body: `{"orderNo":`, Status: 400, Code: "INVALID_JSON"},
			{Name: "unknown field", Method: "POST", Path: path, Body: body(`"pts":1`), Status: 400, Code: "INVALID_JSON"},
			{Name: "zero points", Method: "POST", Path: path, Body: body(`"points":0`), Status: 400, Code: points.CodeInvalidPoints},
			{Name: "negative points", Method: "POST", Path: path, Body: body(`"points":-1`), Status: 400, Code: points.CodeInvalidPoints},
			{Name: "too many points", Method: "POST", Path: path, Body: body(`"points":100000001`), Status: 400, Code: points.CodeInvalidPoints},
			{Name: "fractional points", Method: "POST", Path: path, Body: body(`"points":1.5`), Status: 400, Code: "INVALID_JSON"},
			{Name: "string points", Method: "POST", Path: path, Body: body(`"points":"1"`), Status: 400, Code: "INVALID_JSON"},
			{Name: "order with space", Method: "POST", Path: path, Body: `{"orderNo":"RM 9","userId":"alice","points":1}`, Status: 400, Code: points.CodeInvalidOrderNo},
			{Name: "order too long", Method: "POST", Path: path, Body: `{"orderNo":"` + long + `","userId":"alice","points":1}`, Status: 400, Code: points.CodeInvalidOrderNo},
			{Name: "no user", Method: "POST", Path: path, Body: `{"orderNo":"RM-9","points":1}`, Status: 400, Code: points.CodeInvalidUserID},
			{Name: "event id with space", Method: "POST", Path: path, Body: body(`"points":1,"eventId":"a b"`), Status: 400, Code: points.CodeInvalidEventID},
			{Name: "GET: order too long", Path: path + "/" + long, Status: 400, Code: points.CodeInvalidOrderNo},
			{Name: "GET: no token", Path: path + "/RM-9", Headers: []string{}, Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		}
		before := a.admin(t, "/api/v1/admin/points/ledger").Body
		servetest.RunHostile(t, a.handler, func(servetest.Hostile) []string { return adminAuth }, cases, nil)
		if after := a.admin(t, "/api/v1/admin/points/ledger").Body; !bytes.Equal(after, before) {
			t.Errorf("the ledger changed:\n%s\nwas\n%s", after, before)
		}
	})
}
