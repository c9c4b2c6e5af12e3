// Package program is the part of every RocketMart service's main package
// that is not about the service: signals to a context, configuration errors
// printed all at once, the exit code, the JSON logger with the service's
// name, and deferred closes that log their failure. A service's main.go is
// one line, program.Main(name, loadConfig, run), and its config.go holds
// only its own variables and wiring.
package program

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/rocketmart/rocketmart/services/platform/tracing"
)

// Main runs a program named name: it reads the configuration with load
// from the process environment, then calls run with a context cancelled on
// SIGINT or SIGTERM (run returns after a graceful shutdown), and exits 1
// with "name: error" on standard error when either fails.
func Main[C any](name string, load func(getenv func(string) string) (C, error), run func(context.Context, C) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := start(ctx, name, os.Getenv, os.Stderr, load, run)
	stop()
	os.Exit(code)
}

// start is Main without the process: it returns the exit code.
func start[C any](ctx context.Context, name string, getenv func(string) string, stderr io.Writer,
	load func(func(string) string) (C, error), run func(context.Context, C) error) int {
	cfg, err := load(getenv)
	if err != nil {
		// errors.Join puts one problem per line; indent them under the name.
		fmt.Fprintf(stderr, "%s: configuration:\n  %s\n", name, indent(err.Error()))
		return 1
	}
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n  ") }

// Logger returns the JSON logger of service name writing to out at level,
// with "service": name on every line, and makes it slog's default so that
// lines logged outside a request (libraries, httpserver's fallback) carry
// the name too. A line logged with a context inside a span carries its
// trace_id (tracing.LogHandler). Give httpserver this logger and no
// ServiceName: it would add the attribute a second time.
func Logger(name string, out io.Writer, level slog.Level) *slog.Logger {
	log := slog.New(tracing.LogHandler(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: level}))).With("service", name)
	slog.SetDefault(log)
	return log
}

// CloseLogged runs a deferred close and logs its failure: shutdown goes on,
// and the next close still runs.
//
//	defer program.CloseLogged(log, "database", func() error { return database.Close(db) })
func CloseLogged(log *slog.Logger, what string, close func() error) {
	if err := close(); err != nil {
		log.Error("close "+what, "error", err)
	}
}
