package program

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/faults/faultapi"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/journal/journalapi"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/tracing"
)

// App is the part of a running service that every service has: its logger,
// its migrated database, its HTTP server (readiness checks, metrics, the
// Swagger document) and its consumers, closed in the right order. A
// service's run opens one, builds its own store, domain and routes on it,
// and serves.
type App struct {
	// Log is the service's JSON logger, "service": name on every line.
	Log *slog.Logger
	// DB is the service's database, migrated.
	DB *gorm.DB
	// Server serves the API; routes go on Router().
	Server *httpserver.Server
	// Faults are the service's training fault switches: the service
	// declares its points on it, Consume adds one per consumer group, and
	// Open serves them under /api/v1/admin/faults (faultapi) and lists the
	// armed ones on /readyz. Serve arms <PREFIX>_FAULTS.
	Faults *faults.Set
	// Journal is the service's part of the per-order timeline
	// (journal_entries in DB): Consume records every delivery handled, a
	// transactional event given it (txmsg.Event.Journal) its half message's
	// steps. Open serves it under /api/v1/admin/journal (journalapi) and
	// sweeps it every minute.
	Journal *journal.Journal

	name    string
	base    envconf.Base
	closers []closer
}

type closer struct {
	what  string
	close func() error
}

// Open starts the service called name with its shared settings: the logger
// (slog's default too), the API document spec(name) (apidocs.Spec), the
// database at base.DB migrated by migrate (the store's Migrate), and an
// HTTP server on base.Addr whose /readyz checks the database and the
// broker and which serves the document under /swagger, the fault switches
// and the journal (migrated here, so no service forgets its table). With
// base.Tracing set it turns tracing on (tracing.Start): spans for requests,
// SQL, calls and messages, exported until Close. Call Close when run
// returns (defer app.Close()); when Open fails it has closed what it opened.
func Open(ctx context.Context, name string, base envconf.Base, spec func(name string) ([]byte, error),
	migrate func(*gorm.DB) error) (*App, error) {
	log := Logger(name, base.LogOut, base.LogLevel)
	doc, err := spec(name)
	if err != nil {
		return nil, err
	}
	tr, err := tracing.Start(ctx, name, base.Tracing, log)
	if err != nil {
		return nil, err
	}
	a := &App{Log: log, name: name, base: base}
	// Closed last: the spans of the shutdown itself still go out.
	a.OnClose("tracing", func() error { return tr.Shutdown(context.WithoutCancel(ctx)) })
	db, err := database.Open(ctx, base.DB, log)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.DB = db
	a.OnClose("database", func() error { return database.Close(db) })
	if tr.Enabled() {
		if err := traceSQL(db); err != nil {
			a.Close()
			return nil, err
		}
	}
	if err := migrate(db); err != nil {
		a.Close()
		return nil, err
	}
	if err := journal.Migrate(db); err != nil {
		a.Close()
		return nil, err
	}
	a.Server = httpserver.New(httpserver.Config{Addr: base.Addr, Tracing: tr.Enabled(), TraceName: name}, log,
		ReadyChecks(db, base.NameServer)...)
	a.Server.MountSwagger(doc)
	a.Server.MountPprof(base.AdminToken)
	a.Faults = faults.New(name, log)
	a.Server.ReadyNote("faults", a.Faults.Summaries)
	faultapi.Register(a.Server.Router(), a.Faults, base.AdminToken)
	a.Journal = journal.New(db, journal.Config{Actor: name, Instance: Instance(base), Log: log})
	// Closed after everything registered later (the sweep, the consumers,
	// the service's producers) and before the database: it writes what
	// they recorded.
	a.OnClose("journal", func() error { a.Journal.Close(); return nil })
	journalapi.Register(a.Server.Router(), a.Journal, base.AdminToken)
	a.Every("journal retention sweep", journalSweepEvery, a.sweepJournal)
	return a, nil
}

// Router is where the service registers its routes (httpapi.Register).
func (a *App) Router() *gin.Engine { return a.Server.Router() }

// MQ is how the service's producers reach the broker, named after the
// service and logging through its logger.
func (a *App) MQ() mq.Config {
	return mq.Config{NameServer: a.base.NameServer, Service: a.name, Logger: a.Log, ClientLogLevel: a.base.ClientLogLevel}
}

// Consume starts the service's consumers (events.Subscriptions) with the
// configured maximum redeliveries, counted on /metrics and recorded in the
// journal, each with its fault point consume.<group> (ConsumerFaults) and the service's slow-motion
// switch (SlowMotion). They are closed before anything
// opened earlier, the database included, so no delivery is handled on a
// closed database.
func (a *App) Consume(ctx context.Context, subs ...mq.Subscription) error {
	subs = SlowMotion(a.Faults, a.Journal, ConsumerFaults(a.Faults, subs))
	consumers, err := mq.StartConsumers(ctx, a.MQ(), mq.ConsumerOptions{
		MaxReconsumeTimes: a.base.MaxReconsume,
		Metrics:           mq.NewConsumerMetrics(a.Server.Registry()),
		Record:            recordConsumed(a.Journal),
	}, subs...)
	if err != nil {
		return err
	}
	a.OnClose("consumers", consumers.Close)
	return nil
}

// OnClose has Close run close, before whatever was registered earlier (the
// database first of all) and after whatever is registered later: order's
// producers, registered before its consumers start, outlive the consumers
// that publish through them. A failure is logged and the next close runs.
func (a *App) OnClose(what string, close func() error) {
	a.closers = append(a.closers, closer{what, close})
}

// Every runs round every interval, in its own goroutine, until Close: the
// background work a service does besides requests and messages (order's
// overdue sweep, inventory's expiry sweep). A failed round is logged and
// the next tick tries again: such work is a safety net, not a path a
// request waits on. Close stops it (and waits for a running round) before
// closing anything registered earlier, the database included.
func (a *App) Every(what string, interval time.Duration, round func(ctx context.Context) error) {
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if ctx.Err() != nil { // both were ready: Close wins
				return
			}
			if err := round(ctx); err != nil && ctx.Err() == nil {
				a.Log.Warn(what+" failed; the next tick tries again", "error", err)
			}
		}
	})
	a.OnClose(what, func() error { stop(); wg.Wait(); return nil })
}

// Serve serves until ctx is cancelled, on the test's listener when it gave
// one, and returns after the graceful shutdown of the HTTP server.
func (a *App) Serve(ctx context.Context) error {
	specs, err := faults.Parse(a.base.Faults) // checked by loadConfig
	if err == nil {
		err = a.Faults.ArmAll(specs)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", a.base.FaultsVar, err)
	}
	return Serve(ctx, a.Server, a.base.Listener)
}

// Close closes what the service opened, latest first. Deferred right after
// Open, it runs after every close the service defers later (a sweeper's
// stop, for instance).
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		CloseLogged(a.Log, a.closers[i].what, a.closers[i].close)
	}
	a.closers = nil
}
