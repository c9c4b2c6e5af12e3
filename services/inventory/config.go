package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/inventory/internal/events"
	"github.com/rocketmart/rocketmart/services/inventory/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/inventory/internal/orderclient"
	"github.com/rocketmart/rocketmart/services/inventory/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// serviceName names the service in logs and broker client instances.
const serviceName = "inventory"

// config is everything the inventory reads from the environment.
type config struct {
	Addr          string        // INVENTORY_ADDR
	DB            string        // INVENTORY_DB
	SweepInterval time.Duration // INVENTORY_SWEEP_INTERVAL
	NameServer    string        // ROCKETMQ_NAMESERVER
	AdminToken    string        // ADMIN_TOKEN
	LogLevel      slog.Level    // LOG_LEVEL
	OrderURL      string        // ORDER_URL
}

// loadConfig reads the environment through getenv, with defaults that make
// the embedded run work.
func loadConfig(getenv func(string) string) (config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := config{
		Addr:       get("INVENTORY_ADDR", ":8083"),
		DB:         get("INVENTORY_DB", "sqlite:data/inventory.db"),
		NameServer: get("ROCKETMQ_NAMESERVER", "127.0.0.1:9876"),
		AdminToken: get("ADMIN_TOKEN", "rocketmart-admin"),
		OrderURL:   get("ORDER_URL", "http://127.0.0.1:8081"),
	}
	interval, err := time.ParseDuration(get("INVENTORY_SWEEP_INTERVAL", "30s"))
	if err != nil {
		return config{}, fmt.Errorf("INVENTORY_SWEEP_INTERVAL: want a duration such as 30s: %w", err)
	}
	c.SweepInterval = interval
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL", "info"))); err != nil {
		return config{}, fmt.Errorf("LOG_LEVEL: want debug, info, warn or error: %w", err)
	}
	return c, nil
}

// Validate rejects malformed settings with a message naming the variable.
func (c config) Validate() error {
	var errs []error
	if err := validateHostPort(c.Addr, true); err != nil {
		errs = append(errs, fmt.Errorf("INVENTORY_ADDR: %w", err))
	}
	switch {
	case strings.HasPrefix(c.DB, "sqlite:"):
		if strings.TrimPrefix(c.DB, "sqlite:") == "" {
			errs = append(errs, errors.New("INVENTORY_DB: sqlite: needs a path, e.g. sqlite:data/inventory.db"))
		}
	case strings.HasPrefix(c.DB, "mysql://"):
		if _, err := database.MySQLConfig(strings.TrimPrefix(c.DB, "mysql://")); err != nil {
			errs = append(errs, fmt.Errorf("INVENTORY_DB: %w", err))
		}
	default:
		errs = append(errs, errors.New("INVENTORY_DB: want sqlite:PATH or mysql://USER:PASS@tcp(HOST:3306)/DB"))
	}
	if c.SweepInterval < time.Second {
		errs = append(errs, fmt.Errorf("INVENTORY_SWEEP_INTERVAL: %v is too short; use 1s or more", c.SweepInterval))
	}
	if err := validateHostPort(c.NameServer, false); err != nil {
		errs = append(errs, fmt.Errorf("ROCKETMQ_NAMESERVER: %w", err))
	}
	if c.AdminToken == "" {
		errs = append(errs, errors.New("ADMIN_TOKEN: must not be empty"))
	}
	if u, err := url.Parse(c.OrderURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("ORDER_URL: want an http(s) base URL such as http://127.0.0.1:8081, got %q", c.OrderURL))
	}
	return errors.Join(errs...)
}

// validateHostPort accepts "host:port" with a numeric port; emptyHost allows
// ":port" for listen addresses.
func validateHostPort(addr string, emptyHost bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want host:port, got %q", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	if host == "" && !emptyHost {
		return fmt.Errorf("want host:port, got %q", addr)
	}
	return nil
}

// run wires the service and serves until ctx is cancelled.
func run(ctx context.Context) error {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel})).With("service", serviceName)
	slog.SetDefault(log) // for log lines outside a request (httpserver.Logger's fallback)

	db, err := database.Open(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer database.Close(db)
	if err := store.Migrate(db); err != nil {
		return err
	}
	svc := inventory.NewService(store.New(db), orderclient.New(cfg.OrderURL, cfg.AdminToken, 0), log, nil)
	n, err := svc.Seed(ctx)
	if err != nil {
		return err
	}
	log.Info("catalogue seeded", "inserted", n)

	// No ServiceName: log already carries "service", and the server would add it twice.
	srv := httpserver.New(httpserver.Config{Addr: cfg.Addr}, log,
		httpserver.ReadyCheck{Name: "database", Check: func(ctx context.Context) error { return database.Ping(ctx, db) }},
		httpserver.ReadyCheck{Name: "broker", Check: func(ctx context.Context) error { return dial(ctx, cfg.NameServer) }},
	)
	httpapi.Register(srv.Router(), svc, cfg.AdminToken)
	spec, err := apidocs.Spec(serviceName)
	if err != nil {
		return err
	}
	srv.MountSwagger(spec)

	mqCfg := mq.Config{NameServer: cfg.NameServer, Service: serviceName, Logger: log}
	consumer, err := events.StartOrderCancelled(ctx, mqCfg, events.NewHandlers(svc), mq.ConsumerOptions{})
	if err != nil {
		return err
	}
	defer consumer.Close()

	sweepCtx, stopSweep := context.WithCancel(ctx)
	var sweeper sync.WaitGroup
	sweeper.Go(func() { svc.RunSweeper(sweepCtx, cfg.SweepInterval) })
	defer func() { stopSweep(); sweeper.Wait() }()

	log.Info("inventory starting", "addr", cfg.Addr, "order_url", cfg.OrderURL, "sweep_interval", cfg.SweepInterval.String())
	return srv.Run(ctx)
}

// dial checks that the broker's name server accepts connections.
func dial(ctx context.Context, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("name server %s: %w", addr, err)
	}
	return conn.Close()
}
