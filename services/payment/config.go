package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/events"
	"github.com/rocketmart/rocketmart/services/payment/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/payment/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
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
	// MaxReconsume is PAYMENT_MAX_RECONSUME: redeliveries before the
	// dead-letter queue, 1 to 32.
	MaxReconsume string
	AdminToken   string // ADMIN_TOKEN
	LogLevel     string // LOG_LEVEL
}

// loadConfig reads the environment through getenv (os.Getenv in main),
// filling in the defaults of the embedded run.
func loadConfig(getenv func(string) string) config {
	get := envconf.Getter(getenv)
	return config{
		Addr:         get("PAYMENT_ADDR", ":8082"),
		DB:           get("PAYMENT_DB", "sqlite:data/payment.db"),
		NameServer:   get("ROCKETMQ_NAMESERVER", "127.0.0.1:9876"),
		MaxReconsume: get("PAYMENT_MAX_RECONSUME", "16"),
		AdminToken:   get("ADMIN_TOKEN", "rocketmart-admin"),
		LogLevel:     get("LOG_LEVEL", "info"),
	}
}

// Validate reports every malformed setting, each naming its variable.
func (c config) Validate() error {
	var errs []error
	if err := envconf.ListenAddr("PAYMENT_ADDR", c.Addr); err != nil {
		errs = append(errs, err)
	}
	if err := database.CheckDSN(c.DB); err != nil {
		errs = append(errs, fmt.Errorf("PAYMENT_DB: %w", err))
	}
	if err := envconf.HostPortList("ROCKETMQ_NAMESERVER", c.NameServer); err != nil {
		errs = append(errs, err)
	}
	if _, err := envconf.MaxReconsume("PAYMENT_MAX_RECONSUME", c.MaxReconsume); err != nil {
		errs = append(errs, err)
	}
	if err := envconf.Token("ADMIN_TOKEN", c.AdminToken); err != nil {
		errs = append(errs, err)
	}
	if _, err := envconf.LogLevel("LOG_LEVEL", c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// run wires the service and serves until ctx is cancelled.
func run(ctx context.Context) error {
	cfg := loadConfig(os.Getenv)
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	level, _ := envconf.LogLevel("LOG_LEVEL", cfg.LogLevel) // Validate checked it
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
		httpserver.ReadyCheck{Name: "broker", Check: func(ctx context.Context) error { return mq.Ping(ctx, cfg.NameServer) }},
	)
	srv.MountSwagger(spec)
	httpapi.Register(srv.Router(), svc, cfg.AdminToken)

	mqCfg := mq.Config{NameServer: cfg.NameServer, Service: serviceName, Logger: log}
	maxReconsume, _ := envconf.MaxReconsume("PAYMENT_MAX_RECONSUME", cfg.MaxReconsume) // checked by Validate
	consumer, err := mq.NewConsumer(ctx, mqCfg, contracts.ConsumerPaymentOrderCancelled,
		mq.ConsumerOptions{MaxReconsumeTimes: maxReconsume, Metrics: mq.NewConsumerMetrics(srv.Registry())})
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

// closeLogged runs a deferred close and logs its failure: shutdown goes on.
func closeLogged(log *slog.Logger, what string, close func() error) {
	if err := close(); err != nil {
		log.Error("close "+what, "error", err)
	}
}
