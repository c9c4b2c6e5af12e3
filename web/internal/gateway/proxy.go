package gateway

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// strippedHeaders never travel from the browser to a service. The identity
// headers are what services trust; the cookie and Authorization are the
// gateway's business. X-Request-ID is replaced by the gateway's own.
var strippedHeaders = []string{
	httpserver.HeaderUserID, httpserver.HeaderAdminToken, "Cookie", "Authorization", httpserver.HeaderRequestID,
}

// route says which kind of upstream path a request maps to.
type route int

const (
	routeAPI route = iota
	routeImage
	routeSwagger
)

// target is where one proxied request goes. The handler decides it (after
// checking the session) and hands it to the proxy's Rewrite in the request
// context, so Rewrite never has to parse the browser's path again.
type target struct {
	service string
	route   route
	path    string // upstream path, decoded
	rawPath string // the same path as the browser escaped it, "" when unknown
	userID  string // from the session; "" on public routes without one
	// adminToken is the trainer's X-Admin-Token, passed on by the trainer
	// routes only; every other route strips the browser's.
	adminToken string
	// proxy, when set, is the one to use instead of the service's own (the
	// trainer routes' fault and control APIs).
	proxy *httputil.ReverseProxy
	gc    *gin.Context
}

type targetKey struct{}

func targetOf(ctx context.Context) *target {
	t, _ := ctx.Value(targetKey{}).(*target)
	return t
}

// newTransport is shared by every proxy. Environment proxies are ignored
// (the services are next door), a service that is down fails fast, and a
// service that accepts but never answers is cut off after a minute.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = time.Minute
	t.MaxIdleConnsPerHost = 32
	return t
}

// newProxy builds the reverse proxy for one service.
//
// Rewrite rather than Director: ReverseProxy removes hop-by-hop headers,
// including any the browser names in its Connection header, before Rewrite
// runs but after Director. With Director a browser sending
// "Connection: X-User-ID" would have the X-User-ID the gateway set stripped
// again on the way out. Rewrite also drops the browser's X-Forwarded-*
// headers and gets the inbound request separately from the outbound one.
// ReverseProxy itself streams bodies both ways and passes status codes and
// error bodies through untouched, which a hand-written client would have to
// reimplement.
func (g *Gateway) newProxy(name string, base *url.URL, transport http.RoundTripper) *httputil.ReverseProxy {
	basePath := strings.TrimRight(base.Path, "/")
	baseRaw := strings.TrimRight(base.EscapedPath(), "/")
	return &httputil.ReverseProxy{
		Transport: transport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			t := targetOf(pr.In.Context())
			pr.Out.URL.Scheme, pr.Out.URL.Host = base.Scheme, base.Host
			pr.Out.URL.Path, pr.Out.URL.RawPath = basePath+t.path, ""
			if t.rawPath != "" {
				pr.Out.URL.RawPath = baseRaw + t.rawPath // ignored by net/url unless it encodes Path
			}
			pr.Out.Host = "" // the service's own host name
			for _, h := range strippedHeaders {
				pr.Out.Header.Del(h)
			}
			if t.userID != "" {
				pr.Out.Header.Set(httpserver.HeaderUserID, t.userID)
			}
			if t.adminToken != "" {
				pr.Out.Header.Set(httpserver.HeaderAdminToken, t.adminToken)
			}
			if id := httpserver.RequestID(pr.In.Context()); id != "" {
				pr.Out.Header.Set(httpserver.HeaderRequestID, id)
			}
			if t.route == routeSwagger && rewritten(t.path) {
				pr.Out.Header.Del("Accept-Encoding") // fixSwagger rewrites the body
			}
			pr.SetXForwarded()
		},
		ModifyResponse: func(resp *http.Response) error {
			// A service may not set cookies on the storefront's origin, and
			// the gateway already sent the request id.
			resp.Header.Del("Set-Cookie")
			resp.Header.Del(httpserver.HeaderRequestID)
			if t := targetOf(resp.Request.Context()); t != nil && t.route == routeSwagger {
				return g.fixSwagger(resp, t)
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			t := targetOf(r.Context())
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				httpserver.WriteError(t.gc, err)
				return
			}
			if r.Context().Err() != nil {
				g.log.Debug("proxy: the browser went away", "service", name, "error", err)
			}
			httpserver.WriteError(t.gc, apperr.Wrap(apperr.Unavailable, apperr.CodeDependencyUnavailable,
				"the "+name+" service did not answer; try again in a moment", err).With("service", name))
		},
	}
}

// forward sends the request to the service's proxy.
func (g *Gateway) forward(c *gin.Context, t *target) {
	t.gc = c
	ctx := context.WithValue(c.Request.Context(), targetKey{}, t)
	proxy := t.proxy
	if proxy == nil {
		proxy = g.proxies[t.service]
	}
	proxy.ServeHTTP(c.Writer, c.Request.WithContext(ctx))
}

// proxyAPI maps /api/<service>/<rest> to <service>/api/v1/<rest>.
func (g *Gateway) proxyAPI(c *gin.Context) {
	svc, rest := c.Param("service"), c.Param("rest")
	if _, ok := g.proxies[svc]; !ok {
		httpserver.WriteError(c, apperr.New(apperr.NotFound, "UNKNOWN_SERVICE", "there is no service called "+svc).
			With("services", contracts.ServiceNames()))
		return
	}
	segs, ok := segments(rest)
	if !ok || strings.EqualFold(segs[0], "admin") {
		// Admin endpoints are for operators and the gateway itself: they
		// do not exist as far as the browser is concerned.
		notFound(c)
		return
	}
	t := &target{service: svc, route: routeAPI, path: "/api/v1" + rest,
		rawPath: rawSuffix(c.Request.URL, "/api/"+svc, "/api/v1")}
	userID, err := g.currentUser(c.Request)
	switch {
	case err == nil:
		t.userID = userID
	case !isPublic(svc, c.Request.Method, segs):
		g.unauthorized(c, err)
		return
	}
	if svc == "order" && c.Request.Method == http.MethodPost && len(segs) == 3 && segs[0] == "orders" && segs[2] == "pay" {
		defer g.pays.Begin(segs[1])()
	}
	g.forward(c, t)
}

// proxyImage serves inventory's product pictures, which need no session.
func (g *Gateway) proxyImage(c *gin.Context) {
	if _, ok := segments(c.Param("file")); !ok {
		notFound(c)
		return
	}
	g.forward(c, &target{service: contracts.ServiceInventory, route: routeImage, path: "/images" + c.Param("file"),
		rawPath: rawSuffix(c.Request.URL, "/images", "/images")})
}

// isPublic lists what the browser may call without signing in: the
// catalogue. Everything else is someone's cart, order, wallet or points.
func isPublic(svc, method string, segs []string) bool {
	readOnly := method == http.MethodGet || method == http.MethodHead
	return svc == contracts.ServiceInventory && readOnly && segs[0] == "products"
}

// segments splits "/a/b" into its segments, refusing empty, "." and ".."
// ones: the services do not clean paths, and nothing the storefront calls
// needs them, so they can only be attempts to reach another route.
func segments(rest string) ([]string, bool) {
	segs := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return nil, false
		}
	}
	return segs, true
}

// rawSuffix returns the browser's escaped path with prefix replaced by
// upstream, so that escapes such as %2F reach the service as sent; "" when
// the escaped path does not start with prefix (an escaped service name).
func rawSuffix(u *url.URL, prefix, upstream string) string {
	rest, ok := strings.CutPrefix(u.EscapedPath(), prefix+"/")
	if !ok {
		return ""
	}
	return upstream + "/" + rest
}

func notFound(c *gin.Context) {
	httpserver.WriteError(c, apperr.New(apperr.NotFound, apperr.CodeRouteNotFound, "no such route"))
}
