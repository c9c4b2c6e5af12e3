package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/events"
	"github.com/rocketmart/rocketmart/services/order/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/order/internal/remote"
	"github.com/rocketmart/rocketmart/services/order/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// config is everything the order service reads from its environment.
type config struct {
	Addr               string        // ORDER_ADDR
	DB                 string        // ORDER_DB
	NameServer         string        // ROCKETMQ_NAMESERVER
	MaxReconsume       int32         // ORDER_MAX_RECONSUME
	AdminToken         string        // ADMIN_TOKEN
	LogLevel           slog.Level    // LOG_LEVEL
	ClientLogLevel     string        // ROCKETMQ_CLIENT_LOG_LEVEL: the RocketMQ client's own logs
	InventoryURL       string        // INVENTORY_URL
	PaymentURL         string        // PAYMENT_URL
	CartURL            string        // CART_URL
	PaymentTimeout     time.Duration // ORDER_PAYMENT_TIMEOUT
	ReservationGrace   time.Duration // ORDER_RESERVATION_GRACE
	PaymentCallTimeout time.Duration // ORDER_PAYMENT_CALL_TIMEOUT
	SweepInterval      time.Duration // ORDER_SWEEP_INTERVAL
	DelayLevels        []time.Duration

	listener net.Listener // tests: serve here instead of Addr
	logOut   io.Writer    // where the JSON logs go (stdout)
}

// loadConfig reads the environment through getenv, applying defaults that
// make the embedded run work, and validates the result.
func loadConfig(getenv func(string) string) (config, error) {
	get := envconf.Getter(getenv)
	var errs []error
	dur := func(name, def string) time.Duration {
		d, err := time.ParseDuration(get(name, def))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive duration such as 15m or 30s", name, get(name, def)))
		}
		return d
	}
	c := config{
		Addr:               get("ORDER_ADDR", ":8081"),
		DB:                 get("ORDER_DB", "sqlite:data/order.db"),
		NameServer:         get("ROCKETMQ_NAMESERVER", "127.0.0.1:9876"),
		AdminToken:         get("ADMIN_TOKEN", "rocketmart-admin"),
		ClientLogLevel:     get("ROCKETMQ_CLIENT_LOG_LEVEL", "warn"),
		InventoryURL:       get("INVENTORY_URL", "http://127.0.0.1:8083"),
		PaymentURL:         get("PAYMENT_URL", "http://127.0.0.1:8082"),
		CartURL:            get("CART_URL", "http://127.0.0.1:8086"),
		PaymentTimeout:     dur("ORDER_PAYMENT_TIMEOUT", "15m"),
		ReservationGrace:   dur("ORDER_RESERVATION_GRACE", "10m"),
		PaymentCallTimeout: dur("ORDER_PAYMENT_CALL_TIMEOUT", "3s"),
		SweepInterval:      dur("ORDER_SWEEP_INTERVAL", "30s"),
		logOut:             os.Stdout,
	}
	maxReconsume, err := envconf.MaxReconsume("ORDER_MAX_RECONSUME", get("ORDER_MAX_RECONSUME", "16"))
	errs = append(errs, err)
	c.MaxReconsume = maxReconsume
	level, err := envconf.LogLevel("LOG_LEVEL", get("LOG_LEVEL", "info"))
	errs = append(errs, err)
	c.LogLevel = level
	if raw := get("ORDER_DELAY_LEVELS", ""); raw != "" {
		for _, f := range strings.Fields(strings.ReplaceAll(raw, ",", " ")) {
			d, err := time.ParseDuration(f)
			if err != nil || d <= 0 {
				errs = append(errs, fmt.Errorf("ORDER_DELAY_LEVELS: %q is not a positive duration", f))
			}
			c.DelayLevels = append(c.DelayLevels, d)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// Validate reports every setting that cannot work, naming its variable.
func (c config) Validate() error {
	errs := []error{
		envconf.ListenAddr("ORDER_ADDR", c.Addr),
		envconf.HostPortList("ROCKETMQ_NAMESERVER", c.NameServer),
		envconf.ClientLogLevel("ROCKETMQ_CLIENT_LOG_LEVEL", c.ClientLogLevel),
		envconf.Token("ADMIN_TOKEN", c.AdminToken),
		envconf.BaseURL("INVENTORY_URL", c.InventoryURL),
		envconf.BaseURL("PAYMENT_URL", c.PaymentURL),
		envconf.BaseURL("CART_URL", c.CartURL),
	}
	if err := database.CheckDSN(c.DB); err != nil {
		errs = append(errs, fmt.Errorf("ORDER_DB: %w", err))
	}
	if c.PaymentCallTimeout >= 20*time.Second {
		errs = append(errs, fmt.Errorf("ORDER_PAYMENT_CALL_TIMEOUT=%s: keep it well under the 30 s pay budget", c.PaymentCallTimeout))
	}
	return errors.Join(errs...)
}

// run wires the service and serves until ctx is cancelled.
func run(ctx context.Context, cfg config) (err error) {
	log := slog.New(slog.NewJSONHandler(cfg.logOut, &slog.HandlerOptions{Level: cfg.LogLevel})).With("service", "order")
	db, err := database.Open(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer database.Close(db)
	if err := store.Migrate(db); err != nil {
		return err
	}
	spec, err := apidocs.Spec("order")
	if err != nil {
		return err
	}

	mqCfg := mq.Config{NameServer: cfg.NameServer, Service: "order", Logger: log, ClientLogLevel: cfg.ClientLogLevel}
	st := store.New(db)
	payments := remote.NewPayments(svcclient.New(cfg.PaymentURL, cfg.AdminToken, cfg.PaymentCallTimeout))
	domainCfg := ordering.Config{PaymentTimeout: cfg.PaymentTimeout, ReservationGrace: cfg.ReservationGrace, Log: log}
	producers, err := events.StartProducers(ctx, mqCfg, ordering.NewChecks(st, payments, domainCfg), cfg.DelayLevels)
	if err != nil {
		return err
	}
	defer producers.Close()
	svc := ordering.NewService(st,
		remote.NewInventory(svcclient.New(cfg.InventoryURL, cfg.AdminToken, 0)),
		payments,
		remote.NewCart(svcclient.New(cfg.CartURL, cfg.AdminToken, 0)),
		producers.Events(), domainCfg)

	srv := httpserver.New(httpserver.Config{Addr: cfg.Addr, ServiceName: "order"}, log,
		httpserver.ReadyCheck{Name: "database", Check: func(ctx context.Context) error { return database.Ping(ctx, db) }},
		httpserver.ReadyCheck{Name: "broker", Check: func(ctx context.Context) error { return mq.Ping(ctx, cfg.NameServer) }})
	httpapi.Routes(srv.Router(), svc, cfg.AdminToken)
	srv.MountSwagger(spec)

	consumer, err := mq.StartConsumer(ctx, mqCfg, contracts.ConsumerOrderOrderTimeout, contracts.TopicOrderTimeout,
		events.TimeoutHandler(svc), mq.ConsumerOptions{MaxReconsumeTimes: cfg.MaxReconsume, Metrics: mq.NewConsumerMetrics(srv.Registry())})
	if err != nil {
		return err
	}
	defer consumer.Close()

	var wg sync.WaitGroup
	wg.Go(func() { sweep(ctx, svc, cfg.SweepInterval, log) })
	defer wg.Wait()
	if cfg.listener != nil {
		return srv.Serve(ctx, cfg.listener)
	}
	return srv.Run(ctx)
}

// sweep cancels overdue orders every interval: the backstop for a timeout
// message that was never sent.
func sweep(ctx context.Context, svc *ordering.Service, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := svc.SweepOverdue(ctx, interval)
		if err != nil && ctx.Err() == nil {
			log.Warn("overdue sweep failed", "error", err)
		}
		if n > 0 {
			log.Info("overdue orders cancelled", "count", n)
		}
	}
}
