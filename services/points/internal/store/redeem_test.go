package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
	"github.com/rocketmart/rocketmart/services/points/internal/store"
)

// redemption builds a redemption of pts points of user for order.
func redemption(user, order string, pts int64) points.Redemption {
	return points.Redemption{OrderNo: order, UserID: user, Points: pts, Status: points.RedemptionRedeemed,
		EventID: "evt-" + order, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
}

func TestRedeemTakesPointsOncePerOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustRecord(t, s, entry("alice", "RM-EARN", "ev-earn", 1000))
		got, created, err := s.Redeem(t.Context(), redemption("alice", "RM-1", 300), time.Time{})
		if err != nil || !created || got.Points != 300 || got.Status != points.RedemptionRedeemed {
			t.Fatalf("redeem: %+v created %v, %v", got, created, err)
		}
		again, created, err := s.Redeem(t.Context(), redemption("alice", "RM-1", 300), time.Time{})
		if err != nil || created || again.Points != 300 || again.UserID != "alice" {
			t.Errorf("redeem again: %+v created %v, %v; want the existing redemption", again, created, err)
		}
		if b := balance(t, s, "alice"); b != 700 {
			t.Errorf("balance %d, want 700", b)
		}
		// Even once the balance is spent, a retry gets its redemption back.
		mustRedeem(t, s, redemption("alice", "RM-2", 700))
		if _, created, err := s.Redeem(t.Context(), redemption("alice", "RM-1", 300), time.Time{}); err != nil || created {
			t.Errorf("retry with an empty balance: created %v, %v", created, err)
		}
		if n := count(t, db, "point_ledger", "order_no = ? AND reason = ?", "RM-1", "ORDER_REDEEMED"); n != 1 {
			t.Errorf("%d redemption entries of RM-1, want 1", n)
		}
		checkBalances(t, s)
	})
}

func TestRedeemRefusesWithoutChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustRecord(t, s, entry("alice", "RM-EARN", "ev-earn", 100))
		refused := func(r points.Redemption, notAfter time.Time, code string) {
			t.Helper()
			_, _, err := s.Redeem(t.Context(), r, notAfter)
			if apperr.KindOf(err) != apperr.Conflict || testkit.CodeOf(err) != code {
				t.Errorf("redeem %+v: %v, want Conflict %s", r, err, code)
			}
		}
		refused(redemption("alice", "RM-1", 101), time.Time{}, points.CodeInsufficientPoints)
		refused(redemption("bob", "RM-2", 1), time.Time{}, points.CodeInsufficientPoints) // no account: balance 0
		refused(redemption("alice", "RM-3", 10), time.Now().Add(-time.Second), points.CodeRedemptionTooLate)
		if _, err := s.ReturnRedemption(t.Context(), "", "ev-cancel", "RM-4", time.Now()); err != nil {
			t.Fatal(err)
		}
		refused(redemption("alice", "RM-4", 10), time.Time{}, points.CodeRedemptionCancelled)
		refused(redemption("alice", "RM-4", 1000), time.Time{}, points.CodeRedemptionCancelled)

		_, _, err := s.Redeem(t.Context(), redemption("alice", "RM-1", 101), time.Time{})
		if e, _ := apperr.As(err); e == nil || e.Details["balance"] != int64(100) || e.Details["points"] != int64(101) {
			t.Errorf("details of a short balance: %v", err)
		}
		if b := balance(t, s, "alice"); b != 100 {
			t.Errorf("balance %d after refusals, want 100", b)
		}
		if n := count(t, db, "point_ledger", "reason = ?", "ORDER_REDEEMED"); n != 0 {
			t.Errorf("%d redemption entries after refusals", n)
		}
		checkBalances(t, s)
	})
}

func TestReturnRedemptionOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustRecord(t, s, entry("alice", "RM-EARN", "ev-earn", 500))
		mustRedeem(t, s, redemption("alice", "RM-1", 200))
		ret := func(consumer, eventID string) (points.ReturnOutcome, error) {
			return s.ReturnRedemption(t.Context(), consumer, eventID, "RM-1", time.Now().UTC().Truncate(time.Millisecond))
		}
		if out, err := ret(group, "ev-c1"); err != nil || out != points.ReturnReturned {
			t.Fatalf("return: %v, %v", out, err)
		}
		if _, err := ret(group, "ev-c1"); !errors.Is(err, apperr.ErrAlreadyApplied) {
			t.Errorf("same event again: %v, want ErrAlreadyApplied", err)
		}
		if out, err := ret(group, "ev-c2"); err != nil || out != points.ReturnAlreadyReturned {
			t.Errorf("another event: %v, %v; want ALREADY_RETURNED", out, err)
		}
		if out, err := ret("", "ev-refund"); err != nil || out != points.ReturnAlreadyReturned {
			t.Errorf("without a claim: %v, %v; want ALREADY_RETURNED", out, err)
		}
		if b := balance(t, s, "alice"); b != 500 {
			t.Errorf("balance %d, want 500 back", b)
		}
		r, found, err := s.Redemption(t.Context(), "RM-1")
		if err != nil || !found || r.Status != points.RedemptionReturned || r.ReturnedAt == nil || r.Points != 200 {
			t.Errorf("redemption %+v found %v, %v", r, found, err)
		}
		// A returned redemption is not redeemed again.
		if got, created, err := s.Redeem(t.Context(), redemption("alice", "RM-1", 200), time.Time{}); err != nil || created || got.Status != points.RedemptionReturned {
			t.Errorf("redeem a returned order: %+v created %v, %v", got, created, err)
		}
		if n := count(t, db, "point_ledger", "order_no = ? AND reason = ?", "RM-1", "REDEMPTION_RETURNED"); n != 1 {
			t.Errorf("%d return entries, want 1", n)
		}
		checkBalances(t, s)
	})
}

func mustRedeem(t *testing.T, s *store.Store, r points.Redemption) {
	t.Helper()
	if _, created, err := s.Redeem(t.Context(), r, time.Time{}); err != nil || !created {
		t.Fatalf("redeem %+v: created %v, %v", r, created, err)
	}
}

// Twenty redemptions of one order at once take the points once.
func TestConcurrentRedemptionsOfOneOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustRecord(t, s, entry("alice", "RM-EARN", "ev-earn", 1000))
		created := 0
		for i, err := range testkit.Concurrently(20, func(int) error {
			_, c, err := s.Redeem(t.Context(), redemption("alice", "RM-ONE", 250), time.Time{})
			if c {
				created++ // only one goroutine can see true
			}
			return err
		}) {
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		if created != 1 || checkBalances(t, s)["alice"] != 750 {
			t.Errorf("%d created, balance %d; want 1 and 750", created, balance(t, s, "alice"))
		}
	})
}

// Twenty orders redeem 100 points each from a balance of 1000: exactly ten
// get them, the balance ends at 0 and never goes below.
func TestConcurrentRedemptionsNeverOverdraw(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustRecord(t, s, entry("bob", "RM-EARN", "ev-earn", 1000))
		ok, short := 0, 0
		for i, err := range testkit.Concurrently(20, func(i int) error {
			_, _, err := s.Redeem(t.Context(), redemption("bob", fmt.Sprintf("RM-%02d", i), 100), time.Time{})
			return err
		}) {
			switch {
			case err == nil:
				ok++
			case testkit.CodeOf(err) == points.CodeInsufficientPoints:
				short++
			default:
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		if ok != 10 || short != 10 || checkBalances(t, s)["bob"] != 0 {
			t.Errorf("%d redeemed, %d short, balance %d; want 10, 10, 0", ok, short, balance(t, s, "bob"))
		}
	})
}

// A redemption racing the cancellation of its order: whichever wins, the
// points are not left taken for a cancelled order (ReturnRedemption's
// argument), and the balance ends where it started.
func TestRedemptionRacingItsReturn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		mustRecord(t, s, entry("carol", "RM-EARN", "ev-earn", 10_000))
		outcomes := map[string]int{}
		for round := range 15 {
			order := fmt.Sprintf("RM-RACE-%02d", round)
			errs := testkit.Concurrently(2, func(i int) error {
				if i == 0 {
					_, _, err := s.Redeem(t.Context(), redemption("carol", order, 40), time.Time{})
					return err
				}
				out, err := s.ReturnRedemption(t.Context(), group, "ev-cancel-"+order, order, time.Now().UTC())
				outcomes[string(out)]++
				return err
			})
			if errs[1] != nil {
				t.Fatalf("round %d: return: %v", round, errs[1])
			}
			if errs[0] != nil && testkit.CodeOf(errs[0]) != points.CodeRedemptionCancelled {
				t.Fatalf("round %d: redeem: %v", round, errs[0])
			}
			r, found, err := s.Redemption(t.Context(), order)
			switch {
			case err != nil:
				t.Fatal(err)
			case found && r.Status != points.RedemptionReturned:
				t.Errorf("round %d: redemption %s left on a cancelled order", round, r.Status)
			case !found && errs[0] == nil:
				t.Errorf("round %d: the redemption succeeded and vanished", round)
			}
		}
		if b := checkBalances(t, s)["carol"]; b != 10_000 {
			t.Errorf("balance %d, want 10000 (outcomes %v)", b, outcomes)
		}
	})
}
