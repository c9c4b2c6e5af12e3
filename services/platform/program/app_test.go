package program_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/program"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

func spec(string) ([]byte, error) { return []byte(`{}`), nil }

func base(t *testing.T, log *bytes.Buffer) envconf.Base {
	return envconf.Base{Addr: ":0", DB: dbtest.SQLiteDSN(t), NameServer: "127.0.0.1:1", LogOut: log}
}

// Close runs the closes latest first, then the database's; a failing close
// is logged and the next one still runs.
func TestAppClosesLatestFirst(t *testing.T) {
	var log bytes.Buffer
	app, err := program.Open(t.Context(), "svc", base(t, &log), spec, func(*gorm.DB) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	var closed []string
	app.OnClose("producers", func() error { closed = append(closed, "producers"); return errors.New("half sent") })
	app.OnClose("consumers", func() error { closed = append(closed, "consumers"); return nil })
	app.Close()
	if want := []string{"consumers", "producers"}; !slices.Equal(closed, want) {
		t.Errorf("closed %v, want %v", closed, want)
	}
	if err := app.DB.Exec("SELECT 1").Error; err == nil {
		t.Error("the database is still open after Close")
	}
	if !strings.Contains(log.String(), `"msg":"close producers"`) || !strings.Contains(log.String(), "half sent") {
		t.Errorf("the failed close was not logged: %s", log.String())
	}
}

// A failed migration fails Open, which closes the database it opened.
func TestOpenFailsOnMigrate(t *testing.T) {
	var log bytes.Buffer
	var db *gorm.DB
	_, err := program.Open(t.Context(), "svc", base(t, &log), spec, func(d *gorm.DB) error { db = d; return errors.New("bad schema") })
	if err == nil || err.Error() != "bad schema" {
		t.Fatalf("Open = %v, want the migration's error", err)
	}
	if err := db.Exec("SELECT 1").Error; err == nil {
		t.Error("Open left the database open")
	}
}

// A service without an API document does not start.
func TestOpenFailsWithoutSpec(t *testing.T) {
	var log bytes.Buffer
	_, err := program.Open(t.Context(), "svc", base(t, &log), func(string) ([]byte, error) { return nil, errors.New("no svc.json") },
		func(*gorm.DB) error { t.Error("migrated without a document"); return nil })
	if err == nil {
		t.Fatal("Open succeeded without a document")
	}
}

// Every runs its round again and again, goes on after a failed round
// (logged), and Close stops it and waits for a round in progress.
func TestEveryRunsUntilClose(t *testing.T) {
	var log bytes.Buffer
	app, err := program.Open(t.Context(), "svc", base(t, &log), spec, func(*gorm.DB) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	var rounds, inRound atomic.Int32
	app.Every("expiry sweep", time.Millisecond, func(ctx context.Context) error {
		n := rounds.Add(1)
		if n == 1 {
			return errors.New("order service unreachable")
		}
		if n == 3 { // the round Close must wait for
			inRound.Store(1)
			<-ctx.Done()
			inRound.Store(0)
		}
		return nil
	})
	testkit.Eventually(t, 5*time.Second, "a round blocked in progress", func() bool { return inRound.Load() == 1 })
	app.Close()
	if inRound.Load() != 0 {
		t.Error("Close returned while a round was still running")
	}
	after := rounds.Load()
	if after != 3 {
		t.Errorf("%d rounds ran, want 3 (a failed one did not stop the next)", after)
	}
	if !strings.Contains(log.String(), "expiry sweep failed") || !strings.Contains(log.String(), "order service unreachable") {
		t.Errorf("the failed round was not logged: %s", log.String())
	}
}

// <PREFIX>_FAULTS arms its faults when the service serves, after it
// declared its points; one the service does not have stops the start,
// named by the variable.
func TestServeArmsFaultsFromTheEnvironment(t *testing.T) {
	var log bytes.Buffer
	b := base(t, &log)
	b.Faults, b.FaultsVar = "consume.shop-sales=fail,count=2", "SHOP_FAULTS"
	app, err := program.Open(t.Context(), "svc", b, spec, func(*gorm.DB) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // Serve arms first, then returns at once
	if err := app.Serve(ctx); err == nil || !strings.Contains(err.Error(), "SHOP_FAULTS") || !strings.Contains(err.Error(), "consume.shop-sales") {
		t.Errorf("Serve with an undeclared point = %v, want an error naming SHOP_FAULTS and the point", err)
	}
	program.ConsumerFaults(app.Faults, []mq.Subscription{{Group: "shop-sales", Topic: "SHOP_SALE", Handler: func(context.Context, mq.Delivery) error { return nil }}})
	if err := app.Serve(ctx); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if got := app.Faults.Summaries(); !slices.Equal(got, []string{"consume.shop-sales: fail (2 left)"}) {
		t.Errorf("armed %q", got)
	}
}
