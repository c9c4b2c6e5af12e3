package gateway

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// The trainer routes' own error codes.
const (
	CodeUnknownProgram      = "UNKNOWN_PROGRAM"       // NotFound: no program of that name has fault switches here
	CodeControlNotAvailable = "CONTROL_NOT_AVAILABLE" // Unavailable: no CONTROL_URL (docker compose, Kubernetes)
)

// Broker is the fault-switch program name of minirmq.
const Broker = "minirmq"

// trainerBodyLimit bounds a trainer request's body: an arming request is a
// few dozen bytes.
const trainerBodyLimit = 16 << 10

// faultsCallTimeout bounds each program's answer to GET /api/faults, which
// every open page polls.
const faultsCallTimeout = 2 * time.Second

// pointName is what a fault point may look like in a path: "pay.after-half",
// "consume.points-order-paid".
var pointName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$`)

// trainer is what the trainer routes need: each program's fault API and
// the launcher's control API, both reached with the trainer's token.
type trainer struct {
	programs []string                          // minirmq (when there is one), then the services in start order
	faults   map[string]*httputil.ReverseProxy // program → its fault API
	readers  map[string]*svcclient.Client      // program → its fault API, with the gateway's own token
	control  *httputil.ReverseProxy            // nil without CONTROL_URL
	armed    armedCache                        // GET /api/faults
}

// newTrainer builds the proxies to every program's fault switches (see the
// fault contract): <service>/api/v1/admin/faults, minirmq's
// <admin>/api/v1/faults.
func (g *Gateway) newTrainer(cfg Config, transport http.RoundTripper) (*trainer, error) {
	tr := &trainer{faults: map[string]*httputil.ReverseProxy{}, readers: map[string]*svcclient.Client{}}
	add := func(name, base string) error {
		u, err := url.Parse(base)
		if err != nil {
			return err
		}
		tr.programs = append(tr.programs, name)
		tr.faults[name] = g.newProxy(name, u, transport)
		tr.readers[name] = svcclient.New(base, cfg.AdminToken, faultsCallTimeout)
		return nil
	}
	if cfg.BrokerAdminURL != "" {
		if err := add(Broker, strings.TrimRight(cfg.BrokerAdminURL, "/")+"/api/v1/faults"); err != nil {
			return nil, err
		}
	}
	for _, name := range contracts.ServiceNames() {
		if err := add(name, strings.TrimRight(cfg.Services[name], "/")+"/api/v1/admin/faults"); err != nil {
			return nil, err
		}
	}
	if cfg.ControlURL != "" {
		u, err := url.Parse(cfg.ControlURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("gateway: the control URL %q is not an http(s) URL", cfg.ControlURL)
		}
		tr.control = g.newProxy("control", u, transport)
	}
	return tr, nil
}

// proxyFaults maps /api/trainer/faults/{program}[/{point}] to that
// program's fault API, with the trainer's X-Admin-Token: the one route
// family besides the control API that passes the browser's token on.
func (g *Gateway) proxyFaults(c *gin.Context) {
	segs, ok := segments(c.Param("rest"))
	if !ok || len(segs) > 2 {
		notFound(c)
		return
	}
	proxy, ok := g.trainer.faults[segs[0]]
	if !ok {
		httpserver.WriteError(c, apperr.New(apperr.NotFound, CodeUnknownProgram, "there is no program called "+segs[0]+" with fault switches").
			With("programs", g.trainer.programs))
		return
	}
	path, allowed := "", []string{http.MethodGet, http.MethodPost, http.MethodDelete}
	if len(segs) == 2 {
		if !pointName.MatchString(segs[1]) {
			notFound(c)
			return
		}
		path, allowed = "/"+segs[1], []string{http.MethodDelete}
	}
	if !slices.Contains(allowed, c.Request.Method) {
		c.Header("Allow", strings.Join(allowed, ", "))
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, httpserver.ErrorResponse{Error: httpserver.ErrorDetail{
			Code: apperr.CodeMethodNotAllowed, Message: "method not allowed on this route; use " + strings.Join(allowed, " or ")}})
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, trainerBodyLimit)
	g.forward(c, &target{service: segs[0], proxy: proxy, route: routeAPI, path: path,
		adminToken: c.GetHeader(httpserver.HeaderAdminToken)})
	if c.Request.Method != http.MethodGet {
		g.trainer.armed.invalidate() // armed or cleared: the banner reads again
	}
}

// proxyControl maps /api/trainer/control/<rest> to the launcher's
// <CONTROL_URL>/api/v1/<rest>, with the trainer's X-Admin-Token.
func (g *Gateway) proxyControl(c *gin.Context) {
	if g.trainer.control == nil {
		httpserver.WriteError(c, apperr.New(apperr.Unavailable, CodeControlNotAvailable,
			"stopping, starting and crashing programs, the reset and the labs are available in the embedded run (make run) only"))
		return
	}
	rest := c.Param("rest")
	if _, ok := segments(rest); !ok {
		notFound(c)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, trainerBodyLimit)
	g.forward(c, &target{service: "control", proxy: g.trainer.control, route: routeAPI, path: "/api/v1" + rest,
		adminToken: c.GetHeader(httpserver.HeaderAdminToken)})
	if c.Request.Method != http.MethodGet {
		g.trainer.armed.invalidate() // a reset or a restart clears faults
	}
}
