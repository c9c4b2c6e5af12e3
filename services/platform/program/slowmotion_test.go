package program_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
	"github.com/rocketmart/rocketmart/services/platform/program"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// The slow-motion switch, through the real client: armed, each delivery is
// journaled as held and handled only after the delay, once, with the same
// outcome; cleared, deliveries are handled at once with no held entry.
func TestSlowMotionHoldsEachDelivery(t *testing.T) {
	b := mqtest.Start(t)
	var log bytes.Buffer
	base := envconf.Base{Addr: "127.0.0.1:0", DB: dbtest.SQLiteDSN(t), NameServer: b.Config.NameServer, ClientLogLevel: "fatal",
		MaxReconsume: 2, AdminToken: "s3cret", LogOut: &log}
	app, err := program.Open(t.Context(), "shop", base, spec, func(*gorm.DB) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()

	var mu sync.Mutex
	handledAt := map[string][]time.Time{}
	handle := func(_ context.Context, d mq.Delivery) error {
		mu.Lock()
		defer mu.Unlock()
		handledAt[d.Key] = append(handledAt[d.Key], time.Now())
		return nil
	}
	handled := func(key string) []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return handledAt[key]
	}
	if err := app.Consume(t.Context(),
		mq.Subscription{Group: "shop-sales", Topic: "SHOP_SALE", Handler: handle},
		mq.Subscription{Group: "shop-audit", Topic: "SHOP_SALE", Handler: handle}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Faults.Arm(faults.Spec{Point: program.SlowMotionPoint, Action: faults.Delay, Delay: time.Second}); err != nil {
		t.Fatal(err)
	}

	steps := func(key string) []journal.Entry {
		t.Helper()
		entries, err := app.Journal.ByKey(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		return entries
	}
	b.Send(t, "SHOP_SALE", "RM-SLOW", []byte(`{}`))
	testkit.Eventually(t, 30*time.Second, "RM-SLOW handled by both groups and journaled", func() bool {
		return len(handled("RM-SLOW")) == 2 && len(steps("RM-SLOW")) == 4
	})
	held := map[string]journal.Entry{}
	for _, e := range steps("RM-SLOW") {
		switch e.Step {
		case journal.StepHeld:
			held[e.Group] = e
			if !strings.Contains(e.Detail, "held 1s") || e.Attempt != 1 || e.MsgID == "" {
				t.Errorf("held entry %+v: want attempt 1, a message id and the delay in its detail", e)
			}
		case journal.StepConsumed:
			h, ok := held[e.Group]
			if !ok {
				t.Fatalf("%s consumed before it was journaled as held", e.Group)
			}
			if e.Outcome != mq.OutcomeProcessed {
				t.Errorf("%s: outcome %s, want processed", e.Group, e.Outcome)
			}
			if waited := e.At.Sub(h.At); waited < time.Second {
				t.Errorf("%s handled %s after it was held, want at least the 1s armed", e.Group, waited)
			}
		}
	}
	if len(held) != 2 {
		t.Errorf("held entries for %v, want both groups", held)
	}

	if err := app.Faults.Clear(program.SlowMotionPoint); err != nil {
		t.Fatal(err)
	}
	b.Send(t, "SHOP_SALE", "RM-FAST", []byte(`{}`))
	testkit.Eventually(t, 30*time.Second, "RM-FAST handled by both groups", func() bool { return len(steps("RM-FAST")) == 2 })
	for _, e := range steps("RM-FAST") {
		if e.Step != journal.StepConsumed {
			t.Errorf("with slow motion cleared: %+v, want only consumed entries", e)
		}
	}
	if n := len(handled("RM-SLOW")); n != 2 {
		t.Errorf("RM-SLOW handled %d times, want once per group", n)
	}
}
