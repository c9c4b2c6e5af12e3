package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/inventory/internal/events"
	"github.com/rocketmart/rocketmart/services/inventory/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/inventory/internal/orderclient"
	"github.com/rocketmart/rocketmart/services/inventory/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
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
	MaxReconsume  int32         // INVENTORY_MAX_RECONSUME
	AdminToken    string        // ADMIN_TOKEN
	LogLevel      slog.Level    // LOG_LEVEL
	OrderURL      string        // ORDER_URL
}

// loadConfig reads the environment through getenv, with defaults that make
// the embedded run work.
func loadConfig(getenv func(string) string) (config, error) {
	get := envconf.Getter(getenv)
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
	if c.MaxReconsume, err = envconf.MaxReconsume("INVENTORY_MAX_RECONSUME", get("INVENTORY_MAX_RECONSUME", "16")); err != nil {
		return config{}, err
	}
	if c.LogLevel, err = envconf.LogLevel("LOG_LEVEL", get("LOG_LEVEL", "info")); err != nil {
		return config{}, err
	}
	return c, nil
}

// Validate rejects malformed settings with a message naming the variable.
func (c config) Validate() error {
	var errs []error
	if err := envconf.ListenAddr("INVENTORY_ADDR", c.Addr); err != nil {
		errs = append(errs, err)
	}
	if err := database.CheckDSN(c.DB); err != nil {
		errs = append(errs, fmt.Errorf("INVENTORY_DB: %w", err))
	}
	if c.SweepInterval < time.Second {
		errs = append(errs, fmt.Errorf("INVENTORY_SWEEP_INTERVAL: %v is too short; use 1s or more", c.SweepInterval))
	}
	if err := envconf.HostPortList("ROCKETMQ_NAMESERVER", c.NameServer); err != nil {
		errs = append(errs, err)
	}
	if err := envconf.Token("ADMIN_TOKEN", c.AdminToken); err != nil {
		errs = append(errs, err)
	}
	if err := envconf.BaseURL("ORDER_URL", c.OrderURL); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
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
		httpserver.ReadyCheck{Name: "broker", Check: func(ctx context.Context) error { return mq.Ping(ctx, cfg.NameServer) }},
	)
	httpapi.Register(srv.Router(), svc, cfg.AdminToken)
	spec, err := apidocs.Spec(serviceName)
	if err != nil {
		return err
	}
	srv.MountSwagger(spec)

	mqCfg := mq.Config{NameServer: cfg.NameServer, Service: serviceName, Logger: log}
	consumers, err := events.Start(ctx, mqCfg, events.NewHandlers(svc), mq.ConsumerOptions{
		MaxReconsumeTimes: cfg.MaxReconsume, Metrics: mq.NewConsumerMetrics(srv.Registry())})
	if err != nil {
		return err
	}
	defer func() {
		for _, c := range consumers {
			c.Close()
		}
	}()

	sweepCtx, stopSweep := context.WithCancel(ctx)
	var sweeper sync.WaitGroup
	sweeper.Go(func() { svc.RunSweeper(sweepCtx, cfg.SweepInterval) })
	defer func() { stopSweep(); sweeper.Wait() }()

	log.Info("inventory starting", "addr", cfg.Addr, "order_url", cfg.OrderURL, "sweep_interval", cfg.SweepInterval.String())
	return srv.Run(ctx)
}
