package store_test

import (
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// concurrently runs fn(i) for i in [0, n) in goroutines released together
// (testkit.Concurrently), and returns how many returned nil and the codes
// of the apperr errors of the others. Any other error fails the test: under
// contention the store must answer with a business outcome, never a
// deadlock or a lock timeout.
func concurrently(t *testing.T, n int, fn func(i int) error) (ok int, codes map[string]int) {
	t.Helper()
	codes = map[string]int{}
	for i, err := range testkit.Concurrently(n, fn) {
		if err == nil {
			ok++
			continue
		}
		if e, isApp := apperr.As(err); isApp && e.Kind != apperr.Internal {
			codes[e.Code]++
			continue
		}
		t.Errorf("goroutine %d: unexpected error %v", i, err)
	}
	return ok, codes
}

func TestConcurrentAddsSum(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		// carol has no cart row yet: the first writes race to create it too.
		ok, codes := concurrently(t, 20, func(int) error {
			_, err := s.Add(t.Context(), "carol", cart.Line{SKU: "A", Quantity: 1}, noKey())
			return err
		})
		if ok != 20 || len(codes) != 0 {
			t.Errorf("%d adds succeeded, errors %v; want 20 and none", ok, codes)
		}
		wantLines(t, s, "carol", []cart.Line{{SKU: "A", Quantity: 20}})
	})
}

func TestConcurrentAddsKeepTheQuantityCap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustAdd(t, s, "alice", "A", 90)
		ok, codes := concurrently(t, 20, func(int) error {
			_, err := s.Add(t.Context(), "alice", cart.Line{SKU: "A", Quantity: 1}, noKey())
			return err
		})
		if ok != 9 || codes[cart.CodeQuantityTooLarge] != 11 {
			t.Errorf("%d adds succeeded, errors %v; want 9 and 11 %s", ok, codes, cart.CodeQuantityTooLarge)
		}
		wantLines(t, s, "alice", []cart.Line{{SKU: "A", Quantity: cart.MaxQuantity}})
	})
}

func TestConcurrentNewLinesKeepTheLineCap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		const have = cart.MaxLines - 5
		for i := range have {
			mustAdd(t, s, "alice", fmt.Sprintf("OLD-%02d", i), 1)
		}
		ok, codes := concurrently(t, 20, func(i int) error {
			_, err := s.Add(t.Context(), "alice", cart.Line{SKU: fmt.Sprintf("NEW-%02d", i), Quantity: 1}, noKey())
			return err
		})
		if ok != 5 || codes[cart.CodeCartFull] != 15 {
			t.Errorf("%d adds succeeded, errors %v; want 5 and 15 %s", ok, codes, cart.CodeCartFull)
		}
		if got := len(lines(t, s, "alice")); got != cart.MaxLines {
			t.Errorf("alice has %d lines, want %d", got, cart.MaxLines)
		}
	})
}

func TestConcurrentRetriesWithOneKeyApplyOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		key := cart.IdempotencyKey{Key: "double-click", Fingerprint: "fp"}
		ok, codes := concurrently(t, 10, func(int) error {
			_, err := s.Add(t.Context(), "bob", cart.Line{SKU: "A", Quantity: 3}, key)
			return err
		})
		if ok != 10 || len(codes) != 0 {
			t.Errorf("%d adds answered OK, errors %v; want all 10 OK (one applied, nine replayed)", ok, codes)
		}
		wantLines(t, s, "bob", []cart.Line{{SKU: "A", Quantity: 3}})
	})
}

func TestConcurrentMixedWritesOfManyUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		users := []string{"alice", "bob", "carol"}
		// Adds, sets, removes and clears of several users interleave; the
		// point is that none of them deadlocks or fails.
		ok, codes := concurrently(t, 30, func(i int) error {
			user, sku := users[i%3], fmt.Sprintf("S-%d", i%4)
			var err error
			switch i % 5 {
			case 0, 1:
				_, err = s.Add(t.Context(), user, cart.Line{SKU: sku, Quantity: 1}, noKey())
			case 2:
				_, err = s.Set(t.Context(), user, cart.Line{SKU: sku, Quantity: 2})
			case 3:
				_, err = s.Remove(t.Context(), user, sku)
			case 4:
				err = s.Clear(t.Context(), user)
			}
			return err
		})
		if ok != 30 || len(codes) != 0 {
			t.Errorf("%d writes succeeded, errors %v; want all 30", ok, codes)
		}
	})
}
