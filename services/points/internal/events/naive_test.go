package events_test

import (
	"log/slog"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
	"github.com/rocketmart/rocketmart/services/platform/program"
	"github.com/rocketmart/rocketmart/services/points/internal/events"
)

// One ORDER_PAID delivered twice (a redelivery of the same message) to the
// consumer as the service runs it (program.ConsumerFaults' point
// consume.points-order-paid): with the naive no-claim twin armed it credits
// twice, one ledger entry and twice the points; unarmed, once.
func TestNaiveNoClaimConsumerCreditsARedeliveryAgain(t *testing.T) {
	tests := []struct {
		name                  string
		naive                 bool
		processed, duplicates int // outcomes of the two deliveries
		want                  effect
	}{
		{"correct", false, 1, 1, effect{entries: 1, claims: 1, balance: 123}},
		{"naive no-claim", true, 2, 0, effect{entries: 1, claims: 0, balance: 246}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				e := setup(t, db)
				set := faults.New("points", slog.New(slog.DiscardHandler))
				subs := program.ConsumerFaults(set, events.Subscriptions(e.svc, slog.New(slog.DiscardHandler)))
				if tt.naive {
					if _, err := set.Arm(faults.Spec{Point: program.ConsumerPoint(contracts.ConsumerPointsOrderPaid),
						Action: faults.Naive, Value: faults.VariantNoClaim}); err != nil {
						t.Fatal(err)
					}
				}
				e.b.Consume(t, mq.ConsumerOptions{Observe: e.seen.Observe}, subs...)

				first := e.publishEvent(t, paid("ev-twice", "RM-TWICE", "alice", 12_345))
				mqtest.Eventually(t, wait, "the first delivery credited", func() bool { return e.seen.Count(mq.OutcomeProcessed) == 1 })
				e.b.Redeliver(t, contracts.ConsumerPointsOrderPaid, first)
				mqtest.Eventually(t, wait, "the redelivery handled", func() bool {
					c := e.seen.Counts()
					return c[mq.OutcomeProcessed]+c[mq.OutcomeDuplicate] == 2
				})
				if c := e.seen.Counts(); c[mq.OutcomeProcessed] != tt.processed || c[mq.OutcomeDuplicate] != tt.duplicates {
					t.Errorf("outcomes %v, want processed %d and duplicate %d", c, tt.processed, tt.duplicates)
				}
				if got := e.credit(t, "RM-TWICE", "alice"); got != tt.want {
					t.Errorf("after the redelivery: %+v, want %+v", got, tt.want)
				}
				// What the audit compares: the naive twin's balance is off its ledger.
				checks, err := e.svc.Checks(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if len(checks) != 1 || checks[0].Balance != tt.want.balance || checks[0].LedgerSum != 123 {
					t.Errorf("account checks %+v, want alice's balance %d with ledger sum 123", checks, tt.want.balance)
				}
			})
		})
	}
}
