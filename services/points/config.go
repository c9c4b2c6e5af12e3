package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/points/internal/events"
	"github.com/rocketmart/rocketmart/services/points/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
	"github.com/rocketmart/rocketmart/services/points/internal/store"
)

// serviceName names the service in logs, metrics, broker client ids and
// the API docs.
const serviceName = "points"

// config is everything points reads from the environment.
type config struct {
	Addr           string // POINTS_ADDR
	DB             string // POINTS_DB
	NameServer     string // ROCKETMQ_NAMESERVER
	ClientLogLevel string // ROCKETMQ_CLIENT_LOG_LEVEL: the RocketMQ client's own logs
	MaxReconsume   int32  // POINTS_MAX_RECONSUME: redeliveries before %DLQ%points-order-paid
	AdminToken     string // ADMIN_TOKEN
	LogLevel       string // LOG_LEVEL
}

// loadConfig reads the environment through getenv (os.Getenv in main) with
// the defaults of the embedded run, and reports every bad setting at once,
// each naming its variable.
func loadConfig(getenv func(string) string) (config, error) {
	get := envconf.Getter(getenv)
	c := config{
		Addr:           get("POINTS_ADDR", ":8085"),
		DB:             get("POINTS_DB", "sqlite:data/points.db"),
		NameServer:     get("ROCKETMQ_NAMESERVER", "127.0.0.1:9876"),
		ClientLogLevel: get("ROCKETMQ_CLIENT_LOG_LEVEL", "warn"),
		AdminToken:     get("ADMIN_TOKEN", "rocketmart-admin"),
		LogLevel:       get("LOG_LEVEL", "info"),
	}
	var errs []error
	maxReconsume, err := envconf.MaxReconsume("POINTS_MAX_RECONSUME", get("POINTS_MAX_RECONSUME", "16"))
	errs = append(errs, err)
	c.MaxReconsume = maxReconsume
	errs = append(errs, c.Validate())
	return c, errors.Join(errs...)
}

// Validate reports every setting that cannot work, each naming its variable.
func (c config) Validate() error {
	errs := []error{
		envconf.ListenAddr("POINTS_ADDR", c.Addr),
		envconf.HostPortList("ROCKETMQ_NAMESERVER", c.NameServer),
		envconf.Token("ADMIN_TOKEN", c.AdminToken),
		envconf.ClientLogLevel("ROCKETMQ_CLIENT_LOG_LEVEL", c.ClientLogLevel),
	}
	if err := database.CheckDSN(c.DB); err != nil {
		errs = append(errs, fmt.Errorf("POINTS_DB: %w", err))
	}
	if _, err := envconf.LogLevel("LOG_LEVEL", c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// run reads the configuration and the generated API document, then serves
// until ctx is cancelled.
func run(ctx context.Context) error {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	spec, err := apidocs.Spec(serviceName)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, spec, os.Stdout)
}

// serve wires the service (database, schema, domain, HTTP API with its
// Swagger document, ORDER_PAID consumer) and serves until ctx is cancelled.
// It takes the document as bytes so tests need not depend on the generated
// file. JSON logs go to logOut.
func serve(ctx context.Context, cfg config, spec []byte, logOut io.Writer) error {
	level, _ := envconf.LogLevel("LOG_LEVEL", cfg.LogLevel) // Validate checked it
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: level})).With("service", serviceName)

	db, err := database.Open(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer closeLogged(log, "database", func() error { return database.Close(db) })
	if err := store.Migrate(db); err != nil {
		return err
	}
	svc := points.NewService(store.New(db))

	// No ServiceName: log already carries "service", and the server would add it twice.
	srv := httpserver.New(httpserver.Config{Addr: cfg.Addr}, log,
		httpserver.ReadyCheck{Name: "database", Check: func(ctx context.Context) error { return database.Ping(ctx, db) }},
		httpserver.ReadyCheck{Name: "broker", Check: func(ctx context.Context) error { return mq.Ping(ctx, cfg.NameServer) }},
	)
	srv.MountSwagger(spec)
	httpapi.Register(srv.Router(), svc, cfg.AdminToken)

	mqCfg := mq.Config{NameServer: cfg.NameServer, Service: serviceName, Logger: log, ClientLogLevel: cfg.ClientLogLevel}
	consumer, err := events.Start(ctx, mqCfg, svc, log, mq.ConsumerOptions{
		MaxReconsumeTimes: cfg.MaxReconsume,
		Metrics:           mq.NewConsumerMetrics(srv.Registry()),
	})
	if err != nil {
		return err
	}
	defer closeLogged(log, "ORDER_PAID consumer", consumer.Close)

	log.Info("points starting", "addr", cfg.Addr, "db", database.Redact(cfg.DB), "name_server", cfg.NameServer,
		"max_reconsume", cfg.MaxReconsume)
	return srv.Run(ctx)
}

// closeLogged runs a deferred close and logs its failure: shutdown goes on.
func closeLogged(log *slog.Logger, what string, close func() error) {
	if err := close(); err != nil {
		log.Error("close "+what, "error", err)
	}
}
