package main_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

// controlEntry is one program as the control API answers it.
type controlEntry struct {
	Name     string `json:"name"`
	State    string `json:"state"`
	Restarts int    `json:"restarts"`
}

// The launcher's control API on the real shop, reached through the
// gateway's trainer routes as the trainer page reaches it: the token is
// required; a crash is answered at once and the supervisor brings the
// service back; a reset puts the seed back (an order placed and paid is
// gone, the wallet and the stock are as they were) and says how long it took.
func TestControlAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop; skipped with -short")
	}
	shop, _ := startShop(t, "sqlite", "ORDER_PAYMENT_TIMEOUT", "5m")
	trainer := newShopper(t, shop)
	tok := []string{"X-Admin-Token", shop.AdminToken}
	for _, c := range []struct {
		headers []string
		want    int
	}{{nil, http.StatusUnauthorized}, {[]string{"X-Admin-Token", "wrong"}, http.StatusForbidden}} {
		if code, body := trainer.do("POST", "/api/trainer/control/programs/payment/crash", nil, nil, c.headers...); code != c.want {
			t.Errorf("crash with %v: %d %s, want %d", c.headers, code, body, c.want)
		}
	}
	if shop.Restarts("payment") != 0 {
		t.Fatalf("a refused crash crashed payment")
	}

	var crashed controlEntry
	trainer.must(http.StatusOK, "POST", "/api/trainer/control/programs/payment/crash", nil, &crashed, tok...)
	if crashed.Name != "payment" || crashed.State != "restarting" || crashed.Restarts != 1 {
		t.Errorf("crash answered %+v, want payment restarting after 1 restart", crashed)
	}
	eventually(t, "payment back after the crash", 60*time.Second, func() bool {
		var list struct{ Programs []controlEntry }
		trainer.must(http.StatusOK, "GET", "/api/trainer/control/programs", nil, &list, tok...)
		i := slices.IndexFunc(list.Programs, func(p controlEntry) bool { return p.Name == "payment" })
		return i >= 0 && list.Programs[i].State == "running" && list.Programs[i].Restarts == 1
	})

	alice := newShopper(t, shop)
	alice.signIn("alice")
	var wallet struct{ BalanceCents int64 }
	alice.must(http.StatusOK, "GET", "/api/payment/wallet", nil, &wallet)
	c := client{t: t, shop: shop}
	stock := available(c, "RM-MUG-STONE")
	var placed struct{ OrderNo string }
	alice.must(http.StatusCreated, "POST", "/api/order/orders", map[string]any{"lines": []line{{"RM-MUG-STONE", 1}}, "address": address},
		&placed, "Idempotency-Key", "control-reset-1")
	alice.must(http.StatusOK, "POST", "/api/order/orders/"+placed.OrderNo+"/pay", nil, nil)

	var rep launcher.ResetReport
	trainer.must(http.StatusOK, "POST", "/api/trainer/control/reset", nil, &rep, tok...)
	t.Logf("reset took %d ms; restarted %v; faults cleared on %v, not on %v", rep.TookMs, rep.Restarted, rep.Cleared, rep.NotCleared)
	if want := append([]string{"minirmq"}, launcher.ServiceNames()...); !slices.Equal(rep.Restarted, want) || len(rep.Failed) != 0 {
		t.Errorf("reset restarted %v (failed %v), want %v", rep.Restarted, rep.Failed, want)
	}
	if len(rep.Cleared)+len(rep.NotCleared) != 7 {
		t.Errorf("reset asked %d programs to clear their faults, want 7", len(rep.Cleared)+len(rep.NotCleared))
	}
	// Alice is still signed in: sessions are the gateway's, which kept running.
	var orders struct{ Orders []struct{ OrderNo string } }
	alice.must(http.StatusOK, "GET", "/api/order/orders", nil, &orders)
	var after struct{ BalanceCents int64 }
	alice.must(http.StatusOK, "GET", "/api/payment/wallet", nil, &after)
	if len(orders.Orders) != 0 || after.BalanceCents != wallet.BalanceCents {
		t.Errorf("after the reset alice has %d orders and %d cents, want none and the seed's %d", len(orders.Orders), after.BalanceCents, wallet.BalanceCents)
	}
	if got := available(c, "RM-MUG-STONE"); got != stock {
		t.Errorf("after the reset RM-MUG-STONE has %d available, want the seed's %d", got, stock)
	}
}
