package main_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/labs"
	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

// Every lab runs end to end on SQLite: each correct lab passes, and each
// naive twin fails with the failure that is its lesson — which also shows
// that the audit catches each class of bug (a phantom event, a lost event,
// an unrefunded charge, a double effect, an oversell).
func TestLabsOnSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop; skipped with -short")
	}
	t.Parallel() // mostly waiting for the broker's timers: overlaps the other whole-shop waits
	shop, _ := startShopWith(t, "sqlite", labs.Tune)
	runLabs(t, shop, labs.Names())

	// The trainer page lists and grades a lab through the launcher's control
	// API, in the language of the storefront's switch.
	shop.SetLabs(labs.ForControl(labs.FromLauncher(shop), io.Discard))
	for _, c := range []struct{ query, title, reason string }{
		{"", "The happy path", "ok: the half message was committed by the producer"},
		{"?lang=zh-CN", "正常路径", "通过：半消息由生产者提交"},
	} {
		var list struct{ Labs []launcher.LabInfo }
		if status := control(t, shop, http.MethodGet, "/api/v1/labs"+c.query, &list); status != http.StatusOK ||
			len(list.Labs) == 0 || !strings.HasPrefix(list.Labs[0].Title, c.title) {
			t.Errorf("listing the labs%s: %d %+v, want the first titled %q", c.query, status, list, c.title)
		}
		var rep launcher.LabReport
		if status := control(t, shop, http.MethodPost, "/api/v1/labs/happy-path/grade"+c.query, &rep); status != http.StatusOK ||
			!rep.Passed || len(rep.Reasons) < 3 || !strings.Contains(strings.Join(rep.Reasons, "\n"), c.reason) {
			t.Errorf("grading happy-path through the control API%s: %d %+v, want a reason %q", c.query, status, rep, c.reason)
		}
	}
}

// control calls the launcher's control API with the admin token and
// decodes the answer into v.
func control(t *testing.T, shop *launcher.Shop, method, path string, v any) int {
	t.Helper()
	req, _ := http.NewRequest(method, shop.ControlURL+path, nil)
	req.Header.Set("X-Admin-Token", shop.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Errorf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode
}

// The message-path labs on MariaDB, with two order instances in the one
// producer group: the crash lab's check-back is answered by the other one.
func TestLabsOnMySQL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop; skipped with -short")
	}
	t.Parallel() // mostly waiting for the broker's timers: overlaps the other whole-shop waits
	shop, _ := startShopWith(t, "mysql", func(o *launcher.Options) {
		labs.Tune(o)
		o.OrderInstances = 2
	})
	if _, ok := shop.URL[launcher.SecondOrder]; !ok {
		t.Fatal("the shop runs one order instance")
	}
	runLabs(t, shop, []string{
		"happy-path", "payment-answer-lost", "payment-answer-lost-naive", "crash-after-half", "crash-after-half-naive",
		"crash-after-commit", "crash-after-commit-naive", "duplicate-delivery", "duplicate-delivery-naive", "failing-consumer",
		"oversell-race", "oversell-race-naive",
	})
}

func runLabs(t *testing.T, shop *launcher.Shop, names []string) {
	t.Helper()
	target := labs.FromLauncher(shop)
	target.Wait = 45 * time.Second
	for _, name := range names {
		l, ok := labs.Find(name)
		if !ok {
			t.Fatalf("no lab %s", name)
		}
		var narration strings.Builder
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		rep := labs.Grade(ctx, target, l, launcher.English, &narration)
		cancel()
		rep.WriteText(&narration)
		failed := strings.Join(rep.Failed(), "\n")
		switch {
		case !rep.AsExpected():
			t.Errorf("lab %s: passed=%v, want %v\n%s", name, rep.Passed, !l.Naive, narration.String())
		case l.Naive && !strings.Contains(failed, l.Shows):
			t.Errorf("naive twin %s failed, but not with %q:\n%s", name, l.Shows, narration.String())
		case os.Getenv("LAB_VERBOSE") != "":
			t.Logf("%s", narration.String())
		}
	}
}
