package main_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
	"github.com/rocketmart/rocketmart/services/contracts"
)

// syncBuffer is the launcher's progress output, read while its supervisors
// write to it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.WriteString(string(p))
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not %s within %v", what, within)
		}
		time.Sleep(100 * time.Millisecond) // polling interval
	}
}

// The real shop under its supervisor: the payment service killed with
// SIGKILL comes back by itself and an order is paid through the gateway; a
// service stopped on purpose stays stopped; a service whose binary is broken
// is given up after a few attempts with its log named, and the rest of the
// shop still serves.
func TestSupervisedShop(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop; skipped with -short")
	}
	build(t)
	// The test's own bin directory, so one binary can be broken later.
	bin := t.TempDir()
	for _, name := range append([]string{"minirmq", "web"}, launcher.ServiceNames()...) {
		if err := os.Symlink(filepath.Join(binDir, name), filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	progress := &syncBuffer{}
	shop, _ := startShopWith(t, "sqlite", func(o *launcher.Options) {
		o.BinDir, o.Progress = bin, progress
		o.Restart = launcher.RestartPolicy{FirstDelay: 100 * time.Millisecond, MaxDelay: time.Second, GiveUpAfter: 3}
	}, "ORDER_PAYMENT_TIMEOUT", "5m")

	if err := shop.CrashProgram("payment"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "payment restarted and ready", 60*time.Second, func() bool {
		return shop.Restarts("payment") == 1 && shop.State("payment") == launcher.Running
	})
	for _, want := range []string{"payment    exited unexpectedly (signal: killed); restart 1 in 100ms", "payment    is back: ready in"} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, progress)
		}
	}
	alice := newShopper(t, shop)
	alice.signIn("alice")
	var placed struct{ OrderNo string }
	alice.must(http.StatusCreated, "POST", "/api/order/orders", map[string]any{"lines": []line{{"RM-MUG-STONE", 1}}, "address": address},
		&placed, "Idempotency-Key", "supervised-1")
	alice.must(http.StatusOK, "POST", "/api/order/orders/"+placed.OrderNo+"/pay", nil, nil)

	if err := shop.StopProgram("cart"); err != nil {
		t.Fatal(err)
	}
	// A build that no longer starts: the next points process exits at once.
	broken := filepath.Join(bin, "points")
	if err := os.Remove(broken); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, []byte("#!/bin/sh\necho 'points: broken build' >&2\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := shop.CrashProgram("points"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "points given up", 60*time.Second, func() bool { return shop.State("points") == launcher.GaveUp })
	out := progress.String()
	for _, want := range []string{"points     GAVE UP after 3 failed restarts in a row", filepath.Join(shop.LogDir, "points.log"), "points: broken build"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lacks %q:\n%s", want, out)
		}
	}
	// The give-up took several restart delays; cart, stopped on purpose
	// before it, was never restarted in that time.
	if got := shop.State("cart"); got != launcher.Stopped || shop.Restarts("cart") != 0 {
		t.Errorf("cart, stopped on purpose, is %q after %d restarts", got, shop.Restarts("cart"))
	}
	alice.must(http.StatusOK, "GET", "/api/inventory/products", nil, nil)
	for _, name := range []string{"minirmq", "order", "payment", "inventory", "logistics", "web"} {
		if got := shop.State(name); got != launcher.Running {
			t.Errorf("%s is %q after points was given up", name, got)
		}
	}
}

// Two order instances in the order-paid-tx producer group, on one MySQL
// database: both ready on their own ports, and the broker lists both as
// members of the group, so either can answer a check-back.
func TestTwoOrderInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop; skipped with -short")
	}
	shop, _ := startShopWith(t, "mysql", func(o *launcher.Options) { o.OrderInstances = 2 })
	first, second := shop.URL[contracts.ServiceOrder], shop.URL[launcher.SecondOrder]
	if second == "" || second == first {
		t.Fatalf("second order instance at %q, the first at %q", second, first)
	}
	for _, url := range []string{first, second} {
		resp, err := http.Get(url + "/readyz")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s/readyz: %v %v", url, err, resp)
		}
		resp.Body.Close()
	}
	var members []struct{ ClientID string }
	eventually(t, "two members in "+contracts.ProducerOrderPaidTx, 60*time.Second, func() bool {
		resp, err := http.Get(shop.BrokerAdmin + "/api/v1/producer-groups")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var body struct {
			Groups []struct {
				Group   string
				Members []struct{ ClientID string }
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("producer groups: %v", err)
		}
		for _, g := range body.Groups {
			if g.Group == contracts.ProducerOrderPaidTx {
				members = g.Members
			}
		}
		return len(members) == 2
	})
	if members[0].ClientID == members[1].ClientID {
		t.Errorf("both members are %q", members[0].ClientID)
	}
}
