package main

import (
	"context"
	"fmt"
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
	"github.com/rocketmart/rocketmart/services/platform/program"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// serviceName names the service in logs, broker client instances and the
// API docs, and finds its row of the services table.
const serviceName = "order"

// chargeSendSlack is the time a payment may spend before its charge call
// starts (sending the half message): a charge request is refused after
// PaidAt + ORDER_PAYMENT_CALL_TIMEOUT + chargeSendSlack.
const chargeSendSlack = 2 * time.Second

// config is everything the order service reads from its environment: the
// settings every service reads (ORDER_ADDR, ORDER_DB, …) and its own.
type config struct {
	envconf.Base
	InventoryURL       string          // INVENTORY_URL
	PaymentURL         string          // PAYMENT_URL
	CartURL            string          // CART_URL
	PointsURL          string          // POINTS_URL
	PaymentTimeout     time.Duration   // ORDER_PAYMENT_TIMEOUT
	ReservationGrace   time.Duration   // ORDER_RESERVATION_GRACE
	PaymentCallTimeout time.Duration   // ORDER_PAYMENT_CALL_TIMEOUT
	SweepInterval      time.Duration   // ORDER_SWEEP_INTERVAL
	ReturnWindow       time.Duration   // ORDER_RETURN_WINDOW
	DelayLevels        []time.Duration // ORDER_DELAY_LEVELS: the broker's, when not RocketMQ's 18
}

// loadConfig reads the environment through getenv (os.Getenv in main, a map
// in tests) with defaults that make the embedded run work, and reports every
// bad setting at once, each naming its variable.
func loadConfig(getenv func(string) string) (config, error) {
	env := envconf.New(getenv)
	c := config{
		Base:               env.Base(contracts.MustService(serviceName)),
		InventoryURL:       env.BaseURL("INVENTORY_URL", "http://127.0.0.1:8083"),
		PaymentURL:         env.BaseURL("PAYMENT_URL", "http://127.0.0.1:8082"),
		CartURL:            env.BaseURL("CART_URL", "http://127.0.0.1:8086"),
		PointsURL:          env.BaseURL("POINTS_URL", "http://127.0.0.1:8085"),
		PaymentTimeout:     env.Duration("ORDER_PAYMENT_TIMEOUT", "15m", time.Second),
		ReservationGrace:   env.Duration("ORDER_RESERVATION_GRACE", "10m", time.Second),
		PaymentCallTimeout: env.Duration("ORDER_PAYMENT_CALL_TIMEOUT", "3s", time.Millisecond),
		SweepInterval:      env.Duration("ORDER_SWEEP_INTERVAL", "30s", time.Second),
		ReturnWindow:       env.Duration("ORDER_RETURN_WINDOW", "336h", time.Second),
		DelayLevels:        env.DurationList("ORDER_DELAY_LEVELS", ""),
	}
	if c.PaymentCallTimeout >= 20*time.Second {
		env.Fail(fmt.Errorf("ORDER_PAYMENT_CALL_TIMEOUT=%s: keep it well under the 30 s pay budget", c.PaymentCallTimeout))
	}
	return c, env.Err()
}

// run wires the service and serves until ctx is cancelled.
func run(ctx context.Context, cfg config) error {
	app, err := program.Open(ctx, serviceName, cfg.Base, apidocs.Spec, store.Migrate)
	if err != nil {
		return err
	}
	defer app.Close()

	// The check-backs read the store and the payment and points services
	// only, so they exist before the producers that answer the broker with
	// them.
	st := store.New(app.DB)
	payments := remote.NewPayments(svcclient.New(cfg.PaymentURL, cfg.AdminToken, cfg.PaymentCallTimeout))
	points := remote.NewPoints(svcclient.New(cfg.PointsURL, cfg.AdminToken, cfg.PaymentCallTimeout))
	domainCfg := ordering.Config{PaymentTimeout: cfg.PaymentTimeout, ReservationGrace: cfg.ReservationGrace, Log: app.Log, Faults: app.Faults,
		ChargeWindow: cfg.PaymentCallTimeout + chargeSendSlack, ReturnWindow: cfg.ReturnWindow}
	producers, err := events.StartProducers(ctx, app.MQ(), ordering.NewChecks(st, payments, points, domainCfg), cfg.DelayLevels, app.Faults, app.Journal)
	if err != nil {
		return err
	}
	// Registered before the consumers start, so closed after them: the
	// ORDER_TIMEOUT consumer publishes ORDER_CANCELLED through them.
	app.OnClose("producers", producers.Close)
	svc := ordering.NewService(st,
		remote.NewInventory(svcclient.New(cfg.InventoryURL, cfg.AdminToken, 0)),
		payments, points,
		remote.NewCart(svcclient.New(cfg.CartURL, cfg.AdminToken, 0)),
		producers.Events(), domainCfg)
	httpapi.Register(app.Router(), svc, cfg.AdminToken)
	if err := app.Consume(ctx, events.Subscriptions(svc, app.Log)...); err != nil {
		return err
	}

	app.Every("overdue sweep", cfg.SweepInterval, func(ctx context.Context) error {
		_, err := svc.SweepOverdue(ctx, cfg.SweepInterval)
		return err
	})

	app.Log.Info("order starting", "addr", cfg.Addr, "db", database.Redact(cfg.DB), "inventory", cfg.InventoryURL,
		"payment", cfg.PaymentURL, "cart", cfg.CartURL, "points", cfg.PointsURL)
	return app.Serve(ctx)
}
