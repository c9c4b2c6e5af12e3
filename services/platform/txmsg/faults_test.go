package txmsg_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// crashHere stands in for a crash fault's SIGKILL, which would end the test
// binary. A panic would not model it: the mq adapter recovers a panic in the
// client's callback and answers "unknown", which is the process carrying on.
// Instead the goroutine that reached the point reports it and ends
// (runtime.Goexit): nothing after the point runs, that Publish never
// returns, and the producer left in its group plays the restarted instance
// that answers the broker's check-back. (Goexit runs the deferred calls on
// that goroutine, a real crash does not; there they only tidy the adapter's
// in-memory map and talk to no one.)
func crashHere(crashed chan<- struct{}) func() {
	return func() {
		crashed <- struct{}{}
		runtime.Goexit()
	}
}

// TestLifecycleFaults arms each of an event's fault points and shows the
// broker and the check-back settle the half message the way the point's
// description tells a workshop.
func TestLifecycleFaults(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		b := mqtest.Start(t)
		crashed := make(chan struct{}, 1)
		set := faults.New("giftcard", slog.New(slog.DiscardHandler), faults.WithCrash(crashHere(crashed)))
		g := startGiftCards(t, db, b.Config, set)
		ctx := context.Background()

		var names []string
		for _, p := range set.Points() {
			names = append(names, p.Name)
		}
		if want := []string{"gift.after-commit", "gift.after-half", "gift.check-back", "gift.end-transaction"}; !slices.Equal(names, want) {
			t.Fatalf("declared points %v, want %v", names, want)
		}
		arm := func(t *testing.T, specs ...faults.Spec) {
			t.Helper()
			set.Reset()
			if err := set.ArmAll(specs); err != nil {
				t.Fatal(err)
			}
		}
		waitCrash := func(t *testing.T, ended <-chan struct{}) {
			t.Helper()
			select {
			case <-crashed:
			case <-time.After(15 * time.Second):
				t.Fatal("the crash fault never fired")
			}
			<-ended
		}

		t.Run("crash after the half: local never runs, the check-back rolls back", func(t *testing.T) {
			arm(t, faults.Spec{Point: "gift.after-half", Action: faults.Crash, Count: 1})
			ev := cardIssued{CardNo: "after-half", Cents: 100}
			var ran atomic.Bool
			ended, returned := publishInBackground(g, ev, func(ctx context.Context, txID string) error {
				ran.Store(true)
				return g.issue(ctx, txID, ev)
			})
			waitCrash(t, ended)
			testkit.Eventually(t, 15*time.Second, "the check-back to decide the half", func() bool {
				return halfOf(t, b, ev.CardNo).State == "rolled_back"
			})
			if ran.Load() || returned.Load() {
				t.Errorf("after the crash: local ran %v, Publish returned %v; want neither", ran.Load(), returned.Load())
			}
			if g.checked(ev.CardNo) == 0 || g.stored(t, ev.CardNo) {
				t.Errorf("checked %d times, card stored %v; want the check asked and no card", g.checked(ev.CardNo), g.stored(t, ev.CardNo))
			}
		})

		t.Run("end-transaction dropped: undecided until the check-back commits", func(t *testing.T) {
			arm(t, faults.Spec{Point: "gift.end-transaction", Action: faults.Drop, Count: 1})
			ev := cardIssued{CardNo: "end-transaction", Cents: 100}
			if err := g.issued.Publish(ctx, ev, func(ctx context.Context, txID string) error { return g.issue(ctx, txID, ev) }); err != nil {
				t.Fatal(err)
			}
			if !g.stored(t, ev.CardNo) {
				t.Fatal("the local transaction did not commit")
			}
			testkit.Eventually(t, 15*time.Second, "the check-back to commit the half", func() bool {
				return halfOf(t, b, ev.CardNo).State == "committed"
			})
			// The broker checks only halves nobody decided: the commit never
			// reached it.
			if h := halfOf(t, b, ev.CardNo); h.CheckCount == 0 || g.checked(ev.CardNo) == 0 {
				t.Errorf("committed after %d checks (%d reached Check); want the check-back to decide it", h.CheckCount, g.checked(ev.CardNo))
			}
		})

		// The broker's checkCount counts every check it sent; checkIssued
		// counts the ones the fault let through.
		t.Run("check-back answers unknown twice, then commits", func(t *testing.T) {
			arm(t, faults.Spec{Point: "gift.end-transaction", Action: faults.Drop, Count: 1},
				faults.Spec{Point: "gift.check-back", Action: faults.Answer, Value: "unknown", Count: 2})
			ev := cardIssued{CardNo: "check-back-unknown", Cents: 100}
			if err := g.issued.Publish(ctx, ev, func(ctx context.Context, txID string) error { return g.issue(ctx, txID, ev) }); err != nil {
				t.Fatal(err)
			}
			wantFaultAnswers(t, b, g, ev.CardNo, 2)
		})

		t.Run("check-back slower than its deadline answers unknown", func(t *testing.T) {
			arm(t, faults.Spec{Point: "gift.end-transaction", Action: faults.Drop, Count: 1},
				faults.Spec{Point: "gift.check-back", Action: faults.Delay, Delay: 2500 * time.Millisecond, Count: 1})
			ev := cardIssued{CardNo: "check-back-slow", Cents: 100}
			if err := g.issued.Publish(ctx, ev, func(ctx context.Context, txID string) error { return g.issue(ctx, txID, ev) }); err != nil {
				t.Fatal(err)
			}
			wantFaultAnswers(t, b, g, ev.CardNo, 1)
		})

		t.Run("crash after the local commit: the check-back commits", func(t *testing.T) {
			arm(t, faults.Spec{Point: "gift.after-commit", Action: faults.Crash, Count: 1})
			ev := cardIssued{CardNo: "after-commit", Cents: 100}
			var committed atomic.Bool
			ended, returned := publishInBackground(g, ev, func(ctx context.Context, txID string) error {
				err := g.issue(ctx, txID, ev)
				committed.Store(err == nil)
				return err
			})
			waitCrash(t, ended)
			if !committed.Load() || returned.Load() {
				t.Fatalf("at the crash: local committed %v, Publish returned %v; want committed, not returned", committed.Load(), returned.Load())
			}
			testkit.Eventually(t, 15*time.Second, "the check-back to commit the half", func() bool {
				return halfOf(t, b, ev.CardNo).State == "committed"
			})
			if g.checked(ev.CardNo) == 0 {
				t.Error("committed without a check-back: the commit was sent after the crash")
			}
		})

		if armed := set.Armed(); len(armed) != 0 {
			t.Errorf("faults still armed after their counts: %+v", armed)
		}
	})
}

// publishInBackground publishes ev on a goroutine of its own, which a crash
// fault ends; ended closes when it is gone, returned tells whether Publish
// came back.
func publishInBackground(g *giftCards, ev cardIssued, local func(context.Context, string) error) (ended <-chan struct{}, returned *atomic.Bool) {
	done := make(chan struct{})
	returned = new(atomic.Bool)
	go func() {
		defer close(done)
		g.issued.Publish(context.Background(), ev, local) // a crash never returns
		returned.Store(true)
	}()
	return done, returned
}

// wantFaultAnswers waits for the half of key to be committed and checks that
// exactly n of the broker's checks were answered by the fault, not by Check.
// Checks the broker sent while the client's check goroutine was busy are
// answered after the commit, so the count is polled until it settles.
func wantFaultAnswers(t *testing.T, b *mqtest.Broker, g *giftCards, key string, n int) {
	t.Helper()
	testkit.Eventually(t, 20*time.Second, "the half of "+key+" committed", func() bool {
		return halfOf(t, b, key).State == "committed"
	})
	var sent, reached int
	deadline := time.Now().Add(10 * time.Second)
	for {
		sent, reached = halfOf(t, b, key).CheckCount, g.checked(key)
		if (sent-reached == n && reached > 0) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if sent-reached != n || reached == 0 {
		t.Errorf("%d checks sent, %d reached Check: %d answered by the fault, want %d and then Check's commit",
			sent, reached, sent-reached, n)
	}
}

func (g *giftCards) checked(cardNo string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.checks[cardNo]
}

func (g *giftCards) stored(t *testing.T, cardNo string) bool {
	t.Helper()
	var n int64
	if err := g.db.Model(&card{}).Where("card_no = ?", cardNo).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// half is a half message as the broker's admin API lists it.
type half struct {
	State      string `json:"state"`
	Keys       string `json:"keys"`
	CheckCount int    `json:"checkCount"`
}

// halfOf returns the half message keyed key (the zero half when the broker
// lists none).
func halfOf(t *testing.T, b *mqtest.Broker, key string) half {
	t.Helper()
	resp, err := http.Get(b.AdminURL + "/api/v1/transactions")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Transactions []half }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	for _, h := range out.Transactions {
		if h.Keys == key {
			return h
		}
	}
	return half{}
}
