// Command minirmq runs the embedded RocketMQ-compatible name server and
// broker. See the module README for the flags and the admin API. Two
// settings also come from the environment, like the services': ADMIN_TOKEN
// (-admin-token) and MINIRMQ_FAULTS (-faults); a flag wins.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/faults"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "minirmq:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cfg, logLevel, err := parseFlags(args, os.Getenv)
	if err != nil {
		return err
	}
	cfg.Logger = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel}))
	srv, err := minirmq.Start(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
		cfg.Logger.Info("shutting down")
	case err := <-srv.Err():
		srv.Close()
		return err
	}
	return srv.Close()
}

func parseFlags(args []string, getenv func(string) string) (minirmq.Config, slog.Level, error) {
	cfg := minirmq.DefaultConfig()
	fs := flag.NewFlagSet("minirmq", flag.ContinueOnError)
	fs.StringVar(&cfg.AdminToken, "admin-token", cmp.Or(getenv("ADMIN_TOKEN"), cfg.AdminToken),
		"token the admin API's mutating routes (replay, redeliver, faults) require in X-Admin-Token (env ADMIN_TOKEN)")
	fs.StringVar(&cfg.Faults, "faults", getenv("MINIRMQ_FAULTS"),
		`workshop faults armed at start, e.g. "deliver.points-order-paid=pause;check-back=drop,count=3" (env MINIRMQ_FAULTS)`)
	fs.StringVar(&cfg.ListenAddr, "listen", cfg.ListenAddr, "TCP address for name-server and broker traffic")
	fs.StringVar(&cfg.AdvertiseAddr, "advertise", "", "broker ip:port put into routes (default: the listen address)")
	fs.StringVar(&cfg.AdminAddr, "admin", "127.0.0.1:9877", "admin HTTP address (empty to disable)")
	fs.StringVar(&cfg.DataDir, "data", "", "data directory (required unless -memory)")
	memory := fs.Bool("memory", false, "keep everything in memory; nothing survives a restart")
	fs.BoolVar(&cfg.Fsync, "fsync", false, "answer writes once the commit log is fsynced past them, with group commit (default: asynchronous flush, like Apache)")
	fs.DurationVar(&cfg.FlushInterval, "flush-interval", cfg.FlushInterval, "asynchronous flush interval")
	fs.Int64Var(&cfg.SegmentBytes, "segment-bytes", cfg.SegmentBytes, "commit-log segment size")
	fs.Int64Var(&cfg.RetainBytes, "retain-bytes", 0, "delete the oldest segments above this commit-log size (0 = unlimited)")
	fs.DurationVar(&cfg.RetainAge, "retain-age", cfg.RetainAge, "delete segments older than this (0 = forever; Apache keeps 72h)")
	fs.IntVar(&cfg.DefaultQueues, "queues", cfg.DefaultQueues, "queues per auto-created topic")
	fs.DurationVar(&cfg.TxCheckAfter, "tx-check-after", cfg.TxCheckAfter, "age of a half message before its first check (Apache transactionTimeOut)")
	fs.DurationVar(&cfg.TxCheckInterval, "tx-check-interval", cfg.TxCheckInterval, "time between checks of one half message (Apache transactionCheckInterval)")
	fs.IntVar(&cfg.TxCheckMax, "tx-check-max", cfg.TxCheckMax, "checks before a half message is discarded (Apache transactionCheckMax)")
	levels := fs.String("delay-levels", "", `delay of each level, e.g. "1s 5s 10s" (default Apache's 18 levels, 1s … 2h)`)
	fs.IntVar(&cfg.MaxMessageBytes, "max-message-bytes", cfg.MaxMessageBytes, "largest message body accepted")
	fs.IntVar(&cfg.MaxFrameBytes, "max-frame-bytes", cfg.MaxFrameBytes, "largest remoting frame accepted; larger frames close the connection")
	fs.StringVar(&cfg.BrokerName, "broker-name", cfg.BrokerName, "broker name in routes")
	fs.StringVar(&cfg.ClusterName, "cluster", cfg.ClusterName, "cluster name in routes and the CLUSTER property")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return cfg, 0, err
	}
	if fs.NArg() > 0 {
		return cfg, 0, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	switch {
	case *memory && cfg.DataDir != "":
		return cfg, 0, errors.New("-memory and -data are exclusive")
	case !*memory && cfg.DataDir == "":
		return cfg, 0, errors.New("give -data DIR for a durable broker, or -memory")
	}
	if *levels != "" {
		cfg.DelayLevels = nil
		for _, f := range strings.Fields(*levels) {
			d, err := time.ParseDuration(f)
			if err != nil {
				return cfg, 0, fmt.Errorf("-delay-levels: %w", err)
			}
			cfg.DelayLevels = append(cfg.DelayLevels, d)
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return cfg, 0, fmt.Errorf("-log-level: %w", err)
	}
	// Name where a bad setting came from: the flag, or its variable.
	source := func(flagName, envName string) string {
		set := false
		fs.Visit(func(f *flag.Flag) { set = set || f.Name == flagName })
		if set {
			return "-" + flagName
		}
		return envName
	}
	if _, err := faults.ParseList(cfg.Faults); err != nil {
		return cfg, 0, fmt.Errorf("%s: %w", source("faults", "MINIRMQ_FAULTS"), err)
	}
	if err := minirmq.CheckAdminToken(cfg.AdminToken); err != nil {
		return cfg, 0, fmt.Errorf("%s: %w", source("admin-token", "ADMIN_TOKEN"), err)
	}
	return cfg, level, cfg.Validate()
}
