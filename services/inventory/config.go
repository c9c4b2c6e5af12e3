package main

import (
	"context"
	"time"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/inventory/internal/events"
	"github.com/rocketmart/rocketmart/services/inventory/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/inventory/internal/remote"
	"github.com/rocketmart/rocketmart/services/inventory/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/program"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// serviceName names the service in logs, broker client instances and the
// API docs, and finds its row of the services table.
const serviceName = "inventory"

// config is everything the inventory service reads from its environment:
// the settings every service reads (INVENTORY_ADDR, INVENTORY_DB, …) and
// its own.
type config struct {
	envconf.Base
	OrderURL      string        // ORDER_URL
	SweepInterval time.Duration // INVENTORY_SWEEP_INTERVAL
}

// loadConfig reads the environment through getenv (os.Getenv in main, a map
// in tests) with defaults that make the embedded run work, and reports every
// bad setting at once, each naming its variable.
func loadConfig(getenv func(string) string) (config, error) {
	env := envconf.New(getenv)
	c := config{
		Base:          env.Base(contracts.MustService(serviceName)),
		OrderURL:      env.BaseURL("ORDER_URL", "http://127.0.0.1:8081"),
		SweepInterval: env.Duration("INVENTORY_SWEEP_INTERVAL", "30s", time.Second),
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
	svc := inventory.NewService(store.New(app.DB), remote.NewOrders(svcclient.New(cfg.OrderURL, cfg.AdminToken, 0)), app.Log, nil)
	svc.UseFaults(app.Faults)
	n, err := svc.Seed(ctx)
	if err != nil {
		return err
	}
	app.Log.Info("catalogue seeded", "inserted", n)
	httpapi.Register(app.Router(), svc, cfg.AdminToken)
	if err := app.Consume(ctx, events.Subscriptions(svc, app.Log)...); err != nil {
		return err
	}

	app.Every("expiry sweep", cfg.SweepInterval, func(ctx context.Context) error {
		_, err := svc.SweepExpired(ctx)
		return err
	})

	app.Log.Info("inventory starting", "addr", cfg.Addr, "db", database.Redact(cfg.DB), "order_url", cfg.OrderURL,
		"sweep_interval", cfg.SweepInterval.String())
	return app.Serve(ctx)
}
