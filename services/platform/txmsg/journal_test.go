package txmsg_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// stepsOf lists the journal's entries of key as "step/outcome".
func stepsOf(t *testing.T, g *giftCards, key string) ([]string, []journal.Entry) {
	t.Helper()
	entries, err := g.journal.ByKey(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Step+"/"+e.Outcome)
	}
	return out, entries
}

// TestJournal publishes the event through each path a half message can take
// and reads the producer's side of its timeline from the journal.
func TestJournal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		b := mqtest.Start(t)
		set := faults.New("giftcard", slog.New(slog.DiscardHandler))
		g := startGiftCards(t, db, b.Config, set)
		ctx := context.Background()
		errLost := apperr.New(apperr.Unavailable, "LOST", "the answer was lost")

		var mu sync.Mutex
		seen := map[string]string{} // card number → msgId delivered
		b.Consume(t, mq.ConsumerOptions{}, mq.Subscription{Group: "giftcard-journal", Topic: "GIFT_CARD_ISSUED",
			Handler: func(_ context.Context, d mq.Delivery) error {
				mu.Lock()
				defer mu.Unlock()
				seen[d.Key] = d.MsgID
				return nil
			}})

		publish := func(t *testing.T, card string, local func(ctx context.Context, txID string) error) {
			t.Helper()
			if err := g.issued.Publish(ctx, cardIssued{CardNo: card, Cents: 100}, local); err != nil {
				t.Fatal(err)
			}
		}
		issue := func(card string) func(context.Context, string) error {
			return func(ctx context.Context, txID string) error {
				return g.issue(ctx, txID, cardIssued{CardNo: card, Cents: 100})
			}
		}

		t.Run("commit", func(t *testing.T) {
			var txID string
			publish(t, "commit", func(ctx context.Context, id string) error { txID = id; return issue("commit")(ctx, id) })
			got, entries := stepsOf(t, g, "commit")
			if want := []string{"half-sent/", "local-transaction/commit", "end-transaction/commit"}; !slices.Equal(got, want) {
				t.Fatalf("steps %q, want %q", got, want)
			}
			half := entries[0]
			if half.Topic != "GIFT_CARD_ISSUED" || half.TxID != txID || half.MsgID != txID || half.Actor != "giftcard" || entries[2].TxID != txID {
				t.Errorf("half-sent %+v; want topic, msgId and txId %s", half, txID)
			}
			// The msgId the producer journals is the one consumers see
			// (and journal): the timeline joins them.
			testkit.Eventually(t, 15*time.Second, "the card delivered", func() bool {
				mu.Lock()
				defer mu.Unlock()
				return seen["commit"] != ""
			})
			mu.Lock()
			defer mu.Unlock()
			if seen["commit"] != half.MsgID {
				t.Errorf("consumers saw msgId %s, the journal says %s", seen["commit"], half.MsgID)
			}
		})

		t.Run("rollback", func(t *testing.T) {
			publish(t, "rollback", func(context.Context, string) error { return errors.New("card stock exhausted") })
			got, entries := stepsOf(t, g, "rollback")
			if want := []string{"half-sent/", "local-transaction/rollback", "end-transaction/rollback"}; !slices.Equal(got, want) {
				t.Fatalf("steps %q, want %q", got, want)
			}
			if entries[1].Detail != "card stock exhausted" {
				t.Errorf("local-transaction detail %q, want the error", entries[1].Detail)
			}
		})

		t.Run("unknown, then the check-back commits", func(t *testing.T) {
			publish(t, "unknown", func(ctx context.Context, txID string) error {
				if err := issue("unknown")(ctx, txID); err != nil {
					return err
				}
				return errLost
			})
			wantCheckBacks(t, g, "unknown", []string{"half-sent/", "local-transaction/unknown", "end-transaction/unknown"}, nil)
			_, entries := stepsOf(t, g, "unknown")
			if !strings.Contains(entries[1].Detail, "the answer was lost") || !strings.Contains(entries[2].Detail, "check back") {
				t.Errorf("details %q, %q; want the local error, then the broker checking back", entries[1].Detail, entries[2].Detail)
			}
		})

		t.Run("end-transaction dropped, check-back answers unknown once, then commits", func(t *testing.T) {
			set.Reset()
			if err := set.ArmAll([]faults.Spec{{Point: "gift.end-transaction", Action: faults.Drop, Count: 1},
				{Point: "gift.check-back", Action: faults.Answer, Value: "unknown", Count: 1}}); err != nil {
				t.Fatal(err)
			}
			publish(t, "dropped", issue("dropped"))
			wantCheckBacks(t, g, "dropped", []string{"half-sent/", "local-transaction/commit", "end-transaction/dropped"},
				[]string{"check-back/unknown"})
			_, entries := stepsOf(t, g, "dropped")
			if !strings.Contains(entries[2].Detail, "gift.end-transaction") || !strings.Contains(entries[3].Detail, "gift.check-back") {
				t.Errorf("details %q, %q; want each naming its fault point", entries[2].Detail, entries[3].Detail)
			}
		})
	})
}

// wantCheckBacks waits until the producer answered a check-back "commit"
// for key, then wants the steps: before, then the check-backs, the first
// ones being first (the fault's answers), each numbered by the broker from
// 1. Checks the broker sent while the client was busy may be answered after
// the commit, so "commit" may repeat at the end.
func wantCheckBacks(t *testing.T, g *giftCards, key string, before, first []string) {
	t.Helper()
	testkit.Eventually(t, 20*time.Second, "a check-back committing "+key, func() bool {
		got, _ := stepsOf(t, g, key)
		return slices.Contains(got, "check-back/commit")
	})
	got, entries := stepsOf(t, g, key)
	if len(got) < len(before)+len(first)+1 || !slices.Equal(got[:len(before)], before) ||
		!slices.Equal(got[len(before):len(before)+len(first)], first) {
		t.Fatalf("steps %q, want %q then %q then check-back/commit", got, before, first)
	}
	for i, e := range entries[len(before):] {
		if e.Step != journal.StepCheckBack || e.Attempt != i+1 || e.TxID != entries[0].TxID || e.MsgID != entries[0].MsgID {
			t.Errorf("check-back %d: %+v; want attempt %d of tx %s", i+1, e, i+1, entries[0].TxID)
		}
		if i >= len(first) && e.Outcome != "commit" {
			t.Errorf("check-back %d answered %s after the faults, want commit", i+1, e.Outcome)
		}
	}
}
