package main

import (
	"context"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/logistics/internal/events"
	"github.com/rocketmart/rocketmart/services/logistics/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/logistics/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/program"
)

// serviceName names the service in logs, broker client instances and the
// API docs, and finds its row of the services table.
const serviceName = "logistics"

// config is everything the logistics service reads from its environment:
// only the settings every service reads (LOGISTICS_ADDR, LOGISTICS_DB, …).
type config struct {
	envconf.Base
}

// loadConfig reads the environment through getenv (os.Getenv in main, a map
// in tests) with defaults that make the embedded run work, and reports every
// bad setting at once, each naming its variable.
func loadConfig(getenv func(string) string) (config, error) {
	env := envconf.New(getenv)
	c := config{Base: env.Base(contracts.MustService(serviceName))}
	return c, env.Err()
}

// run wires the service and serves until ctx is cancelled.
func run(ctx context.Context, cfg config) error {
	app, err := program.Open(ctx, serviceName, cfg.Base, apidocs.Spec, store.Migrate)
	if err != nil {
		return err
	}
	defer app.Close()
	svc := shipping.NewService(store.New(app.DB), app.Log, nil)
	httpapi.Register(app.Router(), svc, cfg.AdminToken)
	if err := app.Consume(ctx, events.Subscriptions(svc, app.Log)...); err != nil {
		return err
	}
	app.Log.Info("logistics starting", "addr", cfg.Addr, "db", database.Redact(cfg.DB), "name_server", cfg.NameServer,
		"max_reconsume", cfg.MaxReconsume)
	return app.Serve(ctx)
}
