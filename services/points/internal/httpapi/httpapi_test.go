package httpapi_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/points/internal/httpapi"
)

// A user who never earned points sees 0 and an empty list, not null and
// not a 404.
func TestStatementOfANewUser(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	r := a.as(t, "carol", "/api/v1/points")
	var raw map[string]json.RawMessage
	r.decode(t, &raw)
	if string(raw["userId"]) != `"carol"` || string(raw["balance"]) != "0" || string(raw["ledger"]) != "[]" || len(raw) != 3 {
		t.Errorf("statement %s, want {userId carol, balance 0, ledger []}", r.Body)
	}
	var entries map[string]json.RawMessage
	a.as(t, "carol", "/api/v1/points/ledger").decode(t, &entries)
	if string(entries["entries"]) != "[]" {
		t.Errorf("ledger %s, want entries []", a.as(t, "carol", "/api/v1/points/ledger").Body)
	}
}

func TestStatementAndLedger(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		for i := range 55 {
			a.credit(t, "alice", fmt.Sprintf("RM-%02d", i), int64(i)*100+99)
		}
		first := a.credit(t, "bob", "RM-BOB", 1_000)

		var st httpapi.StatementResponse
		a.as(t, "alice", "/api/v1/points").decode(t, &st)
		if st.UserID != "alice" || st.Balance != 54*55/2 || len(st.Ledger) != 50 {
			t.Fatalf("alice: %s has balance %d and %d entries; want %d and 50", st.UserID, st.Balance, len(st.Ledger), 54*55/2)
		}
		if st.Ledger[0].OrderNo != "RM-54" || st.Ledger[0].Points != 54 || st.Ledger[49].OrderNo != "RM-05" {
			t.Errorf("ledger not newest first: %+v … %+v", st.Ledger[0], st.Ledger[49])
		}

		// The entry's JSON fields, exactly.
		var raw struct{ Entries []map[string]json.RawMessage }
		a.as(t, "bob", "/api/v1/points/ledger").decode(t, &raw)
		if len(raw.Entries) != 1 {
			t.Fatalf("bob's entries: %+v", raw.Entries)
		}
		var keys []string
		for k := range raw.Entries[0] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if want := []string{"createdAt", "eventId", "id", "orderNo", "points", "reason", "userId"}; !slices.Equal(keys, want) {
			t.Errorf("entry fields %v, want %v", keys, want)
		}
		var got httpapi.EntriesResponse
		a.as(t, "bob", "/api/v1/points/ledger").decode(t, &got)
		e := got.Entries[0]
		if e.ID != first.ID || e.UserID != "bob" || e.OrderNo != "RM-BOB" || e.Reason != "ORDER_PAID" ||
			e.Points != 10 || e.EventID != "ev-RM-BOB" || !e.CreatedAt.Equal(first.CreatedAt) || e.CreatedAt.Location() != time.UTC {
			t.Errorf("bob's entry %+v, want %+v", e, first)
		}

		a.as(t, "alice", "/api/v1/points/ledger?limit=3").decode(t, &got)
		if len(got.Entries) != 3 || got.Entries[0].OrderNo != "RM-54" || got.Entries[2].OrderNo != "RM-52" {
			t.Errorf("limit 3: %+v", got.Entries)
		}
		a.as(t, "alice", "/api/v1/points/ledger?limit=200").decode(t, &got)
		if len(got.Entries) != 55 {
			t.Errorf("limit 200: %d entries, want 55", len(got.Entries))
		}
		a.as(t, "alice", "/api/v1/points/ledger").decode(t, &got)
		if len(got.Entries) != 50 {
			t.Errorf("default limit: %d entries, want 50", len(got.Entries))
		}
		a.as(t, "alice", "/api/v1/points/ledger?orderNo=RM-07").decode(t, &got)
		if len(got.Entries) != 1 || got.Entries[0].Points != 7 {
			t.Errorf("RM-07: %+v", got.Entries)
		}
		// Another user's order is not the caller's: nothing, as for an unknown one.
		a.as(t, "alice", "/api/v1/points/ledger?orderNo=RM-BOB").decode(t, &got)
		if len(got.Entries) != 0 {
			t.Errorf("alice sees bob's entry: %+v", got.Entries)
		}
	})
}

func TestAdminViews(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		a.credit(t, "alice", "RM-1", 12_345)
		a.credit(t, "alice", "RM-2", 50)
		a.credit(t, "bob", "RM-3", 700)

		var accounts httpapi.AccountsResponse
		a.admin(t, "/api/v1/admin/points/accounts").decode(t, &accounts)
		want := []httpapi.AccountCheckResponse{{UserID: "alice", Balance: 123, LedgerSum: 123}, {UserID: "bob", Balance: 7, LedgerSum: 7}}
		if !slices.Equal(accounts.Accounts, want) {
			t.Errorf("accounts %+v, want %+v", accounts.Accounts, want)
		}

		var all httpapi.EntriesResponse
		a.admin(t, "/api/v1/admin/points/ledger").decode(t, &all)
		if len(all.Entries) != 3 || all.Entries[0].OrderNo != "RM-1" || all.Entries[1].Points != 0 || all.Entries[2].UserID != "bob" {
			t.Errorf("ledger %+v, want the three entries oldest first", all.Entries)
		}
		a.admin(t, "/api/v1/admin/points/ledger?orderNo=RM-3").decode(t, &all)
		if len(all.Entries) != 1 || all.Entries[0].UserID != "bob" {
			t.Errorf("RM-3: %+v", all.Entries)
		}
		a.admin(t, "/api/v1/admin/points/ledger?orderNo=RM-404").decode(t, &all)
		if len(all.Entries) != 0 {
			t.Errorf("unknown order: %+v", all.Entries)
		}
	})
}
