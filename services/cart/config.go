package main

import (
	"context"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/cart/internal/events"
	"github.com/rocketmart/rocketmart/services/cart/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/cart/internal/remote"
	"github.com/rocketmart/rocketmart/services/cart/internal/store"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/program"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// serviceName names the service in logs, broker client instances and the
// API docs, and finds its row of the services table.
const serviceName = "cart"

// config is everything the cart service reads from its environment: the
// settings every service reads (CART_ADDR, CART_DB, …) and its own.
type config struct {
	envconf.Base
	InventoryURL string // INVENTORY_URL
}

// loadConfig reads the environment through getenv (os.Getenv in main, a map
// in tests) with defaults that make the embedded run work, and reports every
// bad setting at once, each naming its variable.
func loadConfig(getenv func(string) string) (config, error) {
	env := envconf.New(getenv)
	c := config{
		Base:         env.Base(contracts.MustService(serviceName)),
		InventoryURL: env.BaseURL("INVENTORY_URL", "http://127.0.0.1:8083"),
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
	// Nothing to seed: carts start empty, and a user's cart header row is
	// created by that user's first write. A down inventory makes priced
	// views answer 503, but must not take the cart out of rotation: the
	// readiness checks leave it out.
	svc := cart.NewService(store.New(app.DB), remote.NewInventory(svcclient.New(cfg.InventoryURL, cfg.AdminToken, 0)))
	httpapi.Register(app.Router(), svc, cfg.AdminToken)
	if err := app.Consume(ctx, events.Subscriptions(svc, app.Log)...); err != nil {
		return err
	}
	app.Log.Info("cart starting", "addr", cfg.Addr, "db", database.Redact(cfg.DB), "inventory", cfg.InventoryURL)
	return app.Serve(ctx)
}
