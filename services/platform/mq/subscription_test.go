package mq_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
)

// event is a stand-in for a contracts payload.
type event struct{ ID, Verdict string }

func decodeEvent(body []byte, ev *event) error {
	if err := json.Unmarshal(body, ev); err != nil {
		return err
	}
	if ev.ID == "" {
		return errors.New("no id")
	}
	return nil
}

// Two subscriptions started by one call each receive their topic, and
// EventHandler turns every result into its outcome: undecodable and
// apperr.Invalid are poison, apperr.ErrAlreadyApplied a duplicate, anything
// else retried until it succeeds.
func TestStartConsumersAndEventHandlerOutcomes(t *testing.T) {
	b := mqtest.Start(t)
	var mu sync.Mutex
	attempts := map[string]int{} // by event id
	apply := func(_ context.Context, _ mq.Delivery, ev event) error {
		mu.Lock()
		attempts[ev.ID]++
		n := attempts[ev.ID]
		mu.Unlock()
		switch ev.Verdict {
		case "invalid":
			return apperr.New(apperr.Invalid, "BAD_EVENT", "refused")
		case "again":
			return fmt.Errorf("order %s: %w", ev.ID, apperr.ErrAlreadyApplied)
		case "flaky":
			if n < 3 {
				return errors.New("database down")
			}
		}
		return nil
	}
	var seen, other mqtest.Outcomes
	cs, err := mq.StartConsumers(t.Context(), b.Config, mq.ConsumerOptions{Observe: func(topic, outcome string) {
		if topic == "T_A" {
			seen.Observe(topic, outcome)
		} else {
			other.Observe(topic, outcome)
		}
	}},
		mq.Subscription{Group: "g-a", Topic: "T_A", Handler: mq.EventHandler(decodeEvent, apply)},
		mq.Subscription{Group: "g-b", Topic: "T_B", Handler: func(context.Context, mq.Delivery) error { return nil }},
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })

	for _, body := range []string{`{"ID":"ok"}`, `{"ID":"i","Verdict":"invalid"}`, `{"ID":"d","Verdict":"again"}`,
		`{"ID":"f","Verdict":"flaky"}`, `{`, `{"Verdict":"no id"}`} {
		b.Send(t, "T_A", "k", []byte(body))
	}
	b.Send(t, "T_B", "k", []byte("anything"))
	want := map[string]int{mq.OutcomeProcessed: 2, mq.OutcomePoison: 3, mq.OutcomeDuplicate: 1, mq.OutcomeFailed: 2}
	mqtest.Eventually(t, 20*time.Second, "every T_A outcome", func() bool { return seen.Count(mq.OutcomeProcessed) == 2 })
	mqtest.Eventually(t, 20*time.Second, "both groups caught up", func() bool { return b.CaughtUp(t, "g-a") && b.CaughtUp(t, "g-b") })
	got := seen.Counts()
	for outcome, n := range want {
		if got[outcome] != n {
			t.Errorf("T_A outcomes %v, want %v", got, want)
			break
		}
	}
	if n := other.Count(mq.OutcomeProcessed); n != 1 {
		t.Errorf("T_B processed %d, want 1", n)
	}
	if err := cs.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}
