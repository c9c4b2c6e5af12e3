package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/logistics/internal/events"
	"github.com/rocketmart/rocketmart/services/logistics/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/logistics/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// serviceName names the service in logs, broker client instances and the
// API docs.
const serviceName = "logistics"

// config is everything the logistics service reads from the environment.
type config struct {
	Addr           string     // LOGISTICS_ADDR
	DB             string     // LOGISTICS_DB
	NameServer     string     // ROCKETMQ_NAMESERVER
	ClientLogLevel string     // ROCKETMQ_CLIENT_LOG_LEVEL: the RocketMQ client's own logs
	MaxReconsume   int32      // LOGISTICS_MAX_RECONSUME: redeliveries before the dead-letter queue
	AdminToken     string     // ADMIN_TOKEN
	LogLevel       slog.Level // LOG_LEVEL
}

// loadConfig reads the environment through getenv (os.Getenv in main, a map
// in tests), with defaults that make the embedded run work, and validates
// the result; every error names its variable.
func loadConfig(getenv func(string) string) (config, error) {
	get := envconf.Getter(getenv)
	c := config{
		Addr:           get("LOGISTICS_ADDR", ":8084"),
		DB:             get("LOGISTICS_DB", "sqlite:data/logistics.db"),
		NameServer:     get("ROCKETMQ_NAMESERVER", "127.0.0.1:9876"),
		ClientLogLevel: get("ROCKETMQ_CLIENT_LOG_LEVEL", "warn"),
		AdminToken:     get("ADMIN_TOKEN", "rocketmart-admin"),
	}
	var errs []error
	maxReconsume, err := envconf.MaxReconsume("LOGISTICS_MAX_RECONSUME", get("LOGISTICS_MAX_RECONSUME", "16"))
	errs = append(errs, err)
	c.MaxReconsume = maxReconsume
	level, err := envconf.LogLevel("LOG_LEVEL", get("LOG_LEVEL", "info"))
	errs = append(errs, err)
	c.LogLevel = level
	if err := errors.Join(errs...); err != nil {
		return c, errors.Join(err, c.Validate())
	}
	return c, c.Validate()
}

// Validate reports every setting that cannot work, naming its variable.
func (c config) Validate() error {
	errs := []error{
		envconf.ListenAddr("LOGISTICS_ADDR", c.Addr),
		envconf.HostPortList("ROCKETMQ_NAMESERVER", c.NameServer),
		envconf.Token("ADMIN_TOKEN", c.AdminToken),
		envconf.ClientLogLevel("ROCKETMQ_CLIENT_LOG_LEVEL", c.ClientLogLevel),
	}
	if err := database.CheckDSN(c.DB); err != nil {
		errs = append(errs, fmt.Errorf("LOGISTICS_DB: %w", err))
	}
	return errors.Join(errs...)
}

// run reads the configuration and the API document, then serves until ctx
// is cancelled.
func run(ctx context.Context) error {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	spec, err := apidocs.Spec(serviceName)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel})).With("service", serviceName)
	slog.SetDefault(log) // for log lines outside a request (httpserver.Logger's fallback)
	return serve(ctx, cfg, log, spec, nil)
}

// serve wires the service — database, HTTP API, ORDER_PAID consumer — and
// serves on ln (nil: listen on cfg.Addr) until ctx is cancelled. It is apart
// from run so tests can start the whole service without the generated API
// document.
func serve(ctx context.Context, cfg config, log *slog.Logger, spec []byte, ln net.Listener) error {
	db, err := database.Open(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := database.Close(db); err != nil {
			log.Error("close database", "error", err)
		}
	}()
	if err := store.Migrate(db); err != nil {
		return err
	}
	svc := shipping.NewService(store.New(db), log, nil)

	// No ServiceName: log already carries "service", and the server would add it twice.
	srv := httpserver.New(httpserver.Config{Addr: cfg.Addr}, log,
		httpserver.ReadyCheck{Name: "database", Check: func(ctx context.Context) error { return database.Ping(ctx, db) }},
		httpserver.ReadyCheck{Name: "broker", Check: func(ctx context.Context) error { return mq.Ping(ctx, cfg.NameServer) }},
	)
	httpapi.Register(srv.Router(), svc, cfg.AdminToken)
	srv.MountSwagger(spec)

	mqCfg := mq.Config{NameServer: cfg.NameServer, Service: serviceName, Logger: log, ClientLogLevel: cfg.ClientLogLevel}
	consumer, err := events.StartOrderPaid(ctx, mqCfg, events.NewHandler(svc), mq.ConsumerOptions{
		MaxReconsumeTimes: cfg.MaxReconsume,
		Metrics:           mq.NewConsumerMetrics(srv.Registry()),
	})
	if err != nil {
		return err
	}
	// Deferred after the database's close, so it runs first: no delivery
	// is handled on a closed database.
	defer func() {
		if err := consumer.Close(); err != nil {
			log.Warn("close ORDER_PAID consumer", "error", err)
		}
	}()

	log.Info("logistics starting", "addr", cfg.Addr, "db", database.Redact(cfg.DB), "name_server", cfg.NameServer,
		"max_reconsume", cfg.MaxReconsume)
	if ln != nil {
		return srv.Serve(ctx, ln)
	}
	return srv.Run(ctx)
}
