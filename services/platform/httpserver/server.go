// Package httpserver is the gin bootstrap every RocketMart service shares:
// request ids, panic recovery, a body limit, JSON access logs, Prometheus
// metrics, /healthz and /readyz, graceful shutdown, and the one adapter that
// turns errors into the shared JSON error shape (see WriteError).
package httpserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Defaults applied by New to zero fields of Config.
const (
	DefaultAddr            = ":8080"
	DefaultBodyLimit       = 1 << 20 // 1 MiB: far above any RocketMart request
	DefaultShutdownTimeout = 10 * time.Second
)

// Timeouts of the underlying http.Server. A header timeout stops slow-loris
// clients from holding connections; the idle timeout recycles keep-alives.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
)

// Config configures a Server. Zero fields take the defaults above.
type Config struct {
	Addr            string        // listen address, e.g. ":8081"
	BodyLimit       int64         // maximum request body in bytes
	ShutdownTimeout time.Duration // how long in-flight requests get on shutdown
	ServiceName     string        // added to every log line as "service"
	// Tracing, when set (tracing.Tracing.Enabled), gives every request but
	// the probes a server span named after its route, a child of the
	// caller's W3C traceparent (OpenTelemetry's gin middleware, otelgin),
	// and puts its trace id on the request's log lines. Off, the middleware
	// is not installed at all.
	Tracing bool
	// TraceName names the server in its spans (the service name); empty
	// means ServiceName.
	TraceName string
}

// ReadyCheck is one dependency /readyz must reach, such as the database or
// the broker. Check must honour ctx: /readyz gives each check 2 s.
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Server is a gin engine with the shared middleware and built-in routes.
type Server struct {
	cfg     Config
	log     *slog.Logger
	engine  *gin.Engine
	checks  []ReadyCheck
	metrics *metrics
	reg     *prometheus.Registry
	notes   []readyNote
}

// New builds a Server; add routes with Router and start it with Run. A nil
// log discards logging.
func New(cfg Config, log *slog.Logger, checks ...ReadyCheck) *Server {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.ServiceName != "" {
		log = log.With("service", cfg.ServiceName)
	}

	// gin's mode is process-wide and only settable globally. Release mode
	// stops gin printing its debug banner and route table to stdout, which
	// would break the JSON-only log stream. Setting it is idempotent and
	// atomic, so doing it here is harmless for every Server in the process.
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New() // no default logger or recovery: ours replace them
	engine.HandleMethodNotAllowed = true
	engine.ContextWithFallback = true // c.Done() and c.Value() follow the request context
	// Services sit behind the gateway; trusting no proxy headers keeps
	// ClientIP from being spoofed through X-Forwarded-For.
	if err := engine.SetTrustedProxies(nil); err != nil {
		log.Error("httpserver: clear trusted proxies", "error", err)
	}

	registry := prometheus.NewRegistry()
	registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	s := &Server{cfg: cfg, log: log, engine: engine, checks: checks, metrics: newMetrics(registry), reg: registry}

	// Order matters: the request id must exist before anything logs;
	// observe sits outside recovery so it records the 500 of a panic.
	// The trace span, when on, comes first so that the request id's logger
	// and the access log see it.
	if cfg.Tracing {
		engine.Use(traceRequests(cmp.Or(cfg.TraceName, cfg.ServiceName)))
	}
	engine.Use(s.requestID(), s.observe(), s.recoverPanic(), s.limitBody())
	engine.NoRoute(notFound)
	engine.NoMethod(methodNotAllowed)
	engine.GET("/healthz", healthz)
	engine.GET("/readyz", s.readyz)
	engine.GET("/metrics", gin.WrapH(promhttp.HandlerFor(registry, promhttp.HandlerOpts{Registry: registry})))
	return s
}

// ReadyNote adds key to every /readyz answer while note returns something
// to say (a non-empty list of armed training faults, say). Notes never make
// the server unready. Call it before serving.
func (s *Server) ReadyNote(key string, note func() []string) {
	s.notes = append(s.notes, readyNote{key, note})
}

type readyNote struct {
	key  string
	note func() []string
}

// Registry is the server's Prometheus registry: collectors registered on
// it appear on /metrics (e.g. mq.NewConsumerMetrics).
func (s *Server) Registry() prometheus.Registerer { return s.reg }

// Router returns the gin engine so the service can add its routes.
func (s *Server) Router() *gin.Engine { return s.engine }

// Handler returns the server as an http.Handler, for httptest.
func (s *Server) Handler() http.Handler { return s.engine }

// Run listens on Config.Addr and serves until ctx is cancelled, then shuts
// down gracefully (see Serve).
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("httpserver: listen on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is cancelled. It then stops accepting
// connections and waits up to Config.ShutdownTimeout for in-flight requests
// to finish, so a deploy or Ctrl-C does not cut a payment in half. It returns
// nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.log.Info("http server listening", "addr", ln.Addr().String())

	select {
	case err := <-served:
		return fmt.Errorf("httpserver: serve: %w", err)
	case <-ctx.Done():
	}

	s.log.Info("http server shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	// ctx is already cancelled; the grace period needs a fresh deadline.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		closeErr := srv.Close()
		return fmt.Errorf("httpserver: graceful shutdown: %w", errors.Join(err, closeErr))
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("httpserver: serve: %w", err)
	}
	s.log.Info("http server stopped")
	return nil
}
