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
)

const wait = 30 * time.Second

// The same message delivered again (once, then five times at once), the
// same event re-sent as a new message, and a second event id for the same
// order: one shipment, one claim, and every other delivery counted as a
// duplicate.
func TestDuplicateDeliveries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := start(t, db, mq.ConsumerOptions{}, 0)
		m := r.mustSend(t, "RM-DUP", paid(t, "ev-1", "RM-DUP"))
		eventually(t, wait, "the first delivery processed", func() bool { return r.outcomes(t)[mq.OutcomeProcessed] == 1 })
		r.wantShipment(t, "RM-DUP")

		if err := r.redeliver(m); err != nil {
			t.Fatal(err)
		}
		eventually(t, wait, "the redelivery acknowledged as a duplicate", func() bool { return r.outcomes(t)[mq.OutcomeDuplicate] == 1 })

		const redeliveries = 5
		errs := make(chan error, redeliveries+2)
		var wg sync.WaitGroup
		for range redeliveries {
			wg.Go(func() { errs <- r.redeliver(m) })
		}
		wg.Go(func() { _, err := r.send("RM-DUP", paid(t, "ev-1", "RM-DUP")); errs <- err }) // the event re-sent
		wg.Go(func() { _, err := r.send("RM-DUP", paid(t, "ev-2", "RM-DUP")); errs <- err }) // another event id
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		want := 1 + redeliveries + 2
		eventually(t, wait, fmt.Sprintf("%d duplicates", want), func() bool { return r.outcomes(t)[mq.OutcomeDuplicate] >= want })

		got := r.outcomes(t)
		if got[mq.OutcomeProcessed] != 1 || got[mq.OutcomeDuplicate] != want || got[mq.OutcomeFailed] != 0 || got[mq.OutcomePoison] != 0 {
			t.Errorf("outcomes = %v, want processed 1, duplicate %d, nothing else", got, want)
		}
		r.wantShipment(t, "RM-DUP")
		if ids := r.claims(t); !slices.Equal(ids, []string{"ev-1"}) {
			t.Errorf("claims = %v, want [ev-1]: the second event id changed nothing", ids)
		}
	})
}

// A store that fails three times: the broker redelivers with back-off and
// the fourth attempt creates the shipment, once.
func TestFailuresThenSuccess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		const failures = 3
		r := start(t, db, mq.ConsumerOptions{}, failures)
		r.mustSend(t, "RM-RETRY", paid(t, "ev-retry", "RM-RETRY"))
		eventually(t, wait, "processed after the failures", func() bool { return r.outcomes(t)[mq.OutcomeProcessed] == 1 })

		got := r.outcomes(t)
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

// A store that keeps failing: after 1 + MaxReconsumeTimes attempts the
// message is in %DLQ%logistics-order-paid with nothing applied; once the
// fault is fixed, one replay creates the shipment and a second replay is
// refused.
func TestDeadLetterThenReplay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		const maxReconsume = 2
		r := start(t, db, mq.ConsumerOptions{MaxReconsumeTimes: maxReconsume}, 1<<40)
		r.mustSend(t, "RM-DLQ", paid(t, "ev-dlq", "RM-DLQ"))
		var dead []message
		eventually(t, wait, "the message in the dead-letter queue", func() bool {
			dead = r.deadLetters(t)
			return len(dead) == 1
		})
		got := r.outcomes(t)
		if got[mq.OutcomeFailed] != maxReconsume || got[mq.OutcomeDeadLettered] != 1 || got[mq.OutcomeProcessed] != 0 {
			t.Errorf("outcomes = %v, want failed %d, dead_lettered 1", got, maxReconsume)
		}
		if n := r.rows(t, "shipments", "RM-DLQ"); n != 0 {
			t.Errorf("shipments while dead-lettered = %d, want 0", n)
		}
		if ids := r.claims(t); len(ids) != 0 {
			t.Errorf("claims while dead-lettered = %v, want none", ids)
		}

		r.store.failures.Store(0) // the fault is fixed
		if status := r.replay(t, dead[0]); status != http.StatusOK {
			t.Fatalf("replay: status %d, want 200", status)
		}
		eventually(t, wait, "the replayed message processed", func() bool { return r.outcomes(t)[mq.OutcomeProcessed] == 1 })
		if status := r.replay(t, dead[0]); status != http.StatusConflict {
			t.Errorf("second replay: status %d, want 409", status)
		}
		r.wantShipment(t, "RM-DLQ")
		if ids := r.claims(t); !slices.Equal(ids, []string{"ev-dlq"}) {
			t.Errorf("claims = %v, want [ev-dlq]", ids)
		}
		if dl := r.deadLetters(t); len(dl) != 1 || !dl[0].Replayed {
			t.Errorf("dead letters after the replay = %+v, want the one, replayed", dl)
		}
		if got := r.outcomes(t); got[mq.OutcomeProcessed] != 1 || got[mq.OutcomeDuplicate] != 0 {
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
			r.mustSend(t, "poison-"+strings.ReplaceAll(name, " ", "-"), []byte(body))
		}
		r.mustSend(t, "RM-OK", paid(t, "ev-ok", "RM-OK"))

		eventually(t, wait, "every message handled", func() bool {
			got := r.outcomes(t)
			return got[mq.OutcomePoison] >= len(poison) && got[mq.OutcomeProcessed] >= 1
		})
		// Broker-side proof that every message was acknowledged rather than
		// sent back for a retry: the group's lag, retry queue included, is 0.
		// It takes about 10 s, when the client first persists its offsets.
		eventually(t, wait, "the group caught up", func() bool { return r.caughtUp(t) })
		got := r.outcomes(t)
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
