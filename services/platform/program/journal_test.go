package program_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
	"github.com/rocketmart/rocketmart/services/platform/program"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// sales is a consumer that fails the first deliveries of a message, as a
// flaky dependency would, and claims each message once, as inbox does.
type sales struct {
	mu      sync.Mutex
	failFor map[string]int  // key → deliveries that fail
	failed  map[string]int  // msgId → deliveries failed
	claimed map[string]bool // msgId → processed
}

func (s *sales) handle(_ context.Context, d mq.Delivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case d.Key == "RM-POISON":
		return mq.Poison(errors.New("body is not a sale"))
	case s.failed[d.MsgID] < s.failFor[d.Key]:
		s.failed[d.MsgID]++
		return fmt.Errorf("ledger unreachable (attempt %d)", d.ReconsumeTimes+1)
	case s.claimed[d.MsgID]:
		return fmt.Errorf("sale %s already recorded: %w", d.MsgID, apperr.ErrAlreadyApplied)
	}
	s.claimed[d.MsgID] = true
	return nil
}

// consumed lists the consumed entries of key as "outcome@attempt".
func consumed(t *testing.T, j *journal.Journal, key string) []string {
	t.Helper()
	entries, err := j.ByKey(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, fmt.Sprintf("%s@%d", e.Outcome, e.Attempt))
	}
	return out
}

// Every delivery a service's consumer handles is in its journal: each
// attempt with its outcome and error, a redelivered duplicate, poison and a
// dead letter; and the admin API serves them.
func TestConsumeRecordsEveryDelivery(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, dsn string) {
		b := mqtest.Start(t)
		var log bytes.Buffer
		base := envconf.Base{Addr: "127.0.0.1:8086", DB: dsn, NameServer: b.Config.NameServer, ClientLogLevel: "fatal",
			MaxReconsume: 2, AdminToken: "s3cret", LogOut: &log}
		app, err := program.Open(t.Context(), "shop", base, spec, func(*gorm.DB) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		defer app.Close()
		s := &sales{failFor: map[string]int{"RM-FLAKY": 2, "RM-DEAD": 99}, failed: map[string]int{}, claimed: map[string]bool{}}
		if err := app.Consume(t.Context(), mq.Subscription{Group: "shop-sales", Topic: "SHOP_SALE", Handler: s.handle}); err != nil {
			t.Fatal(err)
		}

		flaky := b.Send(t, "SHOP_SALE", "RM-FLAKY", []byte(`{}`))
		b.Send(t, "SHOP_SALE", "RM-POISON", []byte(`not json`))
		b.Send(t, "SHOP_SALE", "RM-DEAD", []byte(`{}`))
		want := map[string]string{
			"RM-FLAKY":  "failed@1 failed@2 processed@3",
			"RM-POISON": "poison@1",
			"RM-DEAD":   "failed@1 failed@2 dead-lettered@3",
		}
		for key, w := range want {
			testkit.Eventually(t, 20*time.Second, key+" consumed as "+w, func() bool { return strings.Join(consumed(t, app.Journal, key), " ") == w })
		}

		entries, _ := app.Journal.ByKey(t.Context(), "RM-FLAKY")
		first := entries[0]
		if first.Step != journal.StepConsumed || first.Topic != "SHOP_SALE" || first.Group != "shop-sales" || first.MsgID != flaky.MsgID ||
			first.Detail != "ledger unreachable (attempt 1)" || first.Actor != "shop" || first.Instance != "127.0.0.1:8086" {
			t.Errorf("first attempt: %+v; want consumed SHOP_SALE by shop-sales, msgId %s, the error as detail, actor shop", first, flaky.MsgID)
		}

		b.Redeliver(t, "shop-sales", flaky)
		testkit.Eventually(t, 20*time.Second, "the redelivered duplicate recorded", func() bool {
			got := consumed(t, app.Journal, "RM-FLAKY")
			return len(got) == 4 && got[3] == "duplicate@1" // a redelivery is a new delivery: attempt 1
		})
		entries, _ = app.Journal.ByKey(t.Context(), "RM-FLAKY")
		if dup := entries[3]; dup.MsgID != flaky.MsgID || !strings.Contains(dup.Detail, "already recorded") {
			t.Errorf("duplicate entry %+v; want msgId %s and the handler's reason", dup, flaky.MsgID)
		}

		r := servetest.Do(app.Server.Handler(), http.MethodGet, "/api/v1/admin/journal?key=RM-POISON", "", httpserver.HeaderAdminToken, "s3cret")
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"outcome":"poison"`) || !strings.Contains(string(r.Body), `"detail":"poison message: body is not a sale"`) {
			t.Errorf("admin API: %d %s", r.Status, r.Body)
		}
	})
}

// Open migrates the journal for every service, whatever its own migration.
func TestOpenMigratesTheJournal(t *testing.T) {
	var log bytes.Buffer
	app, err := program.Open(t.Context(), "svc", base(t, &log), spec, func(*gorm.DB) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if !app.DB.Migrator().HasTable("journal_entries") {
		t.Error("no journal_entries table after Open")
	}
	app.Journal.Record(t.Context(), journal.Entry{Key: "RM-1", Step: journal.StepHalfSent})
	if got, err := app.Journal.ByKey(t.Context(), "RM-1"); err != nil || len(got) != 1 || got[0].Actor != "svc" {
		t.Errorf("entries %+v (%v), want one by svc", got, err)
	}
}

func TestInstance(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skip("no host name:", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tests := []struct {
		name string
		base envconf.Base
		want string
	}{
		{"every interface", envconf.Base{Addr: ":8081"}, host + ":8081"},
		{"unspecified IP", envconf.Base{Addr: "0.0.0.0:8081"}, host + ":8081"},
		{"one address", envconf.Base{Addr: "127.0.0.1:8081"}, "127.0.0.1:8081"},
		{"a test's listener", envconf.Base{Addr: ":0", Listener: ln}, ln.Addr().String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := program.Instance(tt.base); got != tt.want {
				t.Errorf("Instance = %q, want %q", got, tt.want)
			}
		})
	}
}
