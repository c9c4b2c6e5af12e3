package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/order/internal/events"
	"github.com/rocketmart/rocketmart/services/order/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/order/internal/remote"
	"github.com/rocketmart/rocketmart/services/order/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/program"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// serviceName names the service in logs, broker client instances and the
// API docs.
const serviceName = "order"

// config is everything the order service reads from its environment.
type config struct {
	Addr               string          // ORDER_ADDR
	DB                 string          // ORDER_DB
	NameServer         string          // ROCKETMQ_NAMESERVER
	ClientLogLevel     string          // ROCKETMQ_CLIENT_LOG_LEVEL: the RocketMQ client's own logs
	MaxReconsume       int32           // ORDER_MAX_RECONSUME: redeliveries before the dead-letter queue
	AdminToken         string          // ADMIN_TOKEN
	LogLevel           slog.Level      // LOG_LEVEL
	InventoryURL       string          // INVENTORY_URL
	PaymentURL         string          // PAYMENT_URL
	CartURL            string          // CART_URL
	PaymentTimeout     time.Duration   // ORDER_PAYMENT_TIMEOUT
	ReservationGrace   time.Duration   // ORDER_RESERVATION_GRACE
	PaymentCallTimeout time.Duration   // ORDER_PAYMENT_CALL_TIMEOUT
	SweepInterval      time.Duration   // ORDER_SWEEP_INTERVAL
	DelayLevels        []time.Duration // ORDER_DELAY_LEVELS: the broker's, when not RocketMQ's 18

	listener net.Listener // tests: serve here instead of Addr
	logOut   io.Writer    // where the JSON logs go (stdout)
}

// loadConfig reads the environment through getenv (os.Getenv in main, a map
// in tests) with defaults that make the embedded run work, and reports every
// bad setting at once, each naming its variable.
func loadConfig(getenv func(string) string) (config, error) {
	env := envconf.New(getenv)
	c := config{
		Addr:               env.ListenAddr("ORDER_ADDR", ":8081"),
		DB:                 env.Checked("ORDER_DB", "sqlite:data/order.db", database.CheckDSN),
		NameServer:         env.HostPortList("ROCKETMQ_NAMESERVER", "127.0.0.1:9876"),
		ClientLogLevel:     env.ClientLogLevel("ROCKETMQ_CLIENT_LOG_LEVEL", "warn"),
		MaxReconsume:       env.MaxReconsume("ORDER_MAX_RECONSUME", "16"),
		AdminToken:         env.Token("ADMIN_TOKEN", "rocketmart-admin"),
		LogLevel:           env.LogLevel("LOG_LEVEL", "info"),
		InventoryURL:       env.BaseURL("INVENTORY_URL", "http://127.0.0.1:8083"),
		PaymentURL:         env.BaseURL("PAYMENT_URL", "http://127.0.0.1:8082"),
		CartURL:            env.BaseURL("CART_URL", "http://127.0.0.1:8086"),
		PaymentTimeout:     env.Duration("ORDER_PAYMENT_TIMEOUT", "15m", time.Second),
		ReservationGrace:   env.Duration("ORDER_RESERVATION_GRACE", "10m", time.Second),
		PaymentCallTimeout: env.Duration("ORDER_PAYMENT_CALL_TIMEOUT", "3s", time.Millisecond),
		SweepInterval:      env.Duration("ORDER_SWEEP_INTERVAL", "30s", time.Second),
		DelayLevels:        env.DurationList("ORDER_DELAY_LEVELS", ""),
		logOut:             os.Stdout,
	}
	if c.PaymentCallTimeout >= 20*time.Second {
		env.Fail(fmt.Errorf("ORDER_PAYMENT_CALL_TIMEOUT=%s: keep it well under the 30 s pay budget", c.PaymentCallTimeout))
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

	// The check-backs read the store and the payment service only, so they
	// exist before the producers that answer the broker with them.
	mqCfg := mq.Config{NameServer: cfg.NameServer, Service: serviceName, Logger: log, ClientLogLevel: cfg.ClientLogLevel}
	st := store.New(db)
	payments := remote.NewPayments(svcclient.New(cfg.PaymentURL, cfg.AdminToken, cfg.PaymentCallTimeout))
	domainCfg := ordering.Config{PaymentTimeout: cfg.PaymentTimeout, ReservationGrace: cfg.ReservationGrace, Log: log}
	producers, err := events.StartProducers(ctx, mqCfg, ordering.NewChecks(st, payments, domainCfg), cfg.DelayLevels)
	if err != nil {
		return err
	}
	defer program.CloseLogged(log, "producers", producers.Close)
	svc := ordering.NewService(st,
		remote.NewInventory(svcclient.New(cfg.InventoryURL, cfg.AdminToken, 0)),
		payments,
		remote.NewCart(svcclient.New(cfg.CartURL, cfg.AdminToken, 0)),
		producers.Events(), domainCfg)

	srv := httpserver.New(httpserver.Config{Addr: cfg.Addr}, log, program.ReadyChecks(db, cfg.NameServer)...)
	httpapi.Register(srv.Router(), svc, cfg.AdminToken)
	srv.MountSwagger(spec)

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

	sweepCtx, stopSweep := context.WithCancel(ctx)
	var sweeper sync.WaitGroup
	sweeper.Go(func() { svc.RunSweeper(sweepCtx, cfg.SweepInterval) })
	defer func() { stopSweep(); sweeper.Wait() }()

	log.Info("order starting", "addr", cfg.Addr, "db", database.Redact(cfg.DB), "inventory", cfg.InventoryURL,
		"payment", cfg.PaymentURL, "cart", cfg.CartURL)
	return program.Serve(ctx, srv, cfg.listener)
}
