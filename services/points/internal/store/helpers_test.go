package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/testkit"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
	"github.com/rocketmart/rocketmart/services/points/internal/store"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

const group = "points-test-group"

func newStore(t *testing.T, db *gorm.DB) *store.Store {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return store.New(db)
}

// entry builds an ORDER_PAID entry.
func entry(userID, orderNo, eventID string, pts int64) points.Entry {
	return points.Entry{
		UserID: userID, OrderNo: orderNo, Reason: points.ReasonOrderPaid, Points: pts, EventID: eventID,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond),
	}
}

func mustRecord(t *testing.T, s *store.Store, e points.Entry) points.Entry {
	t.Helper()
	got, err := s.Record(t.Context(), group, e)
	if err != nil {
		t.Fatalf("Record %+v: %v", e, err)
	}
	return got
}

func balance(t *testing.T, s *store.Store, userID string) int64 {
	t.Helper()
	st, err := s.Statement(t.Context(), userID, points.MaxLimit)
	if err != nil {
		t.Fatalf("Statement %s: %v", userID, err)
	}
	return st.Balance
}

func count(t *testing.T, db *gorm.DB, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// checkBalances proves balance == sum(ledger) for every user twice: through
// the database's own sum (Checks, what the audit reads) and by adding up
// every entry here. It returns the balances by user.
func checkBalances(t *testing.T, s *store.Store) map[string]int64 {
	t.Helper()
	checks, err := s.Checks(t.Context())
	if err != nil {
		t.Fatalf("Checks: %v", err)
	}
	all, err := s.Entries(t.Context(), points.Filter{})
	if err != nil {
		t.Fatalf("Entries: %v", err)
	}
	sums := map[string]int64{}
	for _, e := range all {
		sums[e.UserID] += e.Points
	}
	balances := map[string]int64{}
	for _, c := range checks {
		balances[c.UserID] = c.Balance
		if c.Balance != c.LedgerSum || c.Balance != sums[c.UserID] {
			t.Errorf("%s: balance %d, ledger sum %d (SQL) / %d (entries)", c.UserID, c.Balance, c.LedgerSum, sums[c.UserID])
		}
	}
	if len(checks) != len(sums) {
		t.Errorf("%d accounts for %d users with entries", len(checks), len(sums))
	}
	return balances
}

// concurrently runs fn(i) for i in [0, n) in goroutines released together
// (testkit.Concurrently) and counts the outcomes: nil, ErrAlreadyApplied,
// or (failing the test) anything else. Under contention Record must answer
// one of the two, never a deadlock or lock timeout.
func concurrently(t *testing.T, n int, fn func(i int) error) (applied, duplicates int) {
	t.Helper()
	for i, err := range testkit.Concurrently(n, fn) {
		switch {
		case err == nil:
			applied++
		case errors.Is(err, apperr.ErrAlreadyApplied):
			duplicates++
		default:
			t.Errorf("goroutine %d: %v", i, err)
		}
	}
	return applied, duplicates
}

func orderNo(i int) string { return fmt.Sprintf("RM-%03d", i) }
