package store_test

import (
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// The naive twin (no claim, ledger key shrugged off) credits a redelivered
// event again: one ledger entry, twice the points. The same two deliveries
// without it credit once.
func TestNaiveNoClaimCreditsTwice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		naive := faults.WithVariant(t.Context(), faults.VariantNoClaim)
		e := entry("alice", "RM-NAIVE", "ev-naive", 70)
		for i := range 2 {
			if _, err := s.Record(naive, group, e); err != nil {
				t.Fatalf("naive delivery %d: %v", i+1, err)
			}
		}
		if got := balance(t, s, "alice"); got != 140 {
			t.Errorf("naive: balance %d, want 140 (credited twice)", got)
		}
		if n := count(t, db, "point_ledger", "order_no = ?", "RM-NAIVE"); n != 1 {
			t.Errorf("naive: %d ledger entries, want 1", n)
		}
		if n := count(t, db, "processed_events", "event_id = ?", "ev-naive"); n != 0 {
			t.Errorf("naive: %d claims, want none", n)
		}

		e = entry("bob", "RM-CORRECT", "ev-correct", 70)
		mustRecord(t, s, e)
		if _, err := s.Record(t.Context(), group, e); !errors.Is(err, apperr.ErrAlreadyApplied) {
			t.Errorf("correct redelivery: %v, want apperr.ErrAlreadyApplied", err)
		}
		if got := balance(t, s, "bob"); got != 70 {
			t.Errorf("correct: balance %d, want 70 (credited once)", got)
		}
	})
}
