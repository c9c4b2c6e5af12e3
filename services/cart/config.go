package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/cart/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/cart/internal/inventory"
	"github.com/rocketmart/rocketmart/services/cart/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// config is everything the cart service reads from the environment. The
// defaults run the embedded set-up on one machine.
type config struct {
	Addr         string // CART_ADDR
	DB           string // CART_DB
	InventoryURL string // INVENTORY_URL
	AdminToken   string // ADMIN_TOKEN
	LogLevel     string // LOG_LEVEL: debug, info, warn or error
}

// loadConfig reads the environment through getenv (os.Getenv in main, a
// map in tests), applying defaults to unset variables.
func loadConfig(getenv func(string) string) config {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	return config{
		Addr:         get("CART_ADDR", ":8086"),
		DB:           get("CART_DB", "sqlite:data/cart.db"),
		InventoryURL: get("INVENTORY_URL", "http://127.0.0.1:8083"),
		AdminToken:   get("ADMIN_TOKEN", "rocketmart-admin"),
		LogLevel:     get("LOG_LEVEL", "info"),
	}
}

// Validate reports every malformed setting, each naming its variable.
func (c config) Validate() error {
	var errs []error
	if err := validateAddr(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("CART_ADDR=%q: %w", c.Addr, err))
	}
	if err := validateDB(c.DB); err != nil {
		errs = append(errs, fmt.Errorf("CART_DB: %w", err))
	}
	if err := validateBaseURL(c.InventoryURL); err != nil {
		errs = append(errs, fmt.Errorf("INVENTORY_URL=%q: %w", c.InventoryURL, err))
	}
	if strings.ContainsAny(c.AdminToken, " \t\r\n") {
		errs = append(errs, errors.New("ADMIN_TOKEN: must not contain whitespace"))
	}
	if _, err := c.level(); err != nil {
		errs = append(errs, fmt.Errorf("LOG_LEVEL=%q: want debug, info, warn or error", c.LogLevel))
	}
	return errors.Join(errs...)
}

func (c config) level() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(c.LogLevel))
	return l, err
}

func validateAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want [HOST]:PORT such as :8086: %w", err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

func validateDB(dsn string) error {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" || strings.Contains(path, "?") {
			return fmt.Errorf("%q: want sqlite:PATH without query parameters", dsn)
		}
		return nil
	case strings.HasPrefix(dsn, "mysql://"):
		// The parse error never holds the password; the DSN itself might.
		if _, err := database.MySQLConfig(strings.TrimPrefix(dsn, "mysql://")); err != nil {
			return err
		}
		return nil
	default:
		return errors.New("want sqlite:PATH or mysql://USER:PASS@tcp(HOST:PORT)/DB")
	}
}

func validateBaseURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("not a URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("want an http:// or https:// URL such as http://127.0.0.1:8083")
	case u.Host == "":
		return errors.New("the URL has no host")
	case u.RawQuery != "" || u.Fragment != "":
		return errors.New("a base URL takes no query or fragment")
	}
	return nil
}

// run wires the service and serves until ctx is cancelled.
func run(ctx context.Context) error {
	cfg := loadConfig(os.Getenv)
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	level, _ := cfg.level() // checked by Validate
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

	// Readiness checks only what the cart owns: a down inventory makes
	// priced views answer 503, but must not take the cart out of rotation.
	srv := httpserver.New(httpserver.Config{Addr: cfg.Addr, ServiceName: "cart"}, log,
		httpserver.ReadyCheck{Name: "database", Check: func(ctx context.Context) error { return database.Ping(ctx, db) }})
	spec, err := apidocs.Spec("cart")
	if err != nil {
		return err
	}
	srv.MountSwagger(spec)
	httpapi.Register(srv.Router(), svc, cfg.AdminToken)

	log.Info("cart starting", "addr", cfg.Addr, "inventory", cfg.InventoryURL, "db", redactDSN(cfg.DB))
	return srv.Run(ctx)
}

// redactDSN hides a MySQL password before the DSN is logged.
func redactDSN(dsn string) string {
	rest, ok := strings.CutPrefix(dsn, "mysql://")
	if !ok {
		return dsn
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		return "mysql://***" + rest[at:]
	}
	return dsn
}
