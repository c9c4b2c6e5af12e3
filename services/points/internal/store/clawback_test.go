package store_test

import (
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

const clawbackGroup = "points-test-clawback"

func clawback(orderNo, eventID string) points.Entry {
	return points.Entry{UserID: "alice", OrderNo: orderNo, Reason: points.ReasonOrderRefunded, EventID: eventID,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
}

// The clawback takes back exactly the order's credit, once per event and
// once per order, waits for a credit not recorded yet, and lets the balance
// go negative when the points were spent (the rule in points.ReasonOrderRefunded).
func TestClawBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		ctx := t.Context()

		// Before ORDER_PAID: retried, and nothing (not even the claim) kept.
		if _, err := s.ClawBack(ctx, clawbackGroup, clawback("RM-1", "ref-1")); !errors.Is(err, points.ErrCreditNotYet) {
			t.Fatalf("clawback before the credit: %v, want ErrCreditNotYet", err)
		}
		if n := count(t, db, "processed_events", "consumer = ?", clawbackGroup); n != 0 {
			t.Errorf("%d claims kept by a clawback that found no credit", n)
		}

		mustRecord(t, s, entry("alice", "RM-1", "paid-1", 120))
		got, err := s.ClawBack(ctx, clawbackGroup, clawback("RM-1", "ref-1"))
		if err != nil || got.Points != -120 || got.Reason != points.ReasonOrderRefunded || got.UserID != "alice" {
			t.Fatalf("clawback: %+v %v", got, err)
		}
		for _, ev := range []string{"ref-1", "ref-2"} { // redelivered; a second event for the order
			if _, err := s.ClawBack(ctx, clawbackGroup, clawback("RM-1", ev)); !errors.Is(err, apperr.ErrAlreadyApplied) {
				t.Errorf("clawback %s again: %v, want a duplicate", ev, err)
			}
		}
		if b := balance(t, s, "alice"); b != 0 {
			t.Errorf("balance %d after credit and clawback, want 0", b)
		}

		// Points spent meanwhile (a negative entry, as a redemption writes):
		// the clawback still takes the whole credit and the balance goes
		// negative, equal to the ledger's sum.
		mustRecord(t, s, entry("alice", "RM-2", "paid-2", 50))
		mustRecord(t, s, points.Entry{UserID: "alice", OrderNo: "RM-3", Reason: "SPENT", Points: -40, EventID: "spend-1",
			CreatedAt: time.Now().UTC().Truncate(time.Millisecond)})
		if _, err := s.ClawBack(ctx, clawbackGroup, clawback("RM-2", "ref-3")); err != nil {
			t.Fatal(err)
		}
		if b := checkBalances(t, s)["alice"]; b != -40 {
			t.Errorf("balance %d after spending 40 of a 50-point credit that was clawed back, want -40", b)
		}
	})
}
