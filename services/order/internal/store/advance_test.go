package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// Advance applies each step only from its state, claims the event with
// them, and under concurrency moves an order through each state once.
func TestAdvance(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		now := time.Now().UTC().Truncate(time.Millisecond)
		if err := s.Create(ctx, sampleOrder("RM-1"), nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Transition(ctx, "RM-1", "tx-pay", paidChange(now)); err != nil {
			t.Fatal(err)
		}
		deliver := []ordering.StatusChange{
			{From: ordering.Paid, To: ordering.Shipped, Reason: "shipped", At: now},
			{From: ordering.Shipped, To: ordering.Completed, Reason: "delivered", At: now},
		}
		// Ten deliveries of the event race (and five of another event): one
		// applies both steps, the copies are duplicates, the other event
		// finds nothing to do.
		errs := testkit.Concurrently(15, func(i int) error {
			claim := &ordering.EventClaim{Consumer: "g", EventID: "ev-1"}
			if i >= 10 {
				claim.EventID = fmt.Sprintf("ev-other-%d", i)
			}
			_, err := s.Advance(ctx, "RM-1", claim, deliver...)
			return err
		})
		var dups int
		for _, err := range errs {
			switch {
			case errors.Is(err, apperr.ErrAlreadyApplied):
				dups++
			case err != nil:
				t.Errorf("advance: %v", err)
			}
		}
		o, err := s.Get(ctx, "RM-1")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != ordering.Completed || len(o.History) != 4 || dups != 9 {
			t.Errorf("status %s, %d history entries, %d duplicates; want COMPLETED, 4, 9", o.Status, len(o.History), dups)
		}
		// Never back: a late shipped event on a completed order.
		applied, err := s.Advance(ctx, "RM-1", &ordering.EventClaim{Consumer: "g", EventID: "ev-late"}, deliver[0])
		if err != nil || len(applied) != 0 {
			t.Errorf("late step: %v %v, want nothing applied", applied, err)
		}
		// Without a claim; and an unknown order.
		if applied, err := s.Advance(ctx, "RM-NONE", nil, deliver...); err != nil || len(applied) != 0 {
			t.Errorf("unknown order: %v %v", applied, err)
		}
	})
}
