package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/cart/internal/events"
	"github.com/rocketmart/rocketmart/services/cart/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/cart/internal/inventory"
	"github.com/rocketmart/rocketmart/services/cart/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// config is everything the cart service reads from the environment. The
// defaults run the embedded set-up on one machine.
type config struct {
	Addr         string // CART_ADDR
	DB           string // CART_DB
	InventoryURL string // INVENTORY_URL
	NameServer   string // ROCKETMQ_NAMESERVER
	MaxReconsume string // CART_MAX_RECONSUME: redeliveries before the dead-letter queue, 1 to 32
	AdminToken   string // ADMIN_TOKEN
	LogLevel     string // LOG_LEVEL: debug, info, warn or error
}

// loadConfig reads the environment through getenv (os.Getenv in main, a
// map in tests), applying defaults to unset variables.
func loadConfig(getenv func(string) string) config {
	get := envconf.Getter(getenv)
	return config{
		Addr:         get("CART_ADDR", ":8086"),
		DB:           get("CART_DB", "sqlite:data/cart.db"),
		InventoryURL: get("INVENTORY_URL", "http://127.0.0.1:8083"),
		NameServer:   get("ROCKETMQ_NAMESERVER", "127.0.0.1:9876"),
		MaxReconsume: get("CART_MAX_RECONSUME", "16"),
		AdminToken:   get("ADMIN_TOKEN", "rocketmart-admin"),
		LogLevel:     get("LOG_LEVEL", "info"),
	}
}

// Validate reports every malformed setting, each naming its variable.
func (c config) Validate() error {
	var errs []error
	if err := envconf.ListenAddr("CART_ADDR", c.Addr); err != nil {
		errs = append(errs, err)
	}
	if err := database.CheckDSN(c.DB); err != nil {
		errs = append(errs, fmt.Errorf("CART_DB: %w", err))
	}
	if err := envconf.BaseURL("INVENTORY_URL", c.InventoryURL); err != nil {
		errs = append(errs, err)
	}
	if err := envconf.HostPortList("ROCKETMQ_NAMESERVER", c.NameServer); err != nil {
		errs = append(errs, err)
	}
	if _, err := envconf.MaxReconsume("CART_MAX_RECONSUME", c.MaxReconsume); err != nil {
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
	level, _ := envconf.LogLevel("LOG_LEVEL", cfg.LogLevel) // checked by Validate
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))

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
	// Nothing to seed: carts start empty, and a user's cart header row is
	// created by that user's first write.

	catalog := inventory.New(svcclient.New(cfg.InventoryURL, cfg.AdminToken, 0))
	svc := cart.NewService(store.New(db), catalog)

	// Readiness checks only what the cart owns and needs to consume: a down
	// inventory makes priced views answer 503, but must not take the cart out
	// of rotation.
	srv := httpserver.New(httpserver.Config{Addr: cfg.Addr, ServiceName: "cart"}, log,
		httpserver.ReadyCheck{Name: "database", Check: func(ctx context.Context) error { return database.Ping(ctx, db) }},
		httpserver.ReadyCheck{Name: "broker", Check: func(ctx context.Context) error { return mq.Ping(ctx, cfg.NameServer) }})
	spec, err := apidocs.Spec("cart")
	if err != nil {
		return err
	}
	srv.MountSwagger(spec)
	httpapi.Register(srv.Router(), svc, cfg.AdminToken)

	maxReconsume, _ := envconf.MaxReconsume("CART_MAX_RECONSUME", cfg.MaxReconsume) // checked by Validate
	consumer, err := events.Start(ctx, mq.Config{NameServer: cfg.NameServer, Service: "cart", Logger: log}, svc,
		mq.ConsumerOptions{MaxReconsumeTimes: maxReconsume, Metrics: mq.NewConsumerMetrics(srv.Registry())})
	if err != nil {
		return err
	}
	defer consumer.Close()

	log.Info("cart starting", "addr", cfg.Addr, "inventory", cfg.InventoryURL, "db", database.Redact(cfg.DB))
	return srv.Run(ctx)
}
