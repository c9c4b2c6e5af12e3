package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
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
	// points, when set, pays that many points of the order (the order is
	// placed and paid in the second wave, once the first wave's credits
	// are there).
	points int64
	// after is what follows the payment, in the second wave: "" nothing,
	// ship, deliver (ship then deliver), refund (before shipping), return
	// (ship, deliver, request the return, an admin accepts it).
	after string
}

// alicePaid is one of alice's paid orders: 14.99 + 24.99 = 39.98, 39 points.
func alicePaid(points int64, after string) plan {
	return plan{"alice", []line{{"RM-MUG-STONE", 1}, {"RM-BOTTLE-750", 1}}, "pay", points, after}
}

// pointsPerAlicePay is what each of alice's wallet-paid orders credits.
const pointsPerAlicePay = 39

// plans are the 50 orders. Where they end: 19 PAID, 2 SHIPPED, 4
// COMPLETED, 7 REFUNDED (3 returned after delivery, 4 refunded before
// shipping, one of them paid partly with points), 18 CANCELLED.
func plans() []plan {
	var out []plan
	add := func(n int, p plan) {
		for range n {
			out = append(out, p)
		}
	}
	add(8, alicePaid(0, ""))
	add(3, alicePaid(0, "deliver"))
	add(3, alicePaid(0, "return"))
	add(2, alicePaid(0, "refund"))
	add(2, alicePaid(80, ""))
	add(1, alicePaid(80, "deliver"))
	add(1, alicePaid(80, "refund"))
	add(9, plan{"bob", []line{{"RM-NOTEBOOK-A5", 2}}, "pay", 0, ""})
	add(2, plan{"bob", []line{{"RM-NOTEBOOK-A5", 2}}, "pay", 0, "ship"})
	add(1, plan{"bob", []line{{"RM-NOTEBOOK-A5", 2}}, "pay", 0, "refund"})
	add(6, plan{"carol", []line{{"RM-BOTTLE-750", 1}}, "decline", 0, ""}) // 24.99 > carol's 15.00
	add(6, plan{"bob", []line{{"RM-SOCKS-MERINO", 1}}, "cancel", 0, ""})
	add(6, plan{"alice", []line{{"RM-MUG-STONE", 1}}, "abandon", 0, ""})
	return out
}

// wantFinal is how many of the 50 orders end in each status.
var wantFinal = map[string]int{"PAID": 19, "SHIPPED": 2, "COMPLETED": 4, "REFUNDED": 7, "CANCELLED": 18}

// afterPayDeadline bounds each wait for an event between two services.
const afterPayDeadline = 60 * time.Second

// until calls until the answer is want (e.g. a shipment that ORDER_PAID's
// consumer has not created yet answers 404 first), failing at the deadline.
func (c client) until(want int, method, service, path, user string, in, out any) bool {
	c.t.Helper()
	var code int
	if !polled(func() bool { code = c.call(method, service, path, user, in, out); return code == want }) {
		c.t.Errorf("%s %s %s: still %d after %s, want %d", method, service, path, code, afterPayDeadline, want)
		return false
	}
	return true
}

// untilStatus polls an order as its owner until it is in status.
func (c client) untilStatus(no, user, status string) bool {
	c.t.Helper()
	var o struct{ Status string }
	if !polled(func() bool { c.call("GET", "order", "/api/v1/orders/"+no, user, nil, &o); return o.Status == status }) {
		c.t.Errorf("%s is %s after %s, want %s", no, o.Status, afterPayDeadline, status)
		return false
	}
	return true
}

// polled checks cond until it holds (true) or afterPayDeadline passes
// (false). It reports instead of failing, so the after-payment steps can
// wait on it from their own goroutines, where t.Fatal must not be called.
func polled(cond func() bool) bool {
	deadline := time.Now().Add(afterPayDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(200 * time.Millisecond) // polling interval
	}
	return true
}

// afterPay takes a paid order on as its plan says.
func (c client) afterPay(no string, p plan) {
	c.t.Helper()
	ok := func(code int, what string) bool {
		if code != http.StatusOK {
			c.t.Errorf("%s of %s: %s answered %d", no, p.user, what, code)
			return false
		}
		return true
	}
	switch p.after {
	case "refund":
		ok(c.call("POST", "order", "/api/v1/orders/"+no+"/refund", p.user, nil, nil), "refund")
		return
	case "":
		return
	}
	// The shipment exists once logistics consumed ORDER_PAID.
	if !c.until(http.StatusOK, "POST", "logistics", "/api/v1/admin/shipments/"+no+"/ship", "", nil, nil) || p.after == "ship" {
		return
	}
	if !ok(c.call("POST", "logistics", "/api/v1/admin/shipments/"+no+"/deliver", "", nil, nil), "deliver") || p.after == "deliver" {
		return
	}
	// A return needs the order COMPLETED: SHIPMENT_DELIVERED reached it.
	if !c.untilStatus(no, p.user, "COMPLETED") || !ok(c.call("POST", "order", "/api/v1/orders/"+no+"/return", p.user, nil, nil), "return") {
		return
	}
	ok(c.call("POST", "order", "/api/v1/admin/orders/"+no+"/return/accept", "", nil, nil), "accept the return")
}

// pointsBalance is user's points balance.
func (c client) pointsBalance(user string) int64 {
	c.t.Helper()
	var p struct{ Balance int64 }
	if code := c.call("GET", "points", "/api/v1/points", user, nil, &p); code != http.StatusOK {
		c.t.Fatalf("points of %s: %d", user, code)
	}
	return p.Balance
}

// Fifty orders placed and paid concurrently by three users, some declined,
// some cancelled, some left to time out; then, concurrently, some paid
// partly with points, shipped, delivered, refunded before shipping and
// returned after delivery: once the shop is quiet the audit finds every
// invariant holds. Then three records are corrupted by hand (one a returned
// order's stock) and the audit names each, under the right invariant.
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

			startPoints := c.pointsBalance("alice")
			ps := plans()
			orderNos := make([]string, len(ps))
			// place places order i and pays, cancels or declines it as planned.
			place := func(i int, p plan) {
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
					var body any
					if p.points > 0 {
						body = map[string]int64{"pointsToUse": p.points}
					}
					var paid struct {
						Order struct{ PointsApplied, ChargedCents int64 }
					}
					if code := c.call("POST", "order", "/api/v1/orders/"+o.OrderNo+"/pay", p.user, body, &paid); code != want {
						t.Errorf("%s of %s: pay answered %d, want %d", o.OrderNo, p.user, code, want)
					} else if p.points > 0 && (paid.Order.PointsApplied != p.points || paid.Order.ChargedCents != 3998-p.points) {
						t.Errorf("%s paid with %d points: %+v", o.OrderNo, p.points, paid.Order)
					}
				case "cancel":
					if code := c.call("POST", "order", "/api/v1/orders/"+o.OrderNo+"/cancel", p.user, nil, nil); code != 200 {
						t.Errorf("%s: cancel answered %d", o.OrderNo, code)
					}
				}
			}
			// The first wave: every order without points.
			var wg sync.WaitGroup
			for i, p := range ps {
				if p.points == 0 {
					wg.Go(func() { place(i, p) })
				}
			}
			wg.Wait()
			if t.Failed() {
				t.FailNow()
			}

			// The second wave, once alice's credits are in: the points-paid
			// orders, and every after-payment step, all at once.
			credited := int64(0)
			for _, p := range ps {
				if p.user == "alice" && p.action == "pay" && p.points == 0 {
					credited += pointsPerAlicePay
				}
			}
			if !polled(func() bool { return c.pointsBalance("alice") >= startPoints+credited }) {
				t.Fatalf("alice has %d points, want %d", c.pointsBalance("alice"), startPoints+credited)
			}
			for i, p := range ps {
				wg.Go(func() {
					if p.points > 0 {
						place(i, p)
					}
					if orderNos[i] != "" && p.action == "pay" {
						c.afterPay(orderNos[i], p)
					}
				})
			}
			wg.Wait()
			if t.Failed() {
				t.FailNow()
			}

			// The 12 unpaid orders time out through the delayed ORDER_TIMEOUT;
			// the refunds, shipments and deliveries reach the order service.
			// (the ORDER_TIMEOUTs are due after paymentTimeout, well inside the wait).
			got := map[string]int{}
			if !polled(func() bool {
				var all struct{ Orders []struct{ Status string } }
				c.call("GET", "order", "/api/v1/admin/orders?limit=100", "", nil, &all)
				clear(got)
				for _, o := range all.Orders {
					got[o.Status]++
				}
				return maps.Equal(got, wantFinal)
			}) {
				t.Fatalf("orders by status %v, want %v (CANCELLED: 6 by the user, 12 timed out)", got, wantFinal)
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
			// 25 orders stand paid (PAID, SHIPPED, COMPLETED), 7 are refunded,
			// 18 cancelled; alice and bob hold points, 4 orders redeemed some.
			wantChecked := map[int]int{1: 25, 2: 25, 3: 18, 4: 12, 5: 3, 7: 7, 8: 25, 9: 2 + 4, 10: 25}
			for _, inv := range rep.Invariants {
				if inv.Checked < wantChecked[inv.ID] {
					t.Errorf("invariant %d checked %d records, want at least %d:\n%s", inv.ID, inv.Checked, wantChecked[inv.ID], text.String())
				}
			}

			// Corrupt three records behind the services' backs.
			victim := orderNos[0] // alice's first order, paid
			returned := ""        // an order returned after delivery
			for i, p := range ps {
				if p.after == "return" {
					returned = orderNos[i]
					break
				}
			}
			// The stock table refuses unconserved counts (a CHECK), so move a unit
			// from available to reserved with no reservation holding it.
			exec(t, dsn["inventory"], "UPDATE stock SET available = available - 1, reserved = reserved + 1 WHERE sku = ?", "RM-KNIFE-CHEF")
			exec(t, dsn["cart"], "DELETE FROM checkouts WHERE order_no = ?", victim)
			// The returned order's stock no longer marked returned.
			exec(t, dsn["inventory"], "UPDATE reservations SET status = 'SOLD' WHERE order_no = ?", returned)
			rep, err = audit.Run(context.Background(), c.auditConfig())
			if err != nil {
				t.Fatal(err)
			}
			text.Reset()
			rep.WriteText(&text)
			if rep.Passed {
				t.Fatalf("audit passed after corruption:\n%s", text.String())
			}
			// The returned order's reservation claims its units sold again, which
			// the SKUs' sold counts (invariant 2) no longer match either.
			named := map[int][]string{
				2: {"order " + victim, "sku RM-BOTTLE-750", "sku RM-MUG-STONE"},
				4: {"sku RM-KNIFE-CHEF"},
				7: {"order " + returned},
			}
			for _, inv := range rep.Invariants {
				subjects, corrupted := named[inv.ID]
				if inv.Passed == corrupted {
					t.Errorf("invariant %d passed = %v after corrupting %v:\n%s", inv.ID, inv.Passed, named, text.String())
				}
				var got []string
				for _, v := range inv.Violations {
					got = append(got, v.Subject)
				}
				slices.Sort(got)
				if corrupted && !slices.Equal(got, subjects) {
					t.Errorf("invariant %d violations = %+v, want exactly one each naming %v", inv.ID, inv.Violations, subjects)
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
