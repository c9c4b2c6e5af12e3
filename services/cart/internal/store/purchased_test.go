package store_test

import (
	"errors"
	"reflect"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
)

func TestRemovePurchasedAppliesOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustAdd(t, s, "alice", "A", 5)
		mustAdd(t, s, "alice", "B", 2)
		mustAdd(t, s, "alice", "C", 1)
		mustAdd(t, s, "bob", "A", 5)
		// B is bought entirely, A partly, D was never (or no longer) in the cart.
		bought := []cart.Line{{SKU: "A", Quantity: 2}, {SKU: "B", Quantity: 2}, {SKU: "D", Quantity: 1}}

		purchase := cart.Purchase{OrderNo: "RM-1", UserID: "alice", EventID: "ev-1", Lines: bought}
		got, err := s.RemovePurchased(t.Context(), purchase)
		if err != nil {
			t.Fatalf("RemovePurchased: %v", err)
		}
		if want := []cart.Line{{SKU: "A", Quantity: 2}, {SKU: "B", Quantity: 2}}; !reflect.DeepEqual(got.Removed, want) {
			t.Errorf("removed = %+v, want %+v (D was not in the cart)", got.Removed, want)
		}
		want := []cart.Line{{SKU: "A", Quantity: 3}, {SKU: "C", Quantity: 1}}
		wantLines(t, s, "alice", want)

		// The same event again, and the same order under another event id.
		again := purchase
		again.EventID = "ev-1-again"
		for _, p := range []cart.Purchase{purchase, again} {
			_, err = s.RemovePurchased(t.Context(), p)
			if !errors.Is(err, apperr.ErrAlreadyApplied) {
				t.Errorf("RemovePurchased(%s) again = %v, want apperr.ErrAlreadyApplied", p.EventID, err)
			}
		}
		wantLines(t, s, "alice", want)
		stored, err := s.Checkout(t.Context(), "RM-1")
		if err != nil || stored.EventID != "ev-1" || !reflect.DeepEqual(stored.Removed, got.Removed) {
			t.Errorf("stored checkout = %+v, %v; want the first event's", stored, err)
		}
		if all, err := s.Checkouts(t.Context()); err != nil || len(all) != 1 {
			t.Errorf("checkouts = %+v, %v; want one", all, err)
		}
		if _, err := s.Checkout(t.Context(), "RM-NONE"); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("missing checkout: %v, want NotFound", err)
		}
		wantLines(t, s, "bob", []cart.Line{{SKU: "A", Quantity: 5}})

		var claims int64
		if err := db.Model(&inbox.Processed{}).
			Where("consumer = ? AND event_id = ?", contracts.ConsumerCartOrderPaid, "ev-1").Count(&claims).Error; err != nil {
			t.Fatalf("count claims: %v", err)
		}
		if claims != 1 {
			t.Errorf("claims for ev-1 = %d, want 1", claims)
		}
	})
}

func TestRemovePurchasedNeverGoesNegative(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustAdd(t, s, "alice", "A", 2)
		mustAdd(t, s, "alice", "B", 3)
		// The user lowered the quantities after checkout: the order bought
		// more than the cart holds now.
		got, err := s.RemovePurchased(t.Context(), cart.Purchase{OrderNo: "RM-2", UserID: "alice", EventID: "ev-2",
			Lines: []cart.Line{{SKU: "A", Quantity: 5}, {SKU: "B", Quantity: 3}}})
		if err != nil {
			t.Fatalf("RemovePurchased: %v", err)
		}
		if want := []cart.Line{{SKU: "A", Quantity: 2}, {SKU: "B", Quantity: 3}}; !reflect.DeepEqual(got.Removed, want) {
			t.Errorf("removed = %+v, want what the cart held: %+v", got.Removed, want)
		}
		wantLines(t, s, "alice", []cart.Line{})

		var negative int64
		if err := db.Table("cart_lines").Where("quantity <= 0").Count(&negative).Error; err != nil {
			t.Fatalf("count: %v", err)
		}
		if negative != 0 {
			t.Errorf("%d lines with quantity <= 0, want none", negative)
		}
	})
}

func TestRemovePurchasedConcurrentDeliveries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustAdd(t, s, "bob", "A", 10)
		var applied, duplicates atomic.Int32
		_, codes := concurrently(t, 10, func(int) error {
			_, err := s.RemovePurchased(t.Context(), cart.Purchase{OrderNo: "RM-3", UserID: "bob", EventID: "ev-3",
				Lines: []cart.Line{{SKU: "A", Quantity: 4}}})
			switch {
			case err == nil:
				applied.Add(1)
			case errors.Is(err, apperr.ErrAlreadyApplied):
				duplicates.Add(1)
				return nil
			}
			return err
		})
		if applied.Load() != 1 || duplicates.Load() != 9 || len(codes) != 0 {
			t.Errorf("%d applied, %d duplicates, errors %v; want 1, 9, none", applied.Load(), duplicates.Load(), codes)
		}
		wantLines(t, s, "bob", []cart.Line{{SKU: "A", Quantity: 6}})
	})
}
