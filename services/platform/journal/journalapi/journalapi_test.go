package journalapi_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/journal/journalapi"
)

const token = "s3cret"

func setup(t *testing.T, db *gorm.DB) (*journal.Journal, http.Handler) {
	t.Helper()
	if err := journal.Migrate(db); err != nil {
		t.Fatal(err)
	}
	j := journal.New(db, journal.Config{Actor: "order", Instance: "127.0.0.1:8081", Log: slog.New(slog.DiscardHandler)})
	t.Cleanup(j.Close)
	srv := httpserver.New(httpserver.Config{}, nil)
	journalapi.Register(srv.Router(), j, token)
	return j, srv.Handler()
}

func admin() []string { return []string{httpserver.HeaderAdminToken, token} }

// The answer is the contract's: entries oldest first in the shared shape,
// empty fields left out, and the retention.
func TestByKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		j, h := setup(t, db)
		at := time.Date(2026, 12, 3, 7, 0, 0, 123456000, time.UTC)
		j.Record(t.Context(), journal.Entry{At: at.Add(time.Millisecond), Key: "RM20261203-ABC", Step: journal.StepLocalTransaction,
			TxID: "tx1", Outcome: "rollback", Detail: "payment declined"})
		j.Record(t.Context(), journal.Entry{At: at, Key: "RM20261203-ABC", Step: journal.StepHalfSent, Topic: "ORDER_PAID", MsgID: "m1", TxID: "tx1"})
		j.Record(t.Context(), journal.Entry{At: at, Key: "RM20261203-XYZ", Step: journal.StepHalfSent})

		r := servetest.Do(h, http.MethodGet, journalapi.Base+"?key=RM20261203-ABC", "", admin()...)
		if r.Status != http.StatusOK {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		want := `{"entries":[` +
			`{"at":"2026-12-03T07:00:00.123456Z","actor":"order","instance":"127.0.0.1:8081","step":"half-sent","key":"RM20261203-ABC","topic":"ORDER_PAID","msgId":"m1","txId":"tx1"},` +
			`{"at":"2026-12-03T07:00:00.124456Z","actor":"order","instance":"127.0.0.1:8081","step":"local-transaction","key":"RM20261203-ABC","txId":"tx1","outcome":"rollback","detail":"payment declined"}` +
			`],"retention":"24 h, at most 100000 entries, in this service's database"}`
		if string(r.Body) != want {
			t.Errorf("got  %s\nwant %s", r.Body, want)
		}

		r = servetest.Do(h, http.MethodGet, journalapi.Base+"?key=RM-NONE", "", admin()...)
		var none journalapi.Response
		if err := json.Unmarshal(r.Body, &none); err != nil || r.Status != http.StatusOK || none.Entries == nil || len(none.Entries) != 0 {
			t.Errorf("unknown key: %d %s, want 200 with entries []", r.Status, r.Body)
		}
	})
}

// Requests a client should not send: each refused with its code, and a bad
// key names the field.
func TestHostile(t *testing.T) {
	_, h := setup(t, dbtest.SQLite(t))
	get := func(name, query string, code string) servetest.Hostile {
		return servetest.Hostile{Name: name, Path: journalapi.Base + query, Status: http.StatusBadRequest, Code: code}
	}
	reqs := []servetest.Hostile{
		{Name: "no token", Path: journalapi.Base + "?key=RM-1", Headers: []string{}, Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "wrong token", Path: journalapi.Base + "?key=RM-1", Headers: []string{httpserver.HeaderAdminToken, "guess"}, Status: 403, Code: "INVALID_ADMIN_TOKEN"},
		get("no key", "", journalapi.CodeKeyRequired),
		get("empty key", "?key=", journalapi.CodeKeyRequired),
		get("key with a space", "?key="+url.QueryEscape("RM-1 RM-2"), journalapi.CodeInvalidKey),
		get("key with a newline", "?key="+url.QueryEscape("RM-1\n"), journalapi.CodeInvalidKey),
		get("key not ASCII", "?key="+url.QueryEscape("RMé"), journalapi.CodeInvalidKey),
		get("key too long", "?key="+strings.Repeat("R", journal.MaxKeyLen+1), journalapi.CodeInvalidKey),
		{Name: "POST", Method: http.MethodPost, Path: journalapi.Base + "?key=RM-1", Status: 405, Code: "METHOD_NOT_ALLOWED"},
	}
	servetest.RunHostile(t, h, func(servetest.Hostile) []string { return admin() }, reqs, nil)

	for _, q := range []string{"", "?key=" + url.QueryEscape("RM 1")} {
		r := servetest.Do(h, http.MethodGet, journalapi.Base+q, "", admin()...)
		var e httpserver.ErrorResponse
		if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Details["field"] != "key" {
			t.Errorf("GET %s: %s; want details.field key", q, r.Body)
		}
	}
}
