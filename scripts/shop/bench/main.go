// Command bench is RocketMart's benchmark: it starts the whole shop on
// spare ports through the launcher (SQLite in a temporary directory, or
// one fresh MySQL/MariaDB schema per service with -db mysql), restocks the
// products it buys and tops up the demo wallets through the admin
// endpoints, then places and pays one-unit orders as alice, bob and carol
// straight to the order service's API, level after level: closed loop at
// each -clients count, then open loop at each -rates rate. Per level it
// prints paid orders a second, place and pay latency percentiles, errors
// by status, the time from the pay answer to the four downstream effects
// for a sample of orders, and the CPU milliseconds each program spent per
// paid order (from /proc/<pid>/stat), with the load average. It ends with
// the audit's verdict and exits 1 when the audit fails.
//
//	go run ./scripts/shop/bench [-clients 1,4,16,64] [-rates 100] [-duration 10s] [-db sqlite|mysql] [-json]
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the flags, runs the benchmark and prints its tables (or JSON
// with -json, the progress then going to stderr). It returns the exit
// status: 0 the audit passed, 1 it failed, 2 the benchmark could not run.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	clients := fs.String("clients", "1,4,16,64", "closed-loop levels: concurrent clients, comma-separated (empty: none)")
	rates := fs.String("rates", "", "open-loop levels: orders a second, comma-separated, e.g. 50,100 (empty: none)")
	duration := fs.Duration("duration", 10*time.Second, "measured time per level")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured time before each level")
	maxRate := fs.Float64("max-rate", 500, "orders a second the run is funded for (stock and money)")
	samples := fs.Int("samples", 40, "paid orders per level whose downstream effects are timed")
	db := fs.String("db", "sqlite", "the services' databases: sqlite, or mysql (one fresh schema per service)")
	dsn := fs.String("mysql-dsn", os.Getenv("TEST_MYSQL_DSN"), "go-sql-driver DSN of the MySQL/MariaDB server for -db mysql (default $TEST_MYSQL_DSN)")
	asJSON := fs.Bool("json", false, "print the result as JSON on stdout (progress on stderr)")
	bin := fs.String("bin", "bin", "where the programs are built")
	noBuild := fs.Bool("no-build", false, "use the programs already in -bin")
	data := fs.String("data", "", "data directory (default: a new temporary one, removed after a run whose audit passed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	out := stdout
	if *asJSON {
		out = stderr
	}
	fail := func(err error) int { fmt.Fprintln(out, "bench:", err); return 2 }
	cfg := Config{Duration: *duration, Warmup: *warmup, MaxRate: *maxRate, Samples: *samples, DBName: *db, Out: out,
		RunID: strings.ToLower(rand.Text()[:8])}
	var err error
	if cfg.Clients, err = parseList(*clients, strconv.Atoi); err != nil {
		return fail(fmt.Errorf("-clients: %w", err))
	}
	if cfg.Rates, err = parseList(*rates, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }); err != nil {
		return fail(fmt.Errorf("-rates: %w", err))
	}
	if err := cfg.validate(); err != nil {
		return fail(err)
	}
	if cfg.BinDir, err = filepath.Abs(*bin); err != nil {
		return fail(err)
	}
	if cfg.DataDir = *data; cfg.DataDir == "" {
		if cfg.DataDir, err = os.MkdirTemp("", "rocketmart-bench-"); err != nil {
			return fail(err)
		}
	}
	if !*noBuild {
		fmt.Fprintln(out, "bench: building the shop…")
		if err := launcher.Build(ctx, ".", cfg.BinDir, nil); err != nil {
			return fail(err)
		}
	}
	var drop func() error
	switch *db {
	case "sqlite":
	case "mysql":
		if cfg.DB, drop, err = launcher.MySQLSchemas(ctx, *dsn, "bench_"+cfg.RunID); err != nil {
			return fail(err)
		}
	default:
		return fail(fmt.Errorf("-db %q: want sqlite or mysql", *db))
	}
	res, err := Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(out, "bench: %v\nbench: logs in %s\n", err, filepath.Join(cfg.DataDir, "logs"))
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fail(err)
		}
		printVerdict(stderr, res.Audit)
	} else {
		printTables(stdout, res, cfg)
	}
	if !res.Audit.Passed {
		fmt.Fprintf(out, "bench: the audit failed; logs kept in %s\n", filepath.Join(cfg.DataDir, "logs"))
		return 1
	}
	if drop != nil {
		if err := drop(); err != nil {
			fmt.Fprintln(out, "bench: dropping the schemas:", err)
		}
	}
	if *data == "" {
		os.RemoveAll(cfg.DataDir)
	}
	return 0
}

// validate refuses a run that would measure nothing.
func (c Config) validate() error {
	switch {
	case len(c.Clients) == 0 && len(c.Rates) == 0:
		return fmt.Errorf("no level: give -clients or -rates")
	case c.Duration <= 0 || c.Warmup < 0:
		return fmt.Errorf("-duration must be positive and -warmup not negative")
	case c.MaxRate <= 0:
		return fmt.Errorf("-max-rate must be positive")
	}
	for _, n := range c.Clients {
		if n < 1 || n > 4096 {
			return fmt.Errorf("-clients %d: want 1..4096", n)
		}
	}
	for _, r := range c.Rates {
		if r <= 0 || r > 100_000 {
			return fmt.Errorf("-rates %g: want more than 0 and at most 100000", r)
		}
	}
	return nil
}

// parseList reads a comma-separated list; "" is none.
func parseList[T any](s string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := parse(f)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
