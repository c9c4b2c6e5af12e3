package events_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
	"github.com/rocketmart/rocketmart/services/points/internal/events"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
	"github.com/rocketmart/rocketmart/services/points/internal/store"
)

func delivery(t *testing.T, ev contracts.OrderPaid) mq.Delivery {
	t.Helper()
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return mq.Delivery{MsgID: "m-" + ev.EventID, Topic: contracts.TopicOrderPaid, Key: ev.OrderNo, Body: body}
}

// The handler's answer for each kind of delivery, without a broker: the
// consumer adapter turns these into ack, duplicate, poison or retry.
func TestHandlerOutcomes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := store.Migrate(db); err != nil {
			t.Fatal(err)
		}
		svc := points.NewService(store.New(db))
		logs := &testkit.LogBuffer{}
		h := events.OrderPaid(svc, slog.New(slog.NewJSONHandler(logs, nil)))
		ctx := t.Context()

		if err := h(ctx, delivery(t, paid("ev-1", "RM-1", "alice", 2_000))); err != nil {
			t.Fatalf("first delivery: %v", err)
		}
		if err := h(ctx, delivery(t, paid("ev-1", "RM-1", "alice", 2_000))); !errors.Is(err, apperr.ErrAlreadyApplied) {
			t.Errorf("redelivery: %v, want apperr.ErrAlreadyApplied", err)
		}
		if err := h(ctx, delivery(t, paid("ev-2", "RM-1", "alice", 2_000))); !errors.Is(err, apperr.ErrAlreadyApplied) {
			t.Errorf("second event of the order: %v, want apperr.ErrAlreadyApplied", err)
		}
		if strings.Contains(logs.String(), "disagrees") {
			t.Errorf("a faithful duplicate was logged as a disagreement:\n%s", logs)
		}
		err := h(ctx, delivery(t, paid("ev-3", "RM-1", "bob", 9_900)))
		if !errors.Is(err, apperr.ErrAlreadyApplied) || !strings.Contains(logs.String(), `"credited_user_id":"alice"`) {
			t.Errorf("a disagreeing event: %v, logs:\n%s", err, logs)
		}
		for name, body := range map[string]string{
			"not JSON": `{"eventId":`,
			"no lines": `{"eventId":"e","orderNo":"RM-2","userId":"alice","totalCents":0}`,
			"order too long": func() string {
				b, _ := json.Marshal(paid("ev-4", strings.Repeat("R", 65), "alice", 100))
				return string(b)
			}(),
		} {
			if err := h(ctx, mq.Delivery{Topic: contracts.TopicOrderPaid, Body: []byte(body)}); !errors.Is(err, mq.ErrPoison) {
				t.Errorf("%s: %v, want mq.ErrPoison", name, err)
			}
		}
		if st, err := svc.Statement(ctx, "alice"); err != nil || st.Balance != 20 || len(st.Ledger) != 1 {
			t.Errorf("alice: %+v, %v; want one credit of 20", st, err)
		}
		if st, err := svc.Statement(ctx, "bob"); err != nil || st.Balance != 0 {
			t.Errorf("bob: %+v, %v; want nothing", st, err)
		}

		// A database that is gone is neither a duplicate nor poison: retry.
		if err := database.Close(db); err != nil {
			t.Fatal(err)
		}
		err = h(ctx, delivery(t, paid("ev-5", "RM-5", "alice", 100)))
		if err == nil || errors.Is(err, apperr.ErrAlreadyApplied) || errors.Is(err, mq.ErrPoison) {
			t.Errorf("with the database closed: %v, want a retryable error", err)
		}
	})
}
