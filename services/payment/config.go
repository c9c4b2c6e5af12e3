package main

import (
	"context"
	"io"
	"log/slog"
	"net"
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
	"github.com/rocketmart/rocketmart/services/platform/program"
)

// serviceName names the service in logs, broker client instances and the
// API docs.
const serviceName = "payment"

// config is everything the payment service reads from its environment.
type config struct {
	Addr           string     // PAYMENT_ADDR
	DB             string     // PAYMENT_DB
	NameServer     string     // ROCKETMQ_NAMESERVER
	ClientLogLevel string     // ROCKETMQ_CLIENT_LOG_LEVEL: the RocketMQ client's own logs
	MaxReconsume   int32      // PAYMENT_MAX_RECONSUME: redeliveries before the dead-letter queue
	AdminToken     string     // ADMIN_TOKEN
	LogLevel       slog.Level // LOG_LEVEL

	listener net.Listener // tests: serve here instead of Addr
	logOut   io.Writer    // where the JSON logs go (stdout)
}

// loadConfig reads the environment through getenv (os.Getenv in main, a map
// in tests) with defaults that make the embedded run work, and reports every
// bad setting at once, each naming its variable.
func loadConfig(getenv func(string) string) (config, error) {
	env := envconf.New(getenv)
	c := config{
		Addr:           env.ListenAddr("PAYMENT_ADDR", ":8082"),
		DB:             env.Checked("PAYMENT_DB", "sqlite:data/payment.db", database.CheckDSN),
		NameServer:     env.HostPortList("ROCKETMQ_NAMESERVER", "127.0.0.1:9876"),
		ClientLogLevel: env.ClientLogLevel("ROCKETMQ_CLIENT_LOG_LEVEL", "warn"),
		MaxReconsume:   env.MaxReconsume("PAYMENT_MAX_RECONSUME", "16"),
		AdminToken:     env.Token("ADMIN_TOKEN", "rocketmart-admin"),
		LogLevel:       env.LogLevel("LOG_LEVEL", "info"),
		logOut:         os.Stdout,
	}
	return c, env.Err()
}

// run wires the service and serves until ctx is cancelled.
func run(ctx context.Context, cfg config) error {
	log := program.Logger(serviceName, cfg.logOut, cfg.LogLevel)
	spec, err := apidocs.Spec(serviceName)
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer program.CloseLogged(log, "database", func() error { return database.Close(db) })
	if err := store.Migrate(db); err != nil {
		return err
	}
	svc := payment.NewService(store.New(db))
	if err := svc.SeedDemoWallets(ctx, contracts.DemoUsers); err != nil {
		return err
	}

	srv := httpserver.New(httpserver.Config{Addr: cfg.Addr}, log, program.ReadyChecks(db, cfg.NameServer)...)
	httpapi.Register(srv.Router(), svc, cfg.AdminToken)
	srv.MountSwagger(spec)

	mqCfg := mq.Config{NameServer: cfg.NameServer, Service: serviceName, Logger: log, ClientLogLevel: cfg.ClientLogLevel}
	consumers, err := mq.StartConsumers(ctx, mqCfg, mq.ConsumerOptions{
		MaxReconsumeTimes: cfg.MaxReconsume,
		Metrics:           mq.NewConsumerMetrics(srv.Registry()),
	}, events.Subscriptions(svc, log)...)
	if err != nil {
		return err
	}
	// Deferred after the database's close, so it runs first: no delivery
	// is handled on a closed database.
	defer program.CloseLogged(log, "consumers", consumers.Close)

	log.Info("payment starting", "addr", cfg.Addr, "db", database.Redact(cfg.DB), "name_server", cfg.NameServer,
		"max_reconsume", cfg.MaxReconsume)
	return program.Serve(ctx, srv, cfg.listener)
}
