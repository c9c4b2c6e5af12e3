package events_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
)

const wait = 30 * time.Second

// The same message delivered again (once, then five times at once), the
// same event re-sent as a new message, and a second event id for the same
// order: one shipment, one claim, and every other delivery counted as a
// duplicate.
func TestDuplicateDeliveries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := start(t, db, mq.ConsumerOptions{}, 0)
		m := r.send(t, "RM-DUP", paid(t, "ev-1", "RM-DUP"))
		mqtest.Eventually(t, wait, "the first delivery processed", func() bool { return r.seen.Count(mq.OutcomeProcessed) == 1 })
		r.wantShipment(t, "RM-DUP")

		r.b.Redeliver(t, group, m)
		mqtest.Eventually(t, wait, "the redelivery acknowledged as a duplicate", func() bool { return r.seen.Count(mq.OutcomeDuplicate) == 1 })

		const redeliveries = 5
		resent, second := paid(t, "ev-1", "RM-DUP"), paid(t, "ev-2", "RM-DUP")
		var wg sync.WaitGroup
		for range redeliveries {
			wg.Go(func() { r.b.Redeliver(t, group, m) })
		}
		wg.Go(func() { r.send(t, "RM-DUP", resent) }) // the event re-sent
		wg.Go(func() { r.send(t, "RM-DUP", second) }) // another event id
		wg.Wait()
		if t.Failed() {
			t.FailNow() // a redelivery or a send failed
		}
		want := 1 + redeliveries + 2
		mqtest.Eventually(t, wait, fmt.Sprintf("%d duplicates", want), func() bool { return r.seen.Count(mq.OutcomeDuplicate) >= want })

		got := r.seen.Counts()
		if got[mq.OutcomeProcessed] != 1 || got[mq.OutcomeDuplicate] != want || got[mq.OutcomeFailed] != 0 || got[mq.OutcomePoison] != 0 {
			t.Errorf("outcomes = %v, want processed 1, duplicate %d, nothing else", got, want)
		}
		r.wantShipment(t, "RM-DUP")
		if ids := r.claims(t); !slices.Equal(ids, []string{"ev-1"}) {
			t.Errorf("claims = %v, want [ev-1]: the second event id changed nothing", ids)
		}
	})
}

// A transaction that fails three times, after writing the claim, the
// shipment and its lines (all rolled back): the broker redelivers with
// back-off and the fourth attempt creates the shipment, once.
func TestFailuresThenSuccess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		const failures = 3
		r := start(t, db, mq.ConsumerOptions{}, failures)
		r.send(t, "RM-RETRY", paid(t, "ev-retry", "RM-RETRY"))
		mqtest.Eventually(t, wait, "processed after the failures", func() bool { return r.seen.Count(mq.OutcomeProcessed) == 1 })

		got := r.seen.Counts()
		if got[mq.OutcomeFailed] != failures || got[mq.OutcomeDuplicate] != 0 || got[mq.OutcomeDeadLettered] != 0 {
			t.Errorf("outcomes = %v, want failed %d then processed 1", got, failures)
		}
		if calls := r.store.calls.Load(); calls != failures+1 {
			t.Errorf("store calls = %d, want %d", calls, failures+1)
		}
		r.wantShipment(t, "RM-RETRY")
		if ids := r.claims(t); !slices.Equal(ids, []string{"ev-retry"}) {
			t.Errorf("claims = %v, want [ev-retry]", ids)
		}
	})
}

// A transaction that keeps failing: after 1 + MaxReconsumeTimes attempts
// the message is in %DLQ%logistics-order-paid with nothing applied; once
// the fault is fixed, one replay creates the shipment and a second replay
// is refused.
func TestDeadLetterThenReplay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		const maxReconsume = 2
		r := start(t, db, mq.ConsumerOptions{MaxReconsumeTimes: maxReconsume}, 1<<40)
		r.send(t, "RM-DLQ", paid(t, "ev-dlq", "RM-DLQ"))
		var dead []mqtest.Message
		mqtest.Eventually(t, wait, "the message in the dead-letter queue", func() bool {
			dead = r.b.DeadLetters(t, group)
			return len(dead) == 1
		})
		got := r.seen.Counts()
		if got[mq.OutcomeFailed] != maxReconsume || got[mq.OutcomeDeadLettered] != 1 || got[mq.OutcomeProcessed] != 0 {
			t.Errorf("outcomes = %v, want failed %d, dead_lettered 1", got, maxReconsume)
		}
		if n := r.rows(t, "shipments", "RM-DLQ"); n != 0 {
			t.Errorf("shipments while dead-lettered = %d, want 0", n)
		}
		if ids := r.claims(t); len(ids) != 0 {
			t.Errorf("claims while dead-lettered = %v, want none", ids)
		}

		r.fault.failures.Store(0) // the fault is fixed
		if status := r.b.Replay(t, group, dead[0]); status != http.StatusOK {
			t.Fatalf("replay: status %d, want 200", status)
		}
		mqtest.Eventually(t, wait, "the replayed message processed", func() bool { return r.seen.Count(mq.OutcomeProcessed) == 1 })
		if status := r.b.Replay(t, group, dead[0]); status != http.StatusConflict {
			t.Errorf("second replay: status %d, want 409", status)
		}
		r.wantShipment(t, "RM-DLQ")
		if ids := r.claims(t); !slices.Equal(ids, []string{"ev-dlq"}) {
			t.Errorf("claims = %v, want [ev-dlq]", ids)
		}
		if dl := r.b.DeadLetters(t, group); len(dl) != 1 || !dl[0].Replayed {
			t.Errorf("dead letters after the replay = %+v, want the one, replayed", dl)
		}
		if got := r.seen.Counts(); got[mq.OutcomeProcessed] != 1 || got[mq.OutcomeDuplicate] != 0 {
			t.Errorf("outcomes = %v, want exactly one processed", got)
		}
	})
}

// Bodies that are not valid ORDER_PAID events are acknowledged at the first
// attempt without touching the database; a valid event sent after them is
// processed normally.
func TestPoisonIsAcknowledged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := start(t, db, mq.ConsumerOptions{}, 0)
		valid := string(paid(t, "ev-x", "RM-X"))
		poison := map[string]string{
			"not JSON":           `{"eventId":`,
			"a JSON array":       `[1,2,3]`,
			"no event id":        strings.Replace(valid, `"eventId":"ev-x"`, `"eventId":""`, 1),
			"no lines":           `{"eventId":"ev-p","orderNo":"RM-P","userId":"alice","lines":[],"totalCents":0}`,
			"total does not add": strings.Replace(valid, `"totalCents":30399`, `"totalCents":1`, 1),
			"order number slash": strings.Replace(valid, `"orderNo":"RM-X"`, `"orderNo":"RM/X"`, 1),
			"address too long":   strings.Replace(valid, `"city":"Cape Town"`, `"city":"`+strings.Repeat("C", 201)+`"`, 1),
		}
		for name, body := range poison {
			if body == valid {
				t.Fatalf("%s: the edit did not apply", name)
			}
			r.send(t, "poison-"+strings.ReplaceAll(name, " ", "-"), []byte(body))
		}
		r.send(t, "RM-OK", paid(t, "ev-ok", "RM-OK"))

		mqtest.Eventually(t, wait, "every message handled", func() bool {
			return r.seen.Count(mq.OutcomePoison) >= len(poison) && r.seen.Count(mq.OutcomeProcessed) >= 1
		})
		// Broker-side proof that every message was acknowledged rather than
		// sent back for a retry: the group's lag, retry queue included, is 0.
		// It takes about 10 s, when the client first persists its offsets.
		mqtest.Eventually(t, wait, "the group caught up", func() bool { return r.b.CaughtUp(t, group) })
		got := r.seen.Counts()
		if got[mq.OutcomePoison] != len(poison) || got[mq.OutcomeProcessed] != 1 || got[mq.OutcomeFailed] != 0 {
			t.Errorf("outcomes = %v, want poison %d, processed 1, failed 0 (poison is never retried)", got, len(poison))
		}
		if calls := r.store.calls.Load(); calls != 1 {
			t.Errorf("store calls = %d, want 1: poison must not reach the database", calls)
		}
		var shipments int64
		if err := db.Table("shipments").Count(&shipments).Error; err != nil {
			t.Fatal(err)
		}
		if shipments != 1 {
			t.Errorf("shipments = %d, want only RM-OK's", shipments)
		}
		if ids := r.claims(t); !slices.Equal(ids, []string{"ev-ok"}) {
			t.Errorf("claims = %v, want [ev-ok]", ids)
		}
	})
}
