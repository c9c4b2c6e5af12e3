package main

import (
	"context"
	"fmt"
	"time"

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
// the settings every service reads (LOGISTICS_ADDR, LOGISTICS_DB, …) and its
// own.
type config struct {
	envconf.Base
	// AutoAdvance, when positive, ships every shipment that waited this
	// long and delivers every shipment shipped this long, as an operator
	// would (LOGISTICS_AUTO_ADVANCE; "0", the default, leaves it to the
	// admin endpoints).
	AutoAdvance time.Duration
}

// loadConfig reads the environment through getenv (os.Getenv in main, a map
// in tests) with defaults that make the embedded run work, and reports every
// bad setting at once, each naming its variable.
func loadConfig(getenv func(string) string) (config, error) {
	env := envconf.New(getenv)
	c := config{Base: env.Base(contracts.MustService(serviceName))}
	c.AutoAdvance, _ = time.ParseDuration(env.Checked("LOGISTICS_AUTO_ADVANCE", "0", autoAdvance))
	return c, env.Err()
}

// autoAdvance checks LOGISTICS_AUTO_ADVANCE: 0 (off) or at least a second,
// at most a day.
func autoAdvance(raw string) error {
	d, err := time.ParseDuration(raw)
	if err != nil || (d != 0 && (d < time.Second || d > 24*time.Hour)) {
		return fmt.Errorf("%q: want 0 (off) or a duration from 1s to 24h, such as 20s", raw)
	}
	return nil
}

// run wires the service and serves until ctx is cancelled.
func run(ctx context.Context, cfg config) error {
	app, err := program.Open(ctx, serviceName, cfg.Base, apidocs.Spec, store.Migrate)
	if err != nil {
		return err
	}
	defer app.Close()
	// The check-backs read the store only, so they exist before the
	// producers that answer the broker with them.
	st := store.New(app.DB)
	producers, err := events.StartProducers(ctx, app.MQ(), shipping.NewChecks(st), app.Faults, app.Journal)
	if err != nil {
		return err
	}
	app.OnClose("producers", producers.Close)
	svc := shipping.NewService(st, producers.Events(), app.Log, nil)
	httpapi.Register(app.Router(), svc, cfg.AdminToken)
	if err := app.Consume(ctx, events.Subscriptions(svc, app.Log)...); err != nil {
		return err
	}
	if cfg.AutoAdvance > 0 {
		app.Every("automatic advance", cfg.AutoAdvance/2, func(ctx context.Context) error {
			return svc.AutoAdvance(ctx, cfg.AutoAdvance)
		})
	}
	app.Log.Info("logistics starting", "addr", cfg.Addr, "db", database.Redact(cfg.DB), "name_server", cfg.NameServer,
		"max_reconsume", cfg.MaxReconsume, "auto_advance", cfg.AutoAdvance)
	return app.Serve(ctx)
}
