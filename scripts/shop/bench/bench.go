package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
	"github.com/rocketmart/rocketmart/services/audit"
)

// Config is one benchmark run.
type Config struct {
	Clients  []int     // closed-loop levels: concurrent clients each
	Rates    []float64 // open-loop levels: orders a second each
	Duration time.Duration
	Warmup   time.Duration // before each level's measurement; not counted
	// MaxRate is the most orders a second the run is funded for: stock and
	// money for MaxRate over every level's warm-up and duration.
	MaxRate float64
	// Samples is how many paid orders per level get their downstream
	// effects timed through the gateway's progress document.
	Samples int
	RunID   string // in every idempotency key, so runs never collide
	DBName  string // sqlite or mysql, for the report
	BinDir  string
	DataDir string
	DB      map[string]string // the services' DSNs; empty: SQLite in DataDir
	Out     io.Writer         // progress lines
}

// skus are what the load buys, one unit an order: the cheapest products,
// so the funding stays small.
var skus = []string{"RM-MUG-STONE", "RM-NOTEBOOK-A5", "RM-SOCKS-MERINO", "RM-BOTTLE-750"}

// maxPriceCents is the dearest of skus (RM-BOTTLE-750), for the funding.
const maxPriceCents = 2499

// users are the demo users the load buys as, in turn.
var users = []string{"alice", "bob", "carol"}

// Result is what a run measured.
type Result struct {
	DB       string   `json:"db"`
	Machine  string   `json:"machine"`
	Path     string   `json:"path"`
	Started  string   `json:"started"`
	LoadAvg  string   `json:"loadAverageBefore"`
	Levels   []Level  `json:"levels"`
	Audit    Verdict  `json:"audit"`
	Programs []string `json:"programs"`
}

// Verdict is the audit's outcome at the end of the run.
type Verdict struct {
	Passed     bool     `json:"passed"`
	Quiescent  bool     `json:"quiescent"`
	Invariants int      `json:"invariants"`
	Records    int      `json:"records"`
	Failures   []string `json:"failures,omitempty"`
}

// Run starts the shop, funds it, runs every level, and audits.
func Run(ctx context.Context, cfg Config) (Result, error) {
	res := Result{DB: cfg.DBName, Machine: machine(), Started: time.Now().UTC().Format(time.RFC3339), LoadAvg: loadAverage(),
		Path: "place and pay straight to the order service's API (X-User-ID), no gateway; effects read through the gateway's progress document"}
	launcherLog, err := os.Create(filepath.Join(cfg.DataDir, "launcher.log"))
	if err != nil {
		return res, err
	}
	defer launcherLog.Close()
	fmt.Fprintf(cfg.Out, "bench: starting the shop (%s, logs in %s)\n", cfg.DBName, filepath.Join(cfg.DataDir, "logs"))
	shop, err := launcher.Start(ctx, launcher.Options{
		BinDir: cfg.BinDir, DataDir: cfg.DataDir, FreePorts: true, DB: cfg.DB, Progress: launcherLog,
		Env: map[string]string{"ROCKETMQ_CLIENT_LOG_LEVEL": "error"},
	})
	if err != nil {
		return res, err
	}
	defer shop.Stop()
	var where []string
	for _, p := range shop.Programs() {
		res.Programs = append(res.Programs, p.Name)
		where = append(where, p.Name+" "+p.URL)
	}
	// Where to point curl for a profile during the run (README: Profiling).
	fmt.Fprintf(cfg.Out, "bench: %s\n", strings.Join(where, ", "))
	c := newClient(shop.URL, shop.AdminToken)
	if err := fund(ctx, c, cfg); err != nil {
		return res, err
	}
	b := &bench{cfg: cfg, shop: shop, c: c}
	if b.sessions, err = sessions(ctx, c); err != nil {
		return res, err
	}
	for _, n := range cfg.Clients {
		l, err := b.level(ctx, closedLoop(n))
		if err != nil {
			return res, err
		}
		res.Levels = append(res.Levels, l)
	}
	for _, r := range cfg.Rates {
		l, err := b.level(ctx, openLoop(r))
		if err != nil {
			return res, err
		}
		res.Levels = append(res.Levels, l)
	}
	fmt.Fprintln(cfg.Out, "bench: load over; running the audit (it waits for the shop to be quiet)")
	rep, err := audit.Run(ctx, audit.Config{URLs: shop.URL, BrokerAdminURL: shop.BrokerAdmin, AdminToken: shop.AdminToken, Quiescence: 2 * time.Minute})
	if err != nil {
		return res, fmt.Errorf("audit: %w", err)
	}
	res.Audit = verdict(rep)
	return res, nil
}

// fund restocks every SKU the load buys and tops up every user's wallet
// for MaxRate orders a second over the whole run, through the admin
// restock and bulk top-up endpoints, under keys of this run.
func fund(ctx context.Context, c *client, cfg Config) error {
	var seconds float64
	for range cfg.Clients {
		seconds += (cfg.Warmup + cfg.Duration).Seconds()
	}
	orders := cfg.MaxRate * seconds
	for _, r := range cfg.Rates {
		orders += r * (cfg.Warmup + cfg.Duration).Seconds()
	}
	perSKU := int(math.Ceil(orders*1.1/float64(len(skus)))) + 10
	for _, sku := range skus {
		if err := c.restock(ctx, fmt.Sprintf("bench-%s-%s", cfg.RunID, sku), sku, perSKU); err != nil {
			return err
		}
	}
	// One bulk top-up line may carry 100,000,000 cents; fund in as many
	// bulk top-ups as that takes.
	const maxLine = 100_000_000
	perUser := int64(math.Ceil(orders*1.1/float64(len(users)))+10) * maxPriceCents
	for i := 0; perUser > 0; i++ {
		cents := min(perUser, maxLine)
		if err := c.fund(ctx, fmt.Sprintf("bench-%s-funds-%d", cfg.RunID, i), users, cents); err != nil {
			return err
		}
		perUser -= cents
	}
	fmt.Fprintf(cfg.Out, "bench: funded for %.0f orders (closed loop at up to %.0f/s): +%d units of each of %d SKUs, wallets topped up\n",
		orders, cfg.MaxRate, perSKU, len(skus))
	return nil
}

// verdict sums an audit report up.
func verdict(rep audit.Report) Verdict {
	v := Verdict{Passed: rep.Passed, Quiescent: rep.Quiescent, Invariants: len(rep.Invariants)}
	for _, inv := range rep.Invariants {
		v.Records += inv.Checked
		for _, viol := range inv.Violations {
			v.Failures = append(v.Failures, fmt.Sprintf("invariant %d: %s: %s", inv.ID, viol.Subject, viol.Detail))
		}
		if !inv.Passed && len(inv.Violations) == 0 {
			v.Failures = append(v.Failures, fmt.Sprintf("invariant %d (%s) failed", inv.ID, inv.Title))
		}
	}
	if !rep.Quiescent {
		v.Failures = append(v.Failures, rep.Notes...)
	}
	return v
}
