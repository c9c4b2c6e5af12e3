package events_test

import (
	"fmt"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/events"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// A payment in flight races the order's cancellation: the charge request and
// the ORDER_CANCELLED consumer run at the same moment for the same order,
// many times. Every order must end either charged and refunded (no void
// marker) or voided with no charge; never a SUCCEEDED charge, and never a
// charge next to a void marker.
func TestChargeRacingCancelNeverLeavesAChargedCancelledOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc := setup(t, db, contracts.DemoUser{ID: "racer", InitialBalanceCents: 1_000_000})
		handle := events.OrderCancelled(svc, quiet())
		const rounds, perRound = 25, 8
		results := map[string]int{}
		for r := range rounds {
			type result struct {
				created   bool
				chargeErr error
				cancelErr error
			}
			res := make([]result, perRound)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range perRound {
				order := fmt.Sprintf("RACE-%02d-%d", r, i)
				body := cancelled(t, "ev-"+order, order, "racer")
				wg.Go(func() {
					<-start
					_, res[i].created, res[i].chargeErr = svc.Charge(t.Context(), payment.ChargeRequest{OrderNo: order, UserID: "racer", AmountCents: 1000})
				})
				wg.Go(func() {
					<-start
					res[i].cancelErr = handle(t.Context(), mq.Delivery{MsgID: "m-" + order, Topic: contracts.TopicOrderCancelled, Key: order, Body: body})
				})
			}
			close(start)
			wg.Wait()

			for i, got := range res {
				order := fmt.Sprintf("RACE-%02d-%d", r, i)
				if got.cancelErr != nil {
					t.Fatalf("%s: cancel failed: %v", order, got.cancelErr)
				}
				c, err := svc.ChargeByOrder(t.Context(), order)
				marker := voids(t, db, order)
				switch {
				case err == nil && c.Status == payment.StatusRefunded && marker == 0 && got.created && got.chargeErr == nil:
					results["charged, then refunded by the cancel"]++
				case testkit.CodeOf(err) == payment.CodeChargeNotFound && marker == 1 && testkit.CodeOf(got.chargeErr) == payment.CodeOrderCancelled:
					results["voided, charge refused"]++
				default:
					t.Fatalf("%s: charge %+v (%v), %d void markers, charge answer created=%v err=%v",
						order, c, err, marker, got.created, got.chargeErr)
				}
			}
		}
		t.Logf("%d races: %v", rounds*perRound, results)
		w, err := svc.Wallet(t.Context(), "racer")
		if err != nil || w.BalanceCents != 1_000_000 {
			t.Errorf("racer's balance %d (%v), want 1000000: every charge was refunded", w.BalanceCents, err)
		}
		checkConservation(t, svc)
	})
}
