package store_test

import (
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

func TestRecordAppliesOncePerEventAndPerOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		e := entry("alice", "RM-1", "ev-1", 123)
		got := mustRecord(t, s, e)
		if got.ID == 0 || got.Points != 123 || got.EventID != "ev-1" || !got.CreatedAt.Equal(e.CreatedAt) {
			t.Errorf("recorded %+v", got)
		}

		_, err := s.Record(t.Context(), group, e)
		if !errors.Is(err, apperr.ErrAlreadyApplied) || !strings.Contains(err.Error(), "event ev-1 was processed before") {
			t.Errorf("same event again: %v, want ErrAlreadyApplied saying the event was seen", err)
		}
		_, err = s.Record(t.Context(), group, entry("alice", "RM-1", "ev-2", 123))
		if !errors.Is(err, apperr.ErrAlreadyApplied) || !strings.Contains(err.Error(), "order RM-1 already has its") {
			t.Errorf("second event for the order: %v, want ErrAlreadyApplied saying the order has its entry", err)
		}
		// Another consumer group claims separately, but the order's key holds.
		_, err = s.Record(t.Context(), "other-group", e)
		if !errors.Is(err, apperr.ErrAlreadyApplied) {
			t.Errorf("same event in another group: %v, want ErrAlreadyApplied", err)
		}

		if b := balance(t, s, "alice"); b != 123 {
			t.Errorf("balance %d, want 123", b)
		}
		if n := count(t, db, "point_ledger", "order_no = ?", "RM-1"); n != 1 {
			t.Errorf("%d entries for RM-1, want 1", n)
		}
		// The second event's claim was rolled back with its entry: every
		// claim has its own entry.
		if n := count(t, db, "processed_events", "1 = 1"); n != 1 {
			t.Errorf("%d claims, want 1 (ev-1 only)", n)
		}
		if n := count(t, db, "processed_events", "consumer = ? AND event_id = ?", group, "ev-2"); n != 0 {
			t.Errorf("the duplicate order's event ev-2 is claimed")
		}
		checkBalances(t, s)
	})
}

// An order under 1.00 earns 0 points and still gets its one entry, which
// opens the account at 0 and makes a second event for the order a duplicate.
func TestZeroPointCreditIsRecorded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustRecord(t, s, entry("carol", "RM-CHEAP", "ev-1", 0))
		if _, err := s.Record(t.Context(), group, entry("carol", "RM-CHEAP", "ev-2", 0)); !errors.Is(err, apperr.ErrAlreadyApplied) {
			t.Errorf("second event: %v, want ErrAlreadyApplied", err)
		}
		st, err := s.Statement(t.Context(), "carol", 10)
		if err != nil || st.Balance != 0 || len(st.Ledger) != 1 || st.Ledger[0].Points != 0 {
			t.Errorf("statement %+v, %v; want balance 0 with one 0-point entry", st, err)
		}
		if n := count(t, db, "point_accounts", "user_id = ?", "carol"); n != 1 {
			t.Errorf("%d accounts for carol, want 1", n)
		}
		checkBalances(t, s)
	})
}

// A failure after the claim and the entry were written rolls all three
// back: nothing is left that would make a retry look like a duplicate.
func TestRecordIsAtomic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustRecord(t, s, entry("alice", "RM-0", "ev-0", 5))
		injected := errors.New("injected: account write failed")
		failing := true
		err := db.Callback().Create().After("gorm:create").Register("test:fail-account", func(tx *gorm.DB) {
			if failing && tx.Statement.Table == "point_accounts" {
				tx.AddError(injected)
			}
		})
		if err != nil {
			t.Fatal(err)
		}

		_, err = s.Record(t.Context(), group, entry("alice", "RM-1", "ev-1", 40))
		if !errors.Is(err, injected) || errors.Is(err, apperr.ErrAlreadyApplied) {
			t.Fatalf("Record with a failing account write: %v", err)
		}
		if n := count(t, db, "point_ledger", "order_no = ?", "RM-1"); n != 0 {
			t.Errorf("%d entries left by the failed transaction", n)
		}
		if n := count(t, db, "processed_events", "event_id = ?", "ev-1"); n != 0 {
			t.Errorf("claim left by the failed transaction")
		}
		if b := balance(t, s, "alice"); b != 5 {
			t.Errorf("balance %d after the failure, want 5", b)
		}

		failing = false
		mustRecord(t, s, entry("alice", "RM-1", "ev-1", 40))
		if b := balance(t, s, "alice"); b != 45 {
			t.Errorf("balance %d after the retry, want 45", b)
		}
		checkBalances(t, s)
	})
}

func TestStatementAndEntries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		st, err := s.Statement(t.Context(), "bob", points.RecentEntries)
		if err != nil || st.UserID != "bob" || st.Balance != 0 || len(st.Ledger) != 0 {
			t.Errorf("statement without an account: %+v, %v", st, err)
		}
		for i := range 55 {
			mustRecord(t, s, entry("bob", orderNo(i), "ev-"+orderNo(i), int64(i)))
		}
		mustRecord(t, s, entry("alice", "RM-A", "ev-a", 7))

		st, err = s.Statement(t.Context(), "bob", points.RecentEntries)
		if err != nil {
			t.Fatal(err)
		}
		if st.Balance != 54*55/2 || len(st.Ledger) != points.RecentEntries {
			t.Fatalf("balance %d with %d entries, want %d with %d", st.Balance, len(st.Ledger), 54*55/2, points.RecentEntries)
		}
		if st.Ledger[0].OrderNo != orderNo(54) || st.Ledger[49].OrderNo != orderNo(5) {
			t.Errorf("ledger runs %s … %s, want newest first %s … %s", st.Ledger[0].OrderNo, st.Ledger[49].OrderNo, orderNo(54), orderNo(5))
		}

		mine, err := s.Entries(t.Context(), points.Filter{UserID: "bob", OrderNo: orderNo(3), Limit: 10, NewestFirst: true})
		if err != nil || len(mine) != 1 || mine[0].Points != 3 {
			t.Errorf("bob's entries of %s: %+v, %v", orderNo(3), mine, err)
		}
		theirs, err := s.Entries(t.Context(), points.Filter{UserID: "bob", OrderNo: "RM-A"})
		if err != nil || len(theirs) != 0 {
			t.Errorf("bob filtering by alice's order: %+v, %v; want nothing", theirs, err)
		}
		all, err := s.Entries(t.Context(), points.Filter{})
		if err != nil || len(all) != 56 || all[0].OrderNo != orderNo(0) || all[55].OrderNo != "RM-A" {
			t.Errorf("all entries: %d, %v; want 56 oldest first", len(all), err)
		}
		checkBalances(t, s)
	})
}

// The audit's view must be able to fail: a balance changed behind the
// ledger's back and entries without an account both show up.
func TestChecksShowDisagreement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustRecord(t, s, entry("alice", "RM-1", "ev-1", 10))
		mustRecord(t, s, entry("alice", "RM-2", "ev-2", 20))
		mustRecord(t, s, entry("bob", "RM-3", "ev-3", 0))
		if err := db.Exec("UPDATE point_accounts SET balance = balance + 1 WHERE user_id = ?", "alice").Error; err != nil {
			t.Fatal(err)
		}
		err := db.Exec("INSERT INTO point_ledger (user_id, order_no, reason, points, event_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			"zed", "RM-9", "ORDER_PAID", 9, "ev-9", "2026-01-01 00:00:00").Error
		if err != nil {
			t.Fatal(err)
		}
		checks, err := s.Checks(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		want := []points.AccountCheck{
			{UserID: "alice", Balance: 31, LedgerSum: 30},
			{UserID: "bob", Balance: 0, LedgerSum: 0},
			{UserID: "zed", Balance: 0, LedgerSum: 9},
		}
		if len(checks) != len(want) {
			t.Fatalf("checks %+v, want %+v", checks, want)
		}
		for i := range want {
			if checks[i] != want[i] {
				t.Errorf("check %d = %+v, want %+v", i, checks[i], want[i])
			}
		}
	})
}

// The database itself refuses a negative ORDER_PAID entry.
func TestNegativeCreditRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		_, err := s.Record(t.Context(), group, entry("alice", "RM-1", "ev-1", -5))
		if err == nil {
			t.Fatal("a negative ORDER_PAID entry was stored")
		}
		if n := count(t, db, "processed_events", "1 = 1"); n != 0 {
			t.Errorf("claim left behind")
		}
		checkBalances(t, s)
	})
}
