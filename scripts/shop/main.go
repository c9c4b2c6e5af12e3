// Command shop builds and runs the whole RocketMart shop on one machine:
// minirmq, the six services and the web gateway as separate processes, each
// service on its own SQLite file under the data directory, or on the
// database its <SVC>_DB variable names (e.g. ORDER_DB=mysql://…). A program
// that exits unexpectedly is restarted with back-off (see the launcher's
// RestartPolicy); Ctrl-C stops everything.
//
//	go run ./scripts/shop [-data data] [-bin bin] [-no-build] [-order-instances 2] [-listen-host 0.0.0.0] [-free-ports]
//	go run ./scripts/shop -build-only # build the programs and tools into -bin (make build)
//	go run ./scripts/shop -services   # the services' names
//
// Ctrl-C stops every program in order and exits 0 (1 if a program did not
// stop cleanly). Started from a terminal by make or go run, the launcher
// takes the terminal's foreground (terminal_linux.go), so the interrupt is
// its alone and make exits 0 too; `make run` runs bin/shop, not go run,
// which would still answer an interrupt with exit status 1.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/rocketmart/rocketmart/scripts/shop/labs"
	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
)

func main() {
	giveBack := takeTerminal()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	giveBack()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rocketmart:", err)
		os.Exit(1)
	}
}

// tools are built with the programs by -build-only (make build): the
// broker's load generator and the audit command.
var tools = []string{
	"github.com/rocketmart/rocketmart/services/minirmq/cmd/mqload",
	"github.com/rocketmart/rocketmart/scripts/audit",
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("shop", flag.ContinueOnError)
	data := fs.String("data", "data", "data directory (SQLite files, broker store, logs)")
	bin := fs.String("bin", "bin", "where the programs are built")
	noBuild := fs.Bool("no-build", false, "use the programs already in -bin")
	orders := fs.Int("order-instances", 1, "order services in the one producer group: 1, or 2 (needs ORDER_DB=mysql://…)")
	workshop := fs.Bool("workshop", false, "workshop timings (check-backs after 2 s, 2 redeliveries, a 30 s payment timeout) and the labs on the trainer page (make workshop)")
	list := fs.Bool("services", false, "print the services' names in start order, one a line, and exit")
	buildOnly := fs.Bool("build-only", false, "build the programs and tools (mqload, audit) into -bin and exit (make build)")
	listenHost := fs.String("listen-host", "127.0.0.1", "address every program listens on; beyond loopback (0.0.0.0 for a workshop room) it needs ADMIN_TOKEN set to a secret")
	freePorts := fs.Bool("free-ports", false, "pick free ports instead of 8080-8089 and 9876-9877 (beside another shop)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		// For scripts that need the list; make build goes through
		// -build-only, which reads the same table.
		for _, name := range contracts.ServiceNames() {
			fmt.Fprintln(out, name)
		}
		return nil
	}
	if *buildOnly {
		_, err := launcher.BuildInto(ctx, *bin, false, out, tools...)
		return err
	}
	token := cmp.Or(os.Getenv("ADMIN_TOKEN"), envconf.DefaultAdminToken)
	if err := envconf.Exposure("-listen-host", net.JoinHostPort(*listenHost, "0"), "ADMIN_TOKEN", token); err != nil {
		return err
	}
	dbs := launcher.Databases(os.Getenv)
	if err := launcher.CheckOrderInstances(*orders, dbs); err != nil {
		return err
	}
	binDir, err := launcher.BuildInto(ctx, *bin, *noBuild, out)
	if err != nil {
		return err
	}
	for _, svc := range contracts.Services() {
		if dsn, ok := dbs[svc.Name]; ok {
			fmt.Fprintf(out, "%-10s uses %s=%s\n", svc.Name, svc.DBVar(), redact(dsn))
		}
	}
	opts := launcher.Options{BinDir: binDir, DataDir: *data, DB: dbs, Progress: out, OrderInstances: *orders,
		ListenHost: *listenHost, FreePorts: *freePorts, AdminToken: token}
	if *workshop {
		labs.Tune(&opts)
		// Long enough to pay from the storefront by hand; the timeout-race
		// lab waits for it.
		opts.Env["ORDER_PAYMENT_TIMEOUT"] = "30s"
	}
	shop, err := launcher.Start(ctx, opts)
	if err != nil {
		return err
	}
	if *workshop {
		shop.SetLabs(labs.ForControl(labs.FromLauncher(shop), out))
	}
	printURLs(out, shop)
	// The launcher restarts a program that crashes and gives up on one that
	// cannot start, saying so on out; the shop runs until Ctrl-C either way.
	<-ctx.Done()
	fmt.Fprintln(out, "\nstopping…")
	if err := shop.Stop(); err != nil {
		return err
	}
	fmt.Fprintln(out, "stopped; the data stays in", *data)
	return nil
}

// redact hides the password of a mysql:// DSN for printing.
func redact(dsn string) string {
	rest, ok := strings.CutPrefix(dsn, "mysql://")
	if !ok {
		return dsn
	}
	creds, addr, ok := strings.Cut(rest, "@")
	if !ok {
		return dsn
	}
	if user, _, hasPass := strings.Cut(creds, ":"); hasPass {
		return "mysql://" + user + ":***@" + addr
	}
	return dsn
}

func printURLs(out io.Writer, s *launcher.Shop) {
	fmt.Fprintln(out, "\nRocketMart is running:")
	fmt.Fprintf(out, "  storefront %s   (API docs %s/docs, consistency audit %s/#/consistency)\n", s.URL["web"], s.URL["web"], s.URL["web"])
	for _, name := range launcher.ServiceNames() {
		fmt.Fprintf(out, "  %-10s %s   Swagger UI %s/swagger/index.html\n", name, s.URL[name], s.URL[name])
	}
	if url, ok := s.URL[launcher.SecondOrder]; ok {
		fmt.Fprintf(out, "  %-10s %s   (second order instance, same database and producer group; the gateway calls the first)\n", launcher.SecondOrder, url)
	}
	fmt.Fprintf(out, "  broker     %s (RocketMQ name server)   admin API %s/api/v1/topics\n", s.NameServer, s.BrokerAdmin)
	fmt.Fprintf(out, "  audit      make audit   (or the storefront's Consistency page)\n")
	fmt.Fprintf(out, "  control    %s/api/v1/programs   (X-Admin-Token; the storefront's Trainer page %s/#/trainer)\n", s.ControlURL, s.URL["web"])
	fmt.Fprintf(out, "  logs       %s\n", s.LogDir)
	fmt.Fprintln(out, "Press Ctrl-C to stop.")
}
