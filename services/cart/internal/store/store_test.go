package store_test

import (
	"fmt"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/cart/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// newStore migrates db and returns a Store on it.
func newStore(t *testing.T, db *gorm.DB) *store.Store {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	// Migrating twice must be harmless: every start-up migrates.
	if err := store.Migrate(db); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	return store.New(db)
}

func noKey() cart.IdempotencyKey { return cart.IdempotencyKey{} }

// lines returns the user's stored lines or fails the test.
func lines(t *testing.T, s *store.Store, userID string) []cart.Line {
	t.Helper()
	got, err := s.Lines(t.Context(), userID)
	if err != nil {
		t.Fatalf("Lines(%s): %v", userID, err)
	}
	return got
}

func wantLines(t *testing.T, s *store.Store, userID string, want []cart.Line) {
	t.Helper()
	if got := lines(t, s, userID); !reflect.DeepEqual(got, want) {
		t.Errorf("lines of %s = %+v, want %+v", userID, got, want)
	}
}

func wantCode(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != kind || e.Code != code {
		t.Fatalf("error = %v, want %v %s", err, kind, code)
	}
}

// mustAdd adds and fails the test on error.
func mustAdd(t *testing.T, s *store.Store, userID, sku string, qty int) []cart.Line {
	t.Helper()
	got, err := s.Add(t.Context(), userID, cart.Line{SKU: sku, Quantity: qty}, noKey())
	if err != nil {
		t.Fatalf("Add(%s, %s, %d): %v", userID, sku, qty, err)
	}
	return got
}

func TestAddSumsKeepsOrderAndSeparatesUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustAdd(t, s, "alice", "B", 2)
		mustAdd(t, s, "alice", "A", 1)
		mustAdd(t, s, "bob", "B", 7)
		got := mustAdd(t, s, "alice", "B", 3)

		want := []cart.Line{{SKU: "B", Quantity: 5}, {SKU: "A", Quantity: 1}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Add returned %+v, want %+v", got, want)
		}
		wantLines(t, s, "alice", want)
		wantLines(t, s, "bob", []cart.Line{{SKU: "B", Quantity: 7}})
		wantLines(t, s, "carol", []cart.Line{})
	})
}

func TestAddQuantityCap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustAdd(t, s, "alice", "A", 98)
		mustAdd(t, s, "alice", "A", 1)
		for _, qty := range []int{1, 50, cart.MaxQuantity} {
			_, err := s.Add(t.Context(), "alice", cart.Line{SKU: "A", Quantity: qty}, noKey())
			wantCode(t, err, apperr.Invalid, cart.CodeQuantityTooLarge)
			e, _ := apperr.As(err)
			if e.Details["inCart"] != cart.MaxQuantity || e.Details["requested"] != qty {
				t.Errorf("details = %v, want inCart %d, requested %d", e.Details, cart.MaxQuantity, qty)
			}
		}
		wantLines(t, s, "alice", []cart.Line{{SKU: "A", Quantity: cart.MaxQuantity}})
	})
}

func TestLineCap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		var want []cart.Line
		for i := range cart.MaxLines {
			sku := fmt.Sprintf("SKU-%02d", i)
			mustAdd(t, s, "alice", sku, 1)
			want = append(want, cart.Line{SKU: sku, Quantity: 1})
		}

		_, err := s.Add(t.Context(), "alice", cart.Line{SKU: "ONE-TOO-MANY", Quantity: 1}, noKey())
		wantCode(t, err, apperr.Conflict, cart.CodeCartFull)
		_, err = s.Set(t.Context(), "alice", cart.Line{SKU: "ONE-TOO-MANY", Quantity: 1})
		wantCode(t, err, apperr.Conflict, cart.CodeCartFull)
		wantLines(t, s, "alice", want)

		// Existing lines still change in a full cart.
		mustAdd(t, s, "alice", "SKU-00", 1)
		if _, err := s.Set(t.Context(), "alice", cart.Line{SKU: "SKU-01", Quantity: 9}); err != nil {
			t.Fatalf("Set on a full cart's existing line: %v", err)
		}
		want[0].Quantity, want[1].Quantity = 2, 9
		wantLines(t, s, "alice", want)
		// Other users are not affected by alice's full cart.
		mustAdd(t, s, "bob", "ONE-TOO-MANY", 1)
	})
}

func TestIdempotencyKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		k1 := cart.IdempotencyKey{Key: "k1", Fingerprint: "fp-a"}
		for range 3 {
			if _, err := s.Add(t.Context(), "alice", cart.Line{SKU: "A", Quantity: 2}, k1); err != nil {
				t.Fatalf("Add with k1: %v", err)
			}
		}
		wantLines(t, s, "alice", []cart.Line{{SKU: "A", Quantity: 2}})

		reused := cart.IdempotencyKey{Key: "k1", Fingerprint: "fp-b"}
		_, err := s.Add(t.Context(), "alice", cart.Line{SKU: "A", Quantity: 5}, reused)
		wantCode(t, err, apperr.Unprocessable, cart.CodeKeyReused)
		wantLines(t, s, "alice", []cart.Line{{SKU: "A", Quantity: 2}})

		// Keys are per user.
		if _, err := s.Add(t.Context(), "bob", cart.Line{SKU: "A", Quantity: 5}, reused); err != nil {
			t.Fatalf("bob's add with alice's key: %v", err)
		}
		wantLines(t, s, "bob", []cart.Line{{SKU: "A", Quantity: 5}})
	})
}

func TestFailedAddForgetsItsKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustAdd(t, s, "alice", "A", 99)
		key := cart.IdempotencyKey{Key: "retry-me", Fingerprint: "fp"}
		_, err := s.Add(t.Context(), "alice", cart.Line{SKU: "A", Quantity: 1}, key)
		wantCode(t, err, apperr.Invalid, cart.CodeQuantityTooLarge)

		if _, err := s.Set(t.Context(), "alice", cart.Line{SKU: "A", Quantity: 1}); err != nil {
			t.Fatalf("Set: %v", err)
		}
		// The key was rolled back with the failed add, so the retry applies.
		if _, err := s.Add(t.Context(), "alice", cart.Line{SKU: "A", Quantity: 1}, key); err != nil {
			t.Fatalf("retry: %v", err)
		}
		wantLines(t, s, "alice", []cart.Line{{SKU: "A", Quantity: 2}})
	})
}

func TestSetRemoveClear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustAdd(t, s, "alice", "A", 3)
		mustAdd(t, s, "bob", "A", 4)

		got, err := s.Set(t.Context(), "alice", cart.Line{SKU: "B", Quantity: 7})
		if err != nil {
			t.Fatalf("Set new line: %v", err)
		}
		if want := []cart.Line{{SKU: "A", Quantity: 3}, {SKU: "B", Quantity: 7}}; !reflect.DeepEqual(got, want) {
			t.Errorf("Set returned %+v, want %+v", got, want)
		}
		for range 2 {
			if _, err := s.Set(t.Context(), "alice", cart.Line{SKU: "A", Quantity: 1}); err != nil {
				t.Fatalf("Set existing line: %v", err)
			}
		}
		wantLines(t, s, "alice", []cart.Line{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 7}})

		for range 2 { // an absent line is no error
			got, err := s.Remove(t.Context(), "alice", "A")
			if err != nil {
				t.Fatalf("Remove: %v", err)
			}
			if want := []cart.Line{{SKU: "B", Quantity: 7}}; !reflect.DeepEqual(got, want) {
				t.Errorf("Remove returned %+v, want %+v", got, want)
			}
		}
		for range 2 {
			if err := s.Clear(t.Context(), "alice"); err != nil {
				t.Fatalf("Clear: %v", err)
			}
		}
		wantLines(t, s, "alice", []cart.Line{})
		wantLines(t, s, "bob", []cart.Line{{SKU: "A", Quantity: 4}})
	})
}
