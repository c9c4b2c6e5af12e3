// Package gateway is the storefront's server: it serves the single-page app,
// signs demo users in, and proxies /api/<service>/... to the services with
// the user id taken from the signed session cookie, never from the browser.
// It also answers the order progress document, the order timeline
// (timeline.go) and the audit, proxies
// each service's Swagger UI under /swagger/<service>/, and serves the
// trainer page's routes to the programs' fault switches and the launcher's
// control API (trainer.go), its after-payment order moves (orders.go), and the broker page's reads of minirmq's admin
// API (broker.go).
package gateway

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
	"github.com/rocketmart/rocketmart/services/platform/tracing"
	"github.com/rocketmart/rocketmart/web/internal/errtext"
	"github.com/rocketmart/rocketmart/web/internal/progress"
	"github.com/rocketmart/rocketmart/web/internal/session"
	"github.com/rocketmart/rocketmart/web/internal/timeline"
)

// Config is what the gateway needs besides the audit handler.
type Config struct {
	Addr string
	// Services maps the name of every service in contracts.Services() to
	// its base URL; the gateway proxies exactly those.
	Services map[string]string
	// BrokerAdminURL is minirmq's admin API; empty disables broker views.
	BrokerAdminURL string
	// AdminToken is sent on the gateway's own read-only admin calls
	// (progress, the armed faults); it is never sent on a browser's behalf.
	// The trainer routes pass on the token the trainer typed instead.
	AdminToken string
	// ControlURL is the launcher's control API; empty (docker compose)
	// answers the trainer's control routes with CONTROL_NOT_AVAILABLE.
	ControlURL string
	Sessions   *session.Manager
	// Static holds the storefront (index.html, docs.html, js/, css/).
	Static fs.FS
	// Tracing, when the program turned it on (tracing.Start), gives every
	// request a server span and every proxied call a client span that
	// passes the W3C traceparent on to the service.
	Tracing bool
}

// Gateway is the storefront server.
type Gateway struct {
	srv      *httpserver.Server
	log      *slog.Logger
	sessions *session.Manager
	proxies  map[string]*httputil.ReverseProxy
	progress *progress.Service
	timeline *timeline.Service
	pays     *progress.PayTracker
	audit    http.Handler
	assets   *assets
	errtext  *errtext.Catalogue // the error messages in the storefront's other languages
	trainer  *trainer
	broker   *httputil.ReverseProxy // minirmq's admin API for the broker page; nil without one
	// adminToken admits callers of the gateway's own admin routes (the
	// admin timeline); it is the token the gateway sends on its reads.
	adminToken string
}

// New builds the gateway. audit answers GET /api/audit for signed-in users.
func New(cfg Config, audit http.Handler, log *slog.Logger) (*Gateway, error) {
	if cfg.Sessions == nil || audit == nil || cfg.Static == nil {
		return nil, errors.New("gateway: Sessions, Static and the audit handler are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	assets, err := loadAssets(cfg.Static)
	if err != nil {
		return nil, err
	}
	texts, err := errtext.Load(cfg.Static)
	if err != nil {
		return nil, err
	}
	g := &Gateway{
		srv:        httpserver.New(httpserver.Config{Addr: cfg.Addr, Tracing: cfg.Tracing, TraceName: "web"}, log),
		log:        log,
		sessions:   cfg.Sessions,
		proxies:    map[string]*httputil.ReverseProxy{},
		pays:       progress.NewPayTracker(),
		audit:      audit,
		assets:     assets,
		errtext:    texts,
		adminToken: cfg.AdminToken,
	}
	var transport http.RoundTripper = newTransport()
	if cfg.Tracing {
		transport = tracing.Transport(transport)
	}
	clients := map[string]*svcclient.Client{}
	journals := map[string]*svcclient.Client{}
	for _, svc := range contracts.Services() {
		name := svc.Name
		raw, ok := cfg.Services[name]
		if !ok {
			return nil, fmt.Errorf("gateway: no URL for the %s service", name)
		}
		base, err := url.Parse(raw)
		if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
			return nil, fmt.Errorf("gateway: the %s service URL %q is not an http(s) URL", name, raw)
		}
		g.proxies[name] = g.newProxy(name, base, transport)
		token := cfg.AdminToken
		if name == contracts.ServiceOrder || !svc.AdminAPI {
			// progress reads the order as its owner, so ownership is checked
			// by the order service; a service without an admin API has no
			// use for the token.
			token = ""
		}
		clients[name] = svcclient.New(raw, token, progress.DefaultCallTimeout)
		journals[name] = svcclient.New(raw, cfg.AdminToken, timeline.DefaultCallTimeout)
	}
	pc := progress.Clients{Services: clients}
	tc := timeline.Clients{Journals: journals, Owner: clients[contracts.ServiceOrder]}
	if cfg.BrokerAdminURL != "" {
		pc.Broker = svcclient.New(cfg.BrokerAdminURL, "", progress.DefaultCallTimeout)
		tc.Broker = svcclient.New(cfg.BrokerAdminURL, "", timeline.DefaultCallTimeout)
	}
	if g.progress, err = progress.New(pc, g.pays); err != nil {
		return nil, err
	}
	if g.timeline, err = timeline.New(tc); err != nil {
		return nil, err
	}
	if g.trainer, err = g.newTrainer(cfg, transport); err != nil {
		return nil, err
	}
	if g.broker, err = g.newBrokerProxy(cfg, transport); err != nil {
		return nil, err
	}
	g.routes(g.srv.Router())
	return g, nil
}

// Handler returns the gateway as an http.Handler, for tests.
func (g *Gateway) Handler() http.Handler { return g.srv.Handler() }

// Server returns the underlying server, to Run it.
func (g *Gateway) Server() *httpserver.Server { return g.srv }

func (g *Gateway) routes(r *gin.Engine) {
	// "/api/cart" and "/api/cart/" are different requests; redirecting one
	// to the other would turn a POST into a GET in some clients.
	r.RedirectTrailingSlash = false

	api := r.Group("/api", g.translateErrors, sameOrigin)
	api.GET("/users", g.users)
	api.GET("/session", g.getSession)
	api.POST("/session", httpserver.Handle(g.signIn))
	api.DELETE("/session", g.signOut)
	api.GET("/progress/:orderNo", httpserver.Handle(g.orderProgress))
	api.GET("/timeline/:orderNo", httpserver.Handle(g.orderTimeline))
	api.GET("/admin/timeline/:orderNo", httpserver.RequireAdmin(g.adminToken), httpserver.Handle(g.adminTimeline))
	api.GET("/audit", g.runAudit)
	api.GET("/faults", g.armedFaults)
	api.Any("/trainer/faults/*rest", g.proxyFaults)
	api.Any("/trainer/control/*rest", g.proxyControl)
	api.GET("/trainer/orders", g.trainerOrders)
	api.POST("/trainer/orders/:orderNo/:action", g.trainerOrderAction)
	api.Any("/trainer/broker/*rest", httpserver.RequireAdmin(g.adminToken), g.proxyBroker)
	api.Any("/:service/*rest", g.proxyAPI)

	r.GET("/images/*file", g.proxyImage)
	r.HEAD("/images/*file", g.proxyImage)
	r.GET("/swagger/:service", g.swaggerRoot)
	r.GET("/swagger/:service/*rest", g.proxySwagger)
	r.HEAD("/swagger/:service/*rest", g.proxySwagger)
	r.GET("/docs", func(c *gin.Context) { g.assets.serve(c, "docs.html") })
	r.NoRoute(g.static)
}
