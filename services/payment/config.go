package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/events"
	"github.com/rocketmart/rocketmart/services/payment/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/payment/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// serviceName names the service in logs, metrics and broker client ids.
const serviceName = "payment"

// config is everything payment reads from the environment.
type config struct {
	Addr       string // PAYMENT_ADDR
	DB         string // PAYMENT_DB
	NameServer string // ROCKETMQ_NAMESERVER
	AdminToken string // ADMIN_TOKEN
	LogLevel   string // LOG_LEVEL
}

// loadConfig reads the environment through getenv (os.Getenv in main),
// filling in the defaults of the embedded run.
func loadConfig(getenv func(string) string) config {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	return config{
		Addr:       get("PAYMENT_ADDR", ":8082"),
		DB:         get("PAYMENT_DB", "sqlite:data/payment.db"),
		NameServer: get("ROCKETMQ_NAMESERVER", "127.0.0.1:9876"),
		AdminToken: get("ADMIN_TOKEN", "rocketmart-admin"),
		LogLevel:   get("LOG_LEVEL", "info"),
	}
}

// Validate reports every malformed setting, each naming its variable.
func (c config) Validate() error {
	var errs []error
	if err := validateHostPort(c.Addr, true); err != nil {
		errs = append(errs, fmt.Errorf("PAYMENT_ADDR %q: %w", c.Addr, err))
	}
	if err := validateDSN(c.DB); err != nil {
		errs = append(errs, fmt.Errorf("PAYMENT_DB: %w", err))
	}
	if err := validateHostPort(c.NameServer, false); err != nil {
		errs = append(errs, fmt.Errorf("ROCKETMQ_NAMESERVER %q: %w", c.NameServer, err))
	}
	if c.AdminToken == "" || strings.ContainsFunc(c.AdminToken, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		errs = append(errs, errors.New("ADMIN_TOKEN must be non-empty without spaces or control characters"))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, fmt.Errorf("LOG_LEVEL %q: want debug, info, warn or error", c.LogLevel))
	}
	return errors.Join(errs...)
}

// validateHostPort accepts "host:port"; a listen address may leave the host
// empty (":8082"), a dial address may not.
func validateHostPort(addr string, listen bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want host:port")
	}
	if host == "" && !listen {
		return errors.New("the host is empty")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number in 0..65535", port)
	}
	return nil
}

// validateDSN checks the two accepted forms without connecting.
func validateDSN(dsn string) error {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" || strings.Contains(path, "?") {
			return errors.New("want sqlite:PATH (no query parameters) or sqlite::memory:")
		}
		return nil
	case strings.HasPrefix(dsn, "mysql://"):
		if _, err := database.MySQLConfig(strings.TrimPrefix(dsn, "mysql://")); err != nil {
			return err
		}
		return nil
	default:
		return errors.New("want sqlite:PATH or mysql://USER:PASS@tcp(HOST:3306)/DB")
	}
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}

// run wires the service and serves until ctx is cancelled.
func run(ctx context.Context) error {
	cfg := loadConfig(os.Getenv)
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	level, _ := parseLevel(cfg.LogLevel) // Validate checked it
	base := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
	log := base.With("service", serviceName) // the HTTP server adds "service" itself
	slog.SetDefault(log)                     // stray library logs stay JSON too

	db, err := database.Open(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer closeLogged(log, "database", func() error { return database.Close(db) })
	if err := store.Migrate(db); err != nil {
		return err
	}
	svc := payment.NewService(store.New(db))
	if err := svc.SeedDemoWallets(ctx, contracts.DemoUsers); err != nil {
		return err
	}

	spec, err := apidocs.Spec(serviceName)
	if err != nil {
		return err
	}
	srv := httpserver.New(httpserver.Config{Addr: cfg.Addr, ServiceName: serviceName}, base,
		httpserver.ReadyCheck{Name: "database", Check: func(ctx context.Context) error { return database.Ping(ctx, db) }},
		httpserver.ReadyCheck{Name: "broker", Check: func(ctx context.Context) error { return dialBroker(ctx, cfg.NameServer) }},
	)
	srv.MountSwagger(spec)
	httpapi.Register(srv.Router(), svc, cfg.AdminToken)

	mqCfg := mq.Config{NameServer: cfg.NameServer, Service: serviceName, Logger: log}
	consumer, err := mq.NewConsumer(ctx, mqCfg, contracts.ConsumerPaymentOrderCancelled, mq.ConsumerOptions{})
	if err != nil {
		return err
	}
	defer closeLogged(log, "order-cancelled consumer", consumer.Close)
	if err := events.Subscribe(consumer, svc, log); err != nil {
		return err
	}
	if err := consumer.Start(); err != nil {
		return err
	}
	return srv.Run(ctx)
}

// dialBroker checks that the name server accepts connections, for /readyz.
func dialBroker(ctx context.Context, addr string) error {
	ip, err := mq.ResolveNameServer(ctx, addr)
	if err != nil {
		return err
	}
	d := net.Dialer{Timeout: time.Second}
	conn, err := d.DialContext(ctx, "tcp", ip)
	if err != nil {
		return fmt.Errorf("name server %s: %w", addr, err)
	}
	return conn.Close()
}

// closeLogged runs a deferred close and logs its failure: shutdown goes on.
func closeLogged(log *slog.Logger, what string, close func() error) {
	if err := close(); err != nil {
		log.Error("close "+what, "error", err)
	}
}
