package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/services/audit"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/tracing"
	"github.com/rocketmart/rocketmart/web"
	"github.com/rocketmart/rocketmart/web/internal/gateway"
	"github.com/rocketmart/rocketmart/web/internal/session"
)

// serviceName names the program in logs.
const serviceName = "web"

// config is everything the gateway reads from the environment.
type config struct {
	Addr string // WEB_ADDR; loopback unless set (Validate refuses the default admin token beyond it)
	// ServiceURLs holds every service of contracts.Services() by name, read
	// from its URLVar (ORDER_URL, PAYMENT_URL …).
	ServiceURLs    map[string]string
	BrokerAdminURL string     // MINIRMQ_ADMIN_URL; "" disables broker views
	AdminToken     string     // ADMIN_TOKEN
	ControlURL     string     // CONTROL_URL: the launcher's control API; "" (set "off", the default) outside the embedded run
	SessionSecret  string     // WEB_SESSION_SECRET; "" means a random one per start
	LogLevel       slog.Level // LOG_LEVEL
	// Tracing is the OTLP/HTTP receiver spans go to
	// (OTEL_EXPORTER_OTLP_ENDPOINT); "" turns tracing off.
	Tracing string
}

// loadConfig reads the environment through lookup (os.LookupEnv), with
// defaults that make the embedded run work. It takes a lookup rather than a
// getenv because MINIRMQ_ADMIN_URL set to "" means "no broker views", which
// differs from unset (the default address).
func loadConfig(lookup func(string) (string, bool)) (config, error) {
	get := envconf.Getter(func(name string) string {
		v, _ := lookup(name)
		return v
	})
	c := config{
		Addr:           get("WEB_ADDR", "127.0.0.1:8080"),
		ServiceURLs:    map[string]string{},
		BrokerAdminURL: get("MINIRMQ_ADMIN_URL", "http://127.0.0.1:9877"),
		AdminToken:     get("ADMIN_TOKEN", "rocketmart-admin"),
		SessionSecret:  get("WEB_SESSION_SECRET", ""),
		// "off" rather than an empty default: a deployment without a
		// launcher (compose, Kubernetes) has nothing to set.
		ControlURL: get("CONTROL_URL", "off"),
		Tracing:    get("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
	}
	if strings.EqualFold(strings.TrimSpace(c.ControlURL), "off") {
		c.ControlURL = ""
	}
	for _, svc := range contracts.Services() {
		c.ServiceURLs[svc.Name] = get(svc.URLVar(), svc.DefaultURL())
	}
	if v, set := lookup("MINIRMQ_ADMIN_URL"); (set && strings.TrimSpace(v) == "") || strings.EqualFold(c.BrokerAdminURL, "off") {
		c.BrokerAdminURL = "" // Apache RocketMQ has no such API: docker compose turns the views off
	}
	level, err := envconf.LogLevel("LOG_LEVEL", get("LOG_LEVEL", "info"))
	if err != nil {
		return config{}, err
	}
	c.LogLevel = level
	return c, nil
}

// Validate rejects malformed settings with a message naming the variable.
func (c config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(envconf.ListenAddr("WEB_ADDR", c.Addr))
	for _, svc := range contracts.Services() {
		add(envconf.BaseURL(svc.URLVar(), c.ServiceURLs[svc.Name]))
	}
	if c.BrokerAdminURL != "" {
		add(envconf.BaseURL("MINIRMQ_ADMIN_URL", c.BrokerAdminURL))
	}
	add(envconf.Token("ADMIN_TOKEN", c.AdminToken))
	// The gateway forwards the admin token to the services and takes it on
	// its own admin and trainer routes: beyond loopback it must be secret.
	add(envconf.Exposure("WEB_ADDR", c.Addr, "ADMIN_TOKEN", c.AdminToken))
	if c.ControlURL != "" {
		add(envconf.BaseURL("CONTROL_URL", c.ControlURL))
	}
	if c.Tracing != "" {
		add(envconf.BaseURL("OTEL_EXPORTER_OTLP_ENDPOINT", c.Tracing))
	}
	if c.SessionSecret != "" && len(c.SessionSecret) < session.MinSecretLen {
		add(fmt.Errorf("WEB_SESSION_SECRET must be at least %d characters (or unset for a random one per start)", session.MinSecretLen))
	}
	return errors.Join(errs...)
}

// auditConfig points the consistency audit at the same services; without a
// broker admin API (Apache RocketMQ) it skips the broker's invariant.
func (c config) auditConfig() audit.Config {
	return audit.Config{
		URLs: maps.Clone(c.ServiceURLs), BrokerAdminURL: c.BrokerAdminURL,
		AdminToken: c.AdminToken, Quiescence: 10 * time.Second,
	}
}

// run wires the gateway and serves until ctx is cancelled.
func run(ctx context.Context) error {
	cfg, err := loadConfig(os.LookupEnv)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := slog.New(tracing.LogHandler(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))).With("service", serviceName)
	slog.SetDefault(log)
	tr, err := tracing.Start(ctx, serviceName, cfg.Tracing, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := tr.Shutdown(context.WithoutCancel(ctx)); err != nil {
			log.Error("close tracing", "error", err)
		}
	}()

	secret := []byte(cfg.SessionSecret)
	if len(secret) == 0 {
		secret = []byte(rand.Text())
		log.Warn("WEB_SESSION_SECRET is not set: using a random secret, so every session ends when the gateway restarts")
	}
	sessions, err := session.NewManager(secret, session.DefaultTTL, contracts.IsDemoUser, nil)
	if err != nil {
		return err
	}
	static, err := web.Static()
	if err != nil {
		return err
	}
	gw, err := gateway.New(gateway.Config{
		Addr: cfg.Addr, Services: maps.Clone(cfg.ServiceURLs), BrokerAdminURL: cfg.BrokerAdminURL,
		AdminToken: cfg.AdminToken, ControlURL: cfg.ControlURL, Sessions: sessions, Static: static,
		Tracing: tr.Enabled(),
	}, audit.Handler(cfg.auditConfig()), log)
	if err != nil {
		return err
	}
	log.Info("gateway starting", "addr", cfg.Addr, "services", cfg.ServiceURLs,
		"broker_admin", cfg.BrokerAdminURL, "broker_views", cfg.BrokerAdminURL != "", "control", cfg.ControlURL)
	return gw.Server().Run(ctx)
}
