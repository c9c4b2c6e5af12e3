package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
	"github.com/rocketmart/rocketmart/services/audit"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// The whole-shop tests run minirmq and the six services as processes, built
// from the workspace once per test binary, exactly as `make run` does.

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rocketmart-shop-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildErr  error
)

func build(t *testing.T) {
	t.Helper()
	buildOnce.Do(func() {
		root, err := filepath.Abs("../..")
		if err != nil {
			buildErr = err
			return
		}
		buildErr = launcher.Build(context.Background(), root, binDir, nil)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
}

// paymentTimeout is every order's payment deadline in these tests.
const paymentTimeout = 4 * time.Second

// startShop runs the shop with one database per service of the flavour;
// env (name/value pairs) overrides the test settings, e.g. a longer
// ORDER_PAYMENT_TIMEOUT for tests that must not race the deadline.
func startShop(t *testing.T, flavour string, env ...string) (*launcher.Shop, map[string]string) {
	t.Helper()
	return startShopWith(t, flavour, nil, env...)
}

// startShopWith is startShop with a last say on the launcher's options.
func startShopWith(t *testing.T, flavour string, adjust func(*launcher.Options), env ...string) (*launcher.Shop, map[string]string) {
	t.Helper()
	build(t)
	data := t.TempDir()
	dsn := map[string]string{}
	for _, svc := range launcher.ServiceNames() {
		if flavour == "mysql" {
			dsn[svc] = dbtest.MySQLDSN(t)
		} else {
			dsn[svc] = "sqlite:" + filepath.Join(data, svc+".db")
		}
	}
	delays := "500ms 1s 2s 3s 4s 5s"
	var progress bytes.Buffer
	opts := launcher.Options{
		BinDir: binDir, DataDir: data, FreePorts: true, MemoryBroker: true, DB: dsn, Progress: &progress,
		BrokerFlags: []string{"-tx-check-after", "1s", "-tx-check-interval", "1s", "-delay-levels", delays},
		Env: map[string]string{
			"ORDER_PAYMENT_TIMEOUT": paymentTimeout.String(), "ORDER_DELAY_LEVELS": delays,
			"INVENTORY_SWEEP_INTERVAL": "1h", "LOG_LEVEL": "debug", "ROCKETMQ_CLIENT_LOG_LEVEL": "fatal",
		},
	}
	for i := 0; i+1 < len(env); i += 2 {
		opts.Env[env[i]] = env[i+1]
	}
	if adjust != nil {
		adjust(&opts)
	}
	shop, err := launcher.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("start the shop: %v\n%s", err, progress.String())
	}
	t.Cleanup(func() {
		if err := shop.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
		if t.Failed() {
			for _, svc := range append([]string{"minirmq"}, launcher.ServiceNames()...) {
				b, _ := os.ReadFile(filepath.Join(shop.LogDir, svc+".log"))
				if len(b) > 6000 {
					b = b[len(b)-6000:]
				}
				t.Logf("---- %s log (tail) ----\n%s", svc, b)
			}
		}
	})
	return shop, dsn
}

// client calls the shop's services as a user.
type client struct {
	t    *testing.T
	shop *launcher.Shop
}

// call sends a JSON request and decodes a JSON answer; it returns the status.
func (c client) call(method, service, path, user string, in, out any, headers ...string) int {
	c.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.shop.URL[service]+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set("X-User-ID", user)
	} else {
		req.Header.Set("X-Admin-Token", c.shop.AdminToken)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Errorf("%s %s %s: %v", method, service, path, err)
		return 0
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func (c client) auditConfig() audit.Config {
	s := c.shop
	return audit.Config{URLs: s.URL, // by program name; the audit reads the services' and ignores the gateway's
		BrokerAdminURL: s.BrokerAdmin, AdminToken: s.AdminToken, Quiescence: 60 * time.Second}
}

var address = map[string]string{"name": "Ada Lovelace", "line1": "12 Analytical Row", "city": "London", "postalCode": "N1 7AA", "country": "GB"}

type line struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// plan is what one of the 50 concurrent orders does.
type plan struct {
	user   string
	lines  []line
	action string // pay, decline (pay → 402, then the deadline passes), cancel, abandon
}

func plans() []plan {
	var out []plan
	add := func(n int, p plan) {
		for range n {
			out = append(out, p)
		}
	}
	add(20, plan{"alice", []line{{"RM-MUG-STONE", 1}, {"RM-BOTTLE-750", 1}}, "pay"})
	add(12, plan{"bob", []line{{"RM-NOTEBOOK-A5", 2}}, "pay"})
	add(6, plan{"carol", []line{{"RM-BOTTLE-750", 1}}, "decline"}) // 24.99 > carol's 15.00
	add(6, plan{"bob", []line{{"RM-SOCKS-MERINO", 1}}, "cancel"})
	add(6, plan{"alice", []line{{"RM-MUG-STONE", 1}}, "abandon"})
	return out
}

// Fifty orders placed and paid concurrently by three users, some declined,
// some cancelled, some left to time out: once the shop is quiet the audit
// finds every invariant holds. Then two records are corrupted by hand and
// the audit names both, under the right invariants.
func TestFiftyOrdersAuditPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop; skipped with -short")
	}
	for _, flavour := range []string{"sqlite", "mysql"} {
		t.Run(flavour, func(t *testing.T) {
			shop, dsn := startShop(t, flavour)
			c := client{t: t, shop: shop}
			// Alice's cart holds mugs, so her paid orders clean it.
			if code := c.call("PUT", "cart", "/api/v1/cart/items/RM-MUG-STONE", "alice", map[string]int{"quantity": 50}, nil); code != 200 {
				t.Fatalf("fill alice's cart: %d", code)
			}

			ps := plans()
			orderNos := make([]string, len(ps))
			var wg sync.WaitGroup
			for i, p := range ps {
				wg.Go(func() {
					var o struct{ OrderNo string }
					code := c.call("POST", "order", "/api/v1/orders", p.user,
						map[string]any{"lines": p.lines, "address": address}, &o, "Idempotency-Key", fmt.Sprintf("shop-test-%d", i))
					if code != http.StatusCreated {
						t.Errorf("order %d of %s: place answered %d", i, p.user, code)
						return
					}
					orderNos[i] = o.OrderNo
					switch p.action {
					case "pay", "decline":
						want := map[string]int{"pay": 200, "decline": 402}[p.action]
						if code := c.call("POST", "order", "/api/v1/orders/"+o.OrderNo+"/pay", p.user, nil, nil); code != want {
							t.Errorf("%s of %s: pay answered %d, want %d", o.OrderNo, p.user, code, want)
						}
					case "cancel":
						if code := c.call("POST", "order", "/api/v1/orders/"+o.OrderNo+"/cancel", p.user, nil, nil); code != 200 {
							t.Errorf("%s: cancel answered %d", o.OrderNo, code)
						}
					}
				})
			}
			wg.Wait()
			if t.Failed() {
				t.FailNow()
			}

			// The 12 unpaid orders time out through the delayed ORDER_TIMEOUT.
			deadline := time.Now().Add(paymentTimeout + 60*time.Second)
			for {
				var cancelled struct{ Orders []struct{ OrderNo string } }
				c.call("GET", "order", "/api/v1/admin/orders?status=CANCELLED&limit=100", "", nil, &cancelled)
				if len(cancelled.Orders) == 18 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d cancelled orders, want 18 (6 by the user, 12 timed out)", len(cancelled.Orders))
				}
				time.Sleep(200 * time.Millisecond) // polling interval
			}

			rep, err := audit.Run(context.Background(), c.auditConfig())
			if err != nil {
				t.Fatal(err)
			}
			var text bytes.Buffer
			rep.WriteText(&text)
			if !rep.Passed || !rep.Quiescent {
				t.Fatalf("audit after 50 orders:\n%s", text.String())
			}
			wantChecked := map[int]int{1: 32, 2: 32, 3: 18, 4: 12, 5: 3}
			for _, inv := range rep.Invariants {
				if inv.Checked < wantChecked[inv.ID] {
					t.Errorf("invariant %d checked %d records, want at least %d:\n%s", inv.ID, inv.Checked, wantChecked[inv.ID], text.String())
				}
			}

			// Corrupt two records behind the services' backs.
			victim := orderNos[0] // alice's first order, paid
			// The stock table refuses unconserved counts (a CHECK), so move a unit
			// from available to reserved with no reservation holding it.
			exec(t, dsn["inventory"], "UPDATE stock SET available = available - 1, reserved = reserved + 1 WHERE sku = ?", "RM-KNIFE-CHEF")
			exec(t, dsn["cart"], "DELETE FROM checkouts WHERE order_no = ?", victim)
			rep, err = audit.Run(context.Background(), c.auditConfig())
			if err != nil {
				t.Fatal(err)
			}
			text.Reset()
			rep.WriteText(&text)
			if rep.Passed {
				t.Fatalf("audit passed after corruption:\n%s", text.String())
			}
			named := map[int]string{2: "order " + victim, 4: "sku RM-KNIFE-CHEF"}
			for _, inv := range rep.Invariants {
				subject, corrupted := named[inv.ID]
				if inv.Passed == corrupted {
					t.Errorf("invariant %d passed = %v after corrupting %v:\n%s", inv.ID, inv.Passed, named, text.String())
				}
				if corrupted && (len(inv.Violations) != 1 || inv.Violations[0].Subject != subject) {
					t.Errorf("invariant %d violations = %+v, want exactly one naming %s", inv.ID, inv.Violations, subject)
				}
			}
		})
	}
}

// exec runs one statement on a service's database.
func exec(t *testing.T, dsn, query string, args ...any) {
	t.Helper()
	db, err := database.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	res := db.Exec(query, args...)
	if res.Error != nil || res.RowsAffected != 1 {
		t.Fatalf("%s: %v, %d rows", query, res.Error, res.RowsAffected)
	}
}
