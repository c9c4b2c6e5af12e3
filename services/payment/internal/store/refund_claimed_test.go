package store_test

import (
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// An ORDER_REFUNDED event refunds the charge exactly once, however many
// deliveries race with the order service's own refund call; a charge that
// does not exist keeps no claim.
func TestOrderRefundedRefundsOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc := setup(t, db)
		ctx := t.Context()
		ref := payment.EventRef{Consumer: contracts.ConsumerPaymentOrderRefunded, EventID: "ref-1"}
		if _, _, err := svc.OrderRefunded(ctx, ref, "O-NONE"); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("refund of an order without a charge: %v, want NotFound (retried)", err)
		}
		if n := count(t, db, "processed_events"); n != 0 {
			t.Errorf("%d claims kept by a refund that found no charge", n)
		}
		before := balance(t, svc, "alice")
		if _, _, err := svc.Charge(ctx, payment.ChargeRequest{OrderNo: "O1", UserID: "alice", AmountCents: 2500}); err != nil {
			t.Fatal(err)
		}
		var dups int
		errs := testkit.Concurrently(6, func(i int) error {
			if i == 5 {
				_, err := svc.Refund(ctx, "O1", "order refunded") // the order service's confirmation
				return err
			}
			_, _, err := svc.OrderRefunded(ctx, ref, "O1")
			return err
		})
		for _, err := range errs {
			switch {
			case errors.Is(err, apperr.ErrAlreadyApplied):
				dups++
			case err != nil:
				t.Errorf("refund: %v", err)
			}
		}
		if got := balance(t, svc, "alice"); got != before {
			t.Errorf("balance %d, want %d: charged once, refunded once", got, before)
		}
		c, err := svc.ChargeByOrder(ctx, "O1")
		if err != nil || c.Status != payment.StatusRefunded {
			t.Errorf("charge %+v %v, want REFUNDED", c, err)
		}
		if dups != 4 {
			t.Errorf("%d duplicate deliveries, want 4 of the 5 copies of one event", dups)
		}
	})
}
