package program_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
	"github.com/rocketmart/rocketmart/services/platform/program"
)

const wait = 30 * time.Second

// handled records what a consumer saw: each message's body, and the naive
// variant its context carried.
type handled struct {
	mu       sync.Mutex
	bodies   []string
	variants []string
}

func (h *handled) handler(ctx context.Context, d mq.Delivery) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bodies = append(h.bodies, string(d.Body))
	h.variants = append(h.variants, faults.VariantFrom(ctx))
	return nil
}

func (h *handled) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.bodies)
}

// The consume.<group> point through the real client: fail makes the broker
// redeliver (the handler sees the message once, after the failed
// attempts), naive puts the variant on the handler's context, and crash
// fires after the handler applied the message.
func TestConsumerFaults(t *testing.T) {
	b := mqtest.Start(t)
	crashed := make(chan struct{}, 1)
	set := faults.New("shop", slog.New(slog.DiscardHandler), faults.WithCrash(func() { crashed <- struct{}{} }))
	var h handled
	seen := &mqtest.Outcomes{}
	subs := program.ConsumerFaults(set, []mq.Subscription{{Group: "shop-sales", Topic: "SHOP_SALE", Handler: h.handler}})
	point := program.ConsumerPoint("shop-sales")
	if ps := set.Points(); len(ps) != 1 || ps[0].Name != point {
		t.Fatalf("declared %+v, want %s", ps, point)
	}
	arm := func(sp faults.Spec) {
		t.Helper()
		sp.Point = point
		if _, err := set.Arm(sp); err != nil {
			t.Fatal(err)
		}
	}
	arm(faults.Spec{Action: faults.Fail, Count: 2})
	b.Consume(t, mq.ConsumerOptions{Observe: seen.Observe}, subs...)

	b.Send(t, "SHOP_SALE", "k1", []byte("first"))
	mqtest.Eventually(t, wait, "the message handled after two failed deliveries", func() bool { return h.count() == 1 })
	if got := seen.Counts(); got[mq.OutcomeFailed] != 2 || got[mq.OutcomeProcessed] != 1 {
		t.Errorf("outcomes %v, want 2 failed then 1 processed", got)
	}

	arm(faults.Spec{Action: faults.Naive, Value: faults.VariantNoClaim})
	b.Send(t, "SHOP_SALE", "k2", []byte("second"))
	mqtest.Eventually(t, wait, "the second message handled", func() bool { return h.count() == 2 })
	if h.variants[1] != faults.VariantNoClaim || h.variants[0] != "" {
		t.Errorf("variants %q, want none then %s", h.variants, faults.VariantNoClaim)
	}

	arm(faults.Spec{Action: faults.Crash, Count: 1})
	b.Send(t, "SHOP_SALE", "k3", []byte("third"))
	select {
	case <-crashed:
	case <-time.After(wait):
		t.Fatal("the crash fault never fired")
	}
	if h.count() < 3 || h.bodies[2] != "third" {
		t.Errorf("the crash fired before the handler applied the message: %q", h.bodies)
	}
}
