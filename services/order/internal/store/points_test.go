package store_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// The first attempt fixes an order's points; later attempts with it move
// its attempt time forward (never back), and a change succeeds only from
// exactly the split it saw.
func TestPointsSplits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s, ctx := newStore(t, db), context.Background()
		o := sampleOrder("RM-P1")
		if err := s.Create(ctx, o, nil); err != nil {
			t.Fatal(err)
		}
		if _, found, err := s.PointsSplit(ctx, o.No); err != nil || found {
			t.Fatalf("split before any attempt: found %v, %v", found, err)
		}
		t0 := time.Now().UTC().Truncate(time.Millisecond)
		t1, t2 := t0.Add(time.Second), t0.Add(2*time.Second)
		if got, err := s.StartPointsAttempt(ctx, o.No, 500, t1); err != nil || got != (ordering.PointsSplit{Points: 500, AttemptedAt: t1}) {
			t.Fatalf("first attempt: %+v, %v", got, err)
		}
		if got, _ := s.StartPointsAttempt(ctx, o.No, 700, t2); got != (ordering.PointsSplit{Points: 500, AttemptedAt: t1}) {
			t.Errorf("attempt with other points: %+v, want the first split untouched", got)
		}
		if got, _ := s.StartPointsAttempt(ctx, o.No, 500, t0); got.AttemptedAt != t1 {
			t.Errorf("an earlier attempt moved the time back to %v", got.AttemptedAt)
		}
		if changed, err := s.ChangePointsSplit(ctx, o.No, ordering.PointsSplit{Points: 500, AttemptedAt: t0}, 0, t2); err != nil || changed {
			t.Errorf("change from a stale split: %v, %v", changed, err)
		}
		if changed, err := s.ChangePointsSplit(ctx, o.No, ordering.PointsSplit{Points: 500, AttemptedAt: t1}, 0, t2); err != nil || !changed {
			t.Fatalf("change: %v, %v", changed, err)
		}
		got, err := s.Get(ctx, o.No)
		if err != nil || got.PointsApplied != 0 || got.ChargedCents() != o.TotalCents {
			t.Errorf("order after the change: %+v, %v", got, err)
		}
	})
}

// Ten first attempts with different points race: one split wins and every
// attempt sees it.
func TestConcurrentFirstAttemptsAgree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s, ctx := newStore(t, db), context.Background()
		o := sampleOrder("RM-P2")
		if err := s.Create(ctx, o, nil); err != nil {
			t.Fatal(err)
		}
		at := time.Now().UTC().Truncate(time.Millisecond)
		seen := make([]int64, 10)
		for i, err := range testkit.Concurrently(10, func(i int) error {
			got, err := s.StartPointsAttempt(ctx, o.No, int64(100*i), at)
			seen[i] = got.Points
			return err
		}) {
			if err != nil {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		split, _, _ := s.PointsSplit(ctx, o.No)
		for i, p := range seen {
			if p != split.Points {
				t.Errorf("attempt %d saw %d points, the split is %d", i, p, split.Points)
			}
		}
	})
}
