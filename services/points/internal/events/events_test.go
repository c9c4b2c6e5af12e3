package events_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
)

// wait bounds every poll: consumers rebalance and the broker redelivers
// within seconds, so this only fires when something is broken.
const wait = 30 * time.Second

// The same message delivered again, then several copies at once racing a
// second event (new event id) for the same order: one credit, every other
// delivery a duplicate, and only the first event claimed.
func TestDuplicateDeliveriesCreditOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		e.consume(t, mq.ConsumerOptions{})
		first := e.publishEvent(t, paid("ev-1", "RM-DUP", "alice", 12_345))
		mqtest.Eventually(t, wait, "the event credited", func() bool { return e.seen.Count(mq.OutcomeProcessed) == 1 })
		want := effect{entries: 1, claims: 1, balance: 123}
		if got := e.effect(t, "RM-DUP", "alice"); got != want {
			t.Fatalf("after the first delivery: %+v, want %+v", got, want)
		}

		e.b.Redeliver(t, contracts.ConsumerPointsOrderPaid, first)
		mqtest.Eventually(t, wait, "the redelivery acknowledged as a duplicate", func() bool { return e.seen.Count(mq.OutcomeDuplicate) == 1 })

		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { e.b.Redeliver(t, contracts.ConsumerPointsOrderPaid, first) })
		}
		wg.Go(func() { e.publishEvent(t, paid("ev-2", "RM-DUP", "alice", 12_345)) })
		wg.Wait()
		mqtest.Eventually(t, wait, "4 redeliveries and the second event acknowledged as duplicates", func() bool {
			return e.seen.Count(mq.OutcomeDuplicate) == 6
		})

		if got := e.effect(t, "RM-DUP", "alice"); got != want {
			t.Errorf("after the duplicates: %+v, want %+v (ev-2's claim rolls back with its refused entry)", got, want)
		}
		if got := e.seen.Counts(); got[mq.OutcomeProcessed] != 1 || got[mq.OutcomeFailed] != 0 || got[mq.OutcomePoison] != 0 {
			t.Errorf("outcomes %v, want processed 1 and duplicate 6 only", got)
		}
	})
}

// A credit that fails three times (after writing its claim and entry, which
// roll back) succeeds on the fourth delivery, once.
func TestFailingCreditIsRetriedUntilApplied(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		e.fault.failNext(3)
		e.consume(t, mq.ConsumerOptions{MaxReconsumeTimes: 5})
		e.publishEvent(t, paid("ev-flaky", "RM-FLAKY", "bob", 4_999))
		mqtest.Eventually(t, wait, "the credit applied after three failures", func() bool { return e.seen.Count(mq.OutcomeProcessed) == 1 })

		if got, want := e.effect(t, "RM-FLAKY", "bob"), (effect{entries: 1, claims: 1, balance: 49}); got != want {
			t.Errorf("effect %+v, want %+v", got, want)
		}
		if got := e.seen.Counts(); got[mq.OutcomeFailed] != 3 || got[mq.OutcomeDuplicate] != 0 {
			t.Errorf("outcomes %v, want failed 3 then processed 1", got)
		}
		if n := e.b.Retried(t, contracts.ConsumerPointsOrderPaid); n != 3 {
			t.Errorf("%d messages went through the retry topic, want the 3 failed deliveries", n)
		}
	})
}

// A credit that keeps failing is tried 1 + MaxReconsumeTimes times and
// dead-lettered with no effect; once the fault is fixed, replaying it
// credits exactly once, and a second replay is refused.
func TestDeadLetteredCreditReplaysOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		e.fault.failAlways()
		reg := prometheus.NewRegistry()
		e.consume(t, mq.ConsumerOptions{MaxReconsumeTimes: 2, Metrics: mq.NewConsumerMetrics(reg)})
		e.publishEvent(t, paid("ev-dlq", "RM-DLQ", "carol", 1_050))

		var dl []mqtest.Message
		mqtest.Eventually(t, wait, "the message in %DLQ%"+contracts.ConsumerPointsOrderPaid, func() bool {
			dl = e.b.DeadLetters(t, contracts.ConsumerPointsOrderPaid)
			return len(dl) == 1
		})
		if dl[0].Keys != "RM-DLQ" || dl[0].OriginalTopic != contracts.TopicOrderPaid || dl[0].Replayed {
			t.Errorf("dead letter %+v", dl[0])
		}
		if got := e.seen.Counts(); got[mq.OutcomeFailed] != 2 || got[mq.OutcomeDeadLettered] != 1 {
			t.Errorf("outcomes %v, want failed 2 and dead_lettered 1", got)
		}
		if got := e.effect(t, "RM-DLQ", "carol"); got != (effect{}) {
			t.Errorf("effect of the dead letter %+v, want none", got)
		}

		e.fault.fix()
		if status := e.b.Replay(t, contracts.ConsumerPointsOrderPaid, dl[0]); status != http.StatusOK {
			t.Fatalf("replay: %d, want 200", status)
		}
		mqtest.Eventually(t, wait, "the replayed message credited", func() bool { return e.seen.Count(mq.OutcomeProcessed) == 1 })
		if status := e.b.Replay(t, contracts.ConsumerPointsOrderPaid, dl[0]); status != http.StatusConflict {
			t.Errorf("second replay: %d, want 409", status)
		}
		if got, want := e.effect(t, "RM-DLQ", "carol"), (effect{entries: 1, claims: 1, balance: 10}); got != want {
			t.Errorf("effect after the replay %+v, want %+v", got, want)
		}

		for outcome, want := range map[string]float64{mq.OutcomeFailed: 2, mq.OutcomeDeadLettered: 1, mq.OutcomeProcessed: 1} {
			c, err := deliveries(reg, outcome)
			if err != nil || c != want {
				t.Errorf("rocketmart_consumer_deliveries_total{outcome=%q} = %v (%v), want %v", outcome, c, err, want)
			}
		}
	})
}

// Undecodable and invalid events are acknowledged once each, logged as
// poison, never retried, and credit nothing; a good event next to them is
// credited.
func TestPoisonIsAcknowledgedWithoutEffect(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		e.consume(t, mq.ConsumerOptions{})
		noEventID := paid("", "RM-P2", "alice", 500)
		wrongTotal := paid("ev-p3", "RM-P3", "alice", 500)
		wrongTotal.TotalCents = 50_000
		// Message keys are space-separated, so this one goes under a key
		// without the order number's space.
		spaceInOrder, err := json.Marshal(paid("ev-p4", "RM P4", "alice", 500))
		if err != nil {
			t.Fatal(err)
		}
		e.publish(t, "RM-P1", []byte(`{"eventId":"ev-p1","orderNo":`))
		e.publishEvent(t, noEventID)
		e.publishEvent(t, wrongTotal)
		e.publish(t, "RM-P4", spaceInOrder)
		e.publish(t, "RM-P5", []byte(`[1,2,3]`))
		e.publishEvent(t, paid("ev-good", "RM-GOOD", "alice", 500))

		mqtest.Eventually(t, wait, "5 poison and 1 good message handled", func() bool {
			return e.seen.Count(mq.OutcomePoison) == 5 && e.seen.Count(mq.OutcomeProcessed) == 1
		})
		mqtest.Eventually(t, wait, "the group caught up", func() bool { return e.b.CaughtUp(t, contracts.ConsumerPointsOrderPaid) })
		if got := e.seen.Counts(); got[mq.OutcomeFailed] != 0 || got[mq.OutcomePoison] != 5 {
			t.Errorf("outcomes %v, want poison 5 and processed 1 only", got)
		}
		if n := e.b.Retried(t, contracts.ConsumerPointsOrderPaid); n != 0 {
			t.Errorf("%d messages went through the retry topic, want 0", n)
		}
		if dl := e.b.DeadLetters(t, contracts.ConsumerPointsOrderPaid); len(dl) != 0 {
			t.Errorf("dead letters %+v, want none", dl)
		}
		all, err := e.svc.AllEntries(t.Context(), "")
		if err != nil || len(all) != 1 || all[0].OrderNo != "RM-GOOD" || all[0].Points != 5 {
			t.Errorf("ledger %+v (%v), want only RM-GOOD's 5 points", all, err)
		}
	})
}

// deliveries reads the consumer counter for the points group and topic.
func deliveries(reg *prometheus.Registry, outcome string) (float64, error) {
	families, err := reg.Gather()
	if err != nil {
		return 0, err
	}
	for _, f := range families {
		if f.GetName() != "rocketmart_consumer_deliveries_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["group"] == contracts.ConsumerPointsOrderPaid && labels["topic"] == contracts.TopicOrderPaid && labels["outcome"] == outcome {
				return m.GetCounter().GetValue(), nil
			}
		}
	}
	return 0, nil
}
