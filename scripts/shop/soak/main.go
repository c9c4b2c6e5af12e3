// Command soak is RocketMart's crash soak: it starts the whole shop on
// spare ports through the launcher, runs closed-loop load through the
// gateway (three demo users placing, paying, cancelling and abandoning
// orders), and meanwhile kills every program in turn with SIGKILL at seeded
// random moments, letting the supervisor restart it. Afterwards it waits
// for the shop to settle, runs the audit, and checks every answer a user
// was given against the final state. Each finding is one line naming the
// order; the exit status is 1 on any finding, and the logs are kept.
//
//	go run ./scripts/shop/soak [-duration 2m] [-seed N] [-db sqlite|mysql] [-order-instances 2]
//
// On MySQL/MariaDB (-db mysql) each service gets its own fresh schema on
// the server the DSN names (-mysql-dsn, or TEST_MYSQL_DSN), dropped after a
// run without findings.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout)
	stop()
	os.Exit(code)
}

// run parses the flags, runs one soak and prints its summary; it returns
// the exit status: 0 no finding, 1 findings, 2 the soak could not run.
func run(ctx context.Context, args []string, out io.Writer) int {
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(out)
	duration := fs.Duration("duration", 2*time.Minute, "how long the load runs")
	seed := fs.Uint64("seed", uint64(time.Now().UnixNano()), "seed of the load and the kill schedule (printed; pass it again to replay a run)")
	db := fs.String("db", "sqlite", "the services' databases: sqlite, or mysql (one fresh schema per service)")
	dsn := fs.String("mysql-dsn", os.Getenv("TEST_MYSQL_DSN"), "go-sql-driver DSN of a MySQL/MariaDB server to create the schemas on (default $TEST_MYSQL_DSN)")
	orders := fs.Int("order-instances", 1, "order services in the producer group: 1, or 2 (needs -db mysql); the second is killed too")
	every := fs.Duration("kill-every", 20*time.Second, "mean time between a recovery and the next kill")
	bound := fs.Duration("recovery", 60*time.Second, "every kill must be followed by recovery within this")
	workers := fs.Int("workers", 2, "shoppers per demo user (alice, bob, carol)")
	timeout := fs.Duration("payment-timeout", 8*time.Second, "ORDER_PAYMENT_TIMEOUT: abandoned orders are cancelled after it")
	bin := fs.String("bin", "bin", "where the programs are built")
	noBuild := fs.Bool("no-build", false, "use the programs already in -bin")
	data := fs.String("data", "", "data directory (default: a new temporary one)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *orders == 2 && *db != "mysql" {
		fmt.Fprintln(out, "soak:", launcher.ErrTwoOrdersOnSQLite)
		return 2
	}
	cfg := Config{Duration: *duration, KillEvery: *every, RecoveryBound: *bound, Seed: *seed, Workers: *workers,
		PaymentTimeout: *timeout, OrderInstances: *orders, Out: out, DB: map[string]string{}}
	var err error
	if cfg.BinDir, err = filepath.Abs(*bin); err != nil {
		fmt.Fprintln(out, "soak:", err)
		return 2
	}
	if cfg.DataDir = *data; cfg.DataDir == "" {
		if cfg.DataDir, err = os.MkdirTemp("", "rocketmart-soak-"); err != nil {
			fmt.Fprintln(out, "soak:", err)
			return 2
		}
	}
	if !*noBuild {
		fmt.Fprintln(out, "soak: building the shop…")
		if err := launcher.Build(ctx, ".", cfg.BinDir, nil); err != nil {
			fmt.Fprintln(out, "soak:", err)
			return 2
		}
	}
	var drop func() error
	if *db == "mysql" {
		if cfg.DB, drop, err = launcher.MySQLSchemas(ctx, *dsn, fmt.Sprintf("soak_%d", *seed%1_000_000_000)); err != nil {
			fmt.Fprintln(out, "soak:", err)
			return 2
		}
	} else if *db != "sqlite" {
		fmt.Fprintf(out, "soak: -db %q: want sqlite or mysql\n", *db)
		return 2
	}
	fmt.Fprintf(out, "soak: seed %d, %v of load on %s, a kill every ~%v, data in %s\n", *seed, *duration, *db, *every, cfg.DataDir)
	res, err := Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(out, "soak: %v\nsoak: logs in %s; replay with -seed %d\n", err, filepath.Join(cfg.DataDir, "logs"), *seed)
		return 2
	}
	printResult(out, res, *db, *seed)
	if len(res.Findings) > 0 {
		fmt.Fprintf(out, "soak: FAILED; logs kept in %s (and in %s: launcher.log has the restarts, answers.tsv every answer); replay with -seed %d -db %s\n",
			res.LogDir, cfg.DataDir, *seed, *db)
		return 1
	}
	if drop != nil {
		if err := drop(); err != nil {
			fmt.Fprintln(out, "soak: dropping the schemas:", err)
		}
	}
	if *data == "" {
		os.RemoveAll(cfg.DataDir)
	}
	return 0
}

// printResult prints one line per finding, then the summary.
func printResult(out io.Writer, res Result, db string, seed uint64) {
	for _, f := range res.Findings {
		fmt.Fprintln(out, f)
	}
	var kills []string
	total := 0
	for _, p := range sortedKeys(res.Kills) {
		kills = append(kills, fmt.Sprintf("%s %d (recovered ≤%.1fs, effects ≤%.1fs)", p, res.Kills[p], res.Recovery[p].Seconds(), res.MaxEffects[p].Seconds()))
		total += res.Kills[p]
	}
	fmt.Fprintf(out, "soak: kills: %v\n", kills)
	fmt.Fprintf(out, "soak: %s seed %d: %d orders, %d answers, %d kills, %d findings, max recovery %.1fs, load average %s\n",
		db, seed, res.Orders, res.Answers, total, len(res.Findings), res.MaxRecovery.Seconds(), loadAverage())
}

// loadAverage is /proc/loadavg's first three fields, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil || len(b) == 0 {
		return "unknown"
	}
	var a, b5, c string
	fmt.Sscan(string(b), &a, &b5, &c)
	return a + " " + b5 + " " + c
}
