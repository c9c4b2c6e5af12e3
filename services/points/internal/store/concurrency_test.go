package store_test

import (
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// 20 orders of one user credited at once, the account not existing yet:
// every credit lands and the balance is their sum.
func TestConcurrentCreditsOfOneUserSum(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		applied, dups := concurrently(t, 20, func(i int) error {
			_, err := s.Record(t.Context(), group, entry("alice", orderNo(i), fmt.Sprintf("ev-%d", i), int64(i+1)))
			return err
		})
		if applied != 20 || dups != 0 {
			t.Errorf("%d applied, %d duplicates; want 20 and 0", applied, dups)
		}
		if b := checkBalances(t, s)["alice"]; b != 20*21/2 {
			t.Errorf("balance %d, want %d", b, 20*21/2)
		}
		if n := count(t, db, "point_ledger", "user_id = ?", "alice"); n != 20 {
			t.Errorf("%d entries, want 20", n)
		}
	})
}

// Ten events for one order (the order service publishing it again with new
// event ids) race: one credits, nine are duplicates.
func TestConcurrentEventsOfOneOrderCreditOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		applied, dups := concurrently(t, 10, func(i int) error {
			_, err := s.Record(t.Context(), group, entry("bob", "RM-ONE", fmt.Sprintf("ev-%d", i), 250))
			return err
		})
		if applied != 1 || dups != 9 {
			t.Errorf("%d applied, %d duplicates; want 1 and 9", applied, dups)
		}
		if b := checkBalances(t, s)["bob"]; b != 250 {
			t.Errorf("balance %d, want 250", b)
		}
		if n := count(t, db, "point_ledger", "order_no = ?", "RM-ONE"); n != 1 {
			t.Errorf("%d entries, want 1", n)
		}
		if n := count(t, db, "processed_events", "1 = 1"); n != 1 {
			t.Errorf("%d claims, want 1: the losers' claims roll back with them", n)
		}
	})
}

// One event delivered ten times at once (redeliveries racing): the claim
// lets one through.
func TestConcurrentDeliveriesOfOneEventCreditOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		applied, dups := concurrently(t, 10, func(int) error {
			_, err := s.Record(t.Context(), group, entry("carol", "RM-SAME", "ev-same", 15))
			return err
		})
		if applied != 1 || dups != 9 {
			t.Errorf("%d applied, %d duplicates; want 1 and 9", applied, dups)
		}
		if b := checkBalances(t, s)["carol"]; b != 15 {
			t.Errorf("balance %d, want 15", b)
		}
	})
}

// Three users, ten orders each, every order sent twice with different event
// ids, all at once: each user ends with exactly the sum of their orders.
func TestConcurrentMixedCredits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		users := []string{"alice", "bob", "carol"}
		const perUser = 10
		applied, dups := concurrently(t, len(users)*perUser*2, func(i int) error {
			u, o := users[i%len(users)], (i/len(users))%perUser
			order := fmt.Sprintf("%s-%d", u, o)
			_, err := s.Record(t.Context(), group, entry(u, order, fmt.Sprintf("ev-%d", i), int64(o*100+1)))
			return err
		})
		if applied != len(users)*perUser || dups != len(users)*perUser {
			t.Errorf("%d applied, %d duplicates; want %d each", applied, dups, len(users)*perUser)
		}
		balances := checkBalances(t, s)
		for _, u := range users {
			if want := int64(100*perUser*(perUser-1)/2 + perUser); balances[u] != want {
				t.Errorf("%s: balance %d, want %d", u, balances[u], want)
			}
		}
	})
}
