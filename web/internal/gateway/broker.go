package gateway

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// CodeBrokerNotAvailable is the broker page's routes' answer without a
// broker admin API (Unavailable): Apache RocketMQ has no such API.
const CodeBrokerNotAvailable = "BROKER_NOT_AVAILABLE"

// brokerViews are the minirmq admin reads the broker page may make through
// the gateway, by their first path segment, with how many segments each
// takes (1: the list; 2: one group).
var brokerViews = map[string]int{
	"topics": 1, "transactions": 1, "delayed": 1, "producer-groups": 1,
	"consumer-groups": 2, "dead-letters": 2,
}

// queueOffset is a dead letter's offset in its group's DLQ.
var queueOffset = regexp.MustCompile(`^[0-9]{1,19}$`)

// newBrokerProxy is the proxy to minirmq's <admin>/api/v1, or nil without one.
func (g *Gateway) newBrokerProxy(cfg Config, transport http.RoundTripper) (*httputil.ReverseProxy, error) {
	if cfg.BrokerAdminURL == "" {
		return nil, nil
	}
	u, err := url.Parse(strings.TrimRight(cfg.BrokerAdminURL, "/") + "/api/v1")
	if err != nil {
		return nil, err
	}
	return g.newProxy(Broker, u, transport), nil
}

// proxyBroker maps the broker page's /api/trainer/broker/<rest> to minirmq's
// admin API: the reads named in brokerViews (GET) and a dead letter's
// replay (POST dead-letters/{group}/{offset}/replay), nothing else. The
// route needs the admin token (RequireAdmin: minirmq's reads need none, but
// they show every shopper's messages) and passes it on, for the replay.
func (g *Gateway) proxyBroker(c *gin.Context) {
	if g.broker == nil {
		httpserver.WriteError(c, apperr.New(apperr.Unavailable, CodeBrokerNotAvailable,
			"the broker page needs minirmq's admin API (MINIRMQ_ADMIN_URL); Apache RocketMQ has its own dashboard"))
		return
	}
	segs, ok := segments(c.Param("rest"))
	if !ok {
		notFound(c)
		return
	}
	method, allowed := brokerMethod(segs)
	if method == "" {
		notFound(c)
		return
	}
	if c.Request.Method != method {
		c.Header("Allow", method)
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, httpserver.ErrorResponse{Error: httpserver.ErrorDetail{
			Code: apperr.CodeMethodNotAllowed, Message: "method not allowed on this route; use " + method}})
		return
	}
	if !allowed {
		notFound(c)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, trainerBodyLimit)
	g.forward(c, &target{service: Broker, proxy: g.broker, route: routeAPI, path: "/" + strings.Join(segs, "/"),
		adminToken: c.GetHeader(httpserver.HeaderAdminToken)})
}

// brokerMethod says which method a broker path takes ("" for none) and
// whether its names are acceptable.
func brokerMethod(segs []string) (method string, ok bool) {
	if n, view := brokerViews[segs[0]]; view && len(segs) <= n {
		return http.MethodGet, len(segs) == 1 || pointName.MatchString(segs[1])
	}
	if len(segs) == 4 && segs[0] == "dead-letters" && segs[3] == "replay" {
		return http.MethodPost, pointName.MatchString(segs[1]) && queueOffset.MatchString(segs[2])
	}
	return "", false
}
