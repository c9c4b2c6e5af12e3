// Command lab runs RocketMart's workshop labs (`make lab`): without
// arguments it lists them; with names (or "all") it starts a fresh shop on
// spare ports with the labs' timings, runs each lab — narrated, graded by
// the audit and the lab's own checks — and prints PASS or FAIL with the
// reasons.
//
//	go run ./scripts/shop/lab                      # list
//	go run ./scripts/shop/lab happy-path           # one lab
//	go run ./scripts/shop/lab duplicate-delivery duplicate-delivery-naive
//	go run ./scripts/shop/lab all
//
// A lab's naive twin is expected to FAIL: that is its lesson. The exit
// status is 0 when every lab showed what it exists to show (correct labs
// passed, naive twins failed), 1 otherwise. The services use SQLite under
// -data (wiped first) unless <SVC>_DB names MySQL, as with `make run`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/labs"
	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lab:", err)
		os.Exit(1)
	}
}

// errNotAsExpected: some lab did not show what it exists to show.
var errNotAsExpected = errors.New("a lab did not end as expected (see above)")

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("lab", flag.ContinueOnError)
	fs.SetOutput(out)
	data := fs.String("data", "data/lab", "the lab shop's data directory (wiped first)")
	bin := fs.String("bin", "bin", "where the programs are built")
	noBuild := fs.Bool("no-build", false, "use the programs already in -bin")
	orders := fs.Int("order-instances", 1, "order services in the producer group: 1, or 2 (needs ORDER_DB=mysql://…)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	names := fs.Args()
	if len(names) == 0 {
		list(out)
		return nil
	}
	if len(names) == 1 && names[0] == "all" {
		names = labs.Names()
	}
	var chosen []labs.Lab
	for _, n := range names {
		l, ok := labs.Find(n)
		if !ok {
			return fmt.Errorf("no lab %q; the labs are: %s", n, strings.Join(labs.Names(), ", "))
		}
		chosen = append(chosen, l)
	}
	dbs := launcher.Databases(getenv)
	if err := launcher.CheckOrderInstances(*orders, dbs); err != nil {
		return err
	}
	binDir, err := launcher.BuildInto(ctx, *bin, *noBuild, out)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(*data); err != nil {
		return err
	}
	const token = "rocketmart-admin"
	opts := launcher.Options{BinDir: binDir, DataDir: *data, FreePorts: true, DB: dbs, Progress: out, OrderInstances: *orders, AdminToken: token}
	labs.Tune(&opts)
	fmt.Fprintln(out, "starting a lab shop on spare ports (check-backs after 2 s, 2 redeliveries, 12 s payment timeout)…")
	shop, err := launcher.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer shop.Stop()
	fmt.Fprintf(out, "storefront %s   broker admin %s   logs %s\n", shop.URL["web"], shop.BrokerAdmin, shop.LogDir)

	target := labs.FromLauncher(shop)
	asExpected := true
	for _, l := range chosen {
		rep := labs.Grade(ctx, target, l, out)
		rep.WriteText(out)
		asExpected = asExpected && rep.AsExpected()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if !asExpected {
		return errNotAsExpected
	}
	fmt.Fprintf(out, "\nevery lab showed what it exists to show (%s)\n", time.Now().Format(time.TimeOnly))
	return nil
}

func list(out io.Writer) {
	fmt.Fprintln(out, "RocketMart's workshop labs — run one with: make lab L=<name>   (all of them: make lab L=all)")
	for _, l := range labs.All() {
		kind := ""
		if l.Naive {
			kind = "  [naive twin: expected to FAIL]"
		}
		fmt.Fprintf(out, "\n  %-26s %s%s\n", l.Name, l.Title, kind)
		for _, line := range l.Learn {
			fmt.Fprintf(out, "  %-26s   %s\n", "", line)
		}
	}
	fmt.Fprintln(out, "\nThe trainer guide (scripts/shop/labs/README.md) has the agendas, what to look at and questions for the room.")
}
