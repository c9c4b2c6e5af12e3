package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
	"github.com/rocketmart/rocketmart/services/audit"
)

// Config is one soak run.
type Config struct {
	Duration  time.Duration // of the load; kills stop with it
	KillEvery time.Duration // mean time from one recovery to the next kill
	// RecoveryBound: every kill must be followed, within it, by the program
	// ready again and an order placed and paid through the gateway.
	RecoveryBound  time.Duration
	Seed           uint64
	Workers        int // shoppers per demo user
	PaymentTimeout time.Duration
	BinDir         string // the programs, built
	DataDir        string // SQLite files, minirmq's store, logs
	DB             map[string]string
	OrderInstances int
	// First are killed first, in this order; the rest follow in a seeded
	// random order, and then every program again.
	First []string
	Out   io.Writer // progress and findings
	// AfterCheck, when set, is called with the shop still running after the
	// checks, with a function that runs them again (tests corrupt a record
	// and expect the checks to name it).
	AfterCheck func(shop *launcher.Shop, recheck func() []Finding)
}

// Result is what a run found.
type Result struct {
	Orders, Answers int
	Kills           map[string]int
	Findings        []Finding
	MaxRecovery     time.Duration
	Recovery        map[string]time.Duration // the longest per program
	MaxEffects      map[string]time.Duration // kill → probe order's effects all done, longest per program
	LogDir          string
}

// restartDelay is the supervisor's first back-off in the soak: the window
// in which a killed program is certainly down, for the probes.
const restartDelay = 1500 * time.Millisecond

// delayLevels are the broker's delay levels in the soak, short enough for
// the payment timeout.
const delayLevels = "500ms 1s 2s 4s 8s 10s"

// Run starts the shop, runs the load and the kills, then checks.
func Run(ctx context.Context, cfg Config) (Result, error) {
	logDir := filepath.Join(cfg.DataDir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return Result{}, err
	}
	launcherLog, err := os.Create(filepath.Join(cfg.DataDir, "launcher.log"))
	if err != nil {
		return Result{}, err
	}
	defer launcherLog.Close()
	shop, err := launcher.Start(ctx, launcher.Options{
		BinDir: cfg.BinDir, DataDir: cfg.DataDir, FreePorts: true, DB: cfg.DB, Progress: launcherLog,
		OrderInstances: cfg.OrderInstances,
		BrokerFlags:    []string{"-tx-check-after", "2s", "-tx-check-interval", "2s", "-delay-levels", delayLevels},
		Env: map[string]string{
			"ORDER_PAYMENT_TIMEOUT": cfg.PaymentTimeout.String(), "ORDER_DELAY_LEVELS": delayLevels,
			"ORDER_SWEEP_INTERVAL": "1s", "ORDER_RESERVATION_GRACE": "2s", "INVENTORY_SWEEP_INTERVAL": "1s",
			"ROCKETMQ_CLIENT_LOG_LEVEL": "error",
		},
		Restart: launcher.RestartPolicy{FirstDelay: restartDelay, MaxDelay: 4 * time.Second, GiveUpAfter: 8},
	})
	if err != nil {
		return Result{}, err
	}
	defer shop.Stop()
	res := Result{LogDir: shop.LogDir, Kills: map[string]int{}, Recovery: map[string]time.Duration{}, MaxEffects: map[string]time.Duration{}}

	rec := &Recorder{}
	var shoppers []*shopper
	placed := &atomic.Int64{}
	rate := float64(stockBudget) / payShare / cfg.Duration.Seconds() // orders a second the stock allows
	for _, id := range []string{"alice", "bob", "carol"} {
		for w := range cfg.Workers {
			u, err := newUser(id, fmt.Sprintf("%s/%d", id, w), shop.URL["web"], rec)
			if err != nil {
				return res, err
			}
			if err := u.signIn(ctx); err != nil {
				return res, err
			}
			if w == 0 {
				if a, _ := u.topUp(ctx, fmt.Sprintf("soak-%d-%s", cfg.Seed, id), 10_000_000); a.Status/100 != 2 {
					return res, fmt.Errorf("top up %s: %s", id, a)
				}
			}
			shoppers = append(shoppers, &shopper{u: u, n: w, seed: cfg.Seed, placed: placed, hard: ctx,
				cycle: time.Duration(float64(3*cfg.Workers) / rate * float64(time.Second))})
		}
	}
	probe, err := newUser("carol", "carol/probe", shop.URL["web"], rec)
	if err != nil {
		return res, err
	}
	if err := probe.signIn(ctx); err != nil {
		return res, err
	}
	victims := append([]string{launcher.Broker.Name, "web"}, launcher.ServiceNames()...)
	if cfg.OrderInstances == 2 {
		victims = append(victims, launcher.SecondOrder)
	}
	ch := &chaos{shop: shop, probe: probe, victims: victims, first: cfg.First, every: cfg.KillEvery, down: restartDelay, bound: cfg.RecoveryBound,
		rng: rand.New(rand.NewPCG(cfg.Seed, 0)), seed: cfg.Seed, out: cfg.Out, hard: ctx, Effects: map[string][]time.Duration{}}

	load, stopLoad := context.WithTimeout(ctx, cfg.Duration)
	defer stopLoad()
	var wg sync.WaitGroup
	for _, s := range shoppers {
		wg.Go(func() { s.run(load) })
	}
	done := make(chan struct{})
	go func() { ch.run(load); wg.Wait(); ch.wait(); close(done) }()
	start := time.Now()
	for tick := time.NewTicker(10 * time.Second); ; {
		select {
		case <-tick.C:
			fmt.Fprintf(cfg.Out, "soak: %3.0fs of %v: %d orders placed, %d answers, %d kills, %d findings so far\n",
				time.Since(start).Seconds(), cfg.Duration, placed.Load(), len(rec.Answers()), ch.kills.Load(), ch.found.Load())
			continue
		case <-done:
			tick.Stop()
		}
		break
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	fmt.Fprintf(cfg.Out, "soak: load over after %.0fs; waiting for every order to be decided and the shop to be quiet\n", time.Since(start).Seconds())
	answers := rec.Answers()
	if err := writeAnswers(filepath.Join(cfg.DataDir, "answers.tsv"), answers); err != nil {
		return res, err
	}
	check := func() []Finding {
		found := settle(ctx, shop, cfg)
		f, err := readFinal(ctx, shop)
		if err != nil {
			return append(found, Finding{Subject: "shop", What: "could not read the final state: " + err.Error()})
		}
		res.Orders = len(f.Orders)
		found = append(found, CheckContract(answers, ch.Outages)...)
		return append(found, CheckAnswers(answers, f)...)
	}
	res.Findings = append(append(res.Findings, ch.Findings...), check()...)
	res.Answers = len(answers)
	for _, o := range ch.Outages {
		res.Kills[o.Program]++
		if d := o.Recovered.Sub(o.Killed); !o.Recovered.IsZero() {
			res.Recovery[o.Program] = max(res.Recovery[o.Program], d)
			res.MaxRecovery = max(res.MaxRecovery, d)
		}
	}
	for p, ds := range ch.Effects {
		for _, d := range ds {
			res.MaxEffects[p] = max(res.MaxEffects[p], d)
		}
	}
	if cfg.AfterCheck != nil {
		cfg.AfterCheck(shop, check)
	}
	return res, nil
}

// settle waits until no order is pending (every deadline passed and was
// acted on), then runs the audit, which waits for the broker to be quiet;
// every failed invariant is a finding.
func settle(ctx context.Context, shop *launcher.Shop, cfg Config) []Finding {
	deadline := time.Now().Add(cfg.PaymentTimeout + cfg.RecoveryBound + time.Minute)
	for {
		var pending struct{ Orders []audit.Order }
		err := adminGet(ctx, shop, shop.URL["order"]+"/api/v1/admin/orders?status=PENDING_PAYMENT&limit=1000", &pending)
		if err == nil && len(pending.Orders) == 0 {
			break
		}
		if time.Now().After(deadline) || !think(ctx, 500*time.Millisecond) { // polling interval
			break // the final check names every order still pending
		}
	}
	rep, err := audit.Run(ctx, audit.Config{URLs: shop.URL, BrokerAdminURL: shop.BrokerAdmin, AdminToken: shop.AdminToken, Quiescence: 2 * time.Minute})
	if err != nil {
		return []Finding{{Subject: "audit", What: "could not read the shop: " + err.Error()}}
	}
	return auditFindings(rep)
}

// auditFindings turns a report into findings: one per violation, and one
// if the shop never became quiet.
func auditFindings(rep audit.Report) []Finding {
	var out []Finding
	if !rep.Quiescent {
		out = append(out, Finding{Subject: "audit", What: "the shop did not become quiet: " + strings.Join(rep.Notes, "; ")})
	}
	for _, inv := range rep.Invariants {
		for _, v := range inv.Violations {
			out = append(out, Finding{Subject: v.Subject, What: fmt.Sprintf("invariant %d (%s): %s", inv.ID, inv.Title, v.Detail)})
		}
		if !inv.Passed && len(inv.Violations) == 0 {
			out = append(out, Finding{Subject: "audit", What: fmt.Sprintf("invariant %d (%s) failed", inv.ID, inv.Title)})
		}
	}
	return out
}

// readFinal reads every order and charge through the admin endpoints.
func readFinal(ctx context.Context, shop *launcher.Shop) (Final, error) {
	var orders struct{ Orders []audit.Order }
	var charges struct{ Charges []audit.Charge }
	if err := adminGet(ctx, shop, shop.URL["order"]+"/api/v1/admin/orders?limit=100000", &orders); err != nil {
		return Final{}, err
	}
	if err := adminGet(ctx, shop, shop.URL["payment"]+"/api/v1/admin/charges", &charges); err != nil {
		return Final{}, err
	}
	f := Final{Orders: map[string]audit.Order{}, Charges: map[string]audit.Charge{}}
	for _, o := range orders.Orders {
		f.Orders[o.OrderNo] = o
	}
	for _, c := range charges.Charges {
		f.Charges[c.OrderNo] = c
	}
	return f, nil
}

func adminGet(ctx context.Context, shop *launcher.Shop, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Admin-Token", shop.AdminToken)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// writeAnswers keeps every answer, one a line, for the investigation of a
// finding.
func writeAnswers(path string, answers []Answer) error {
	var b strings.Builder
	b.WriteString("start\tend\tsession\tflow\top\torder\tstatus\tcode\n")
	for _, a := range answers {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", a.Start.Format("15:04:05.000000"), a.End.Format("15:04:05.000000"),
			a.Session, a.Flow, a.Op, a.OrderNo, a.Status, a.Code)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
