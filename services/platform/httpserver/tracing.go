package httpserver

import (
	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
)

// traceRequests is OpenTelemetry's gin middleware with the global provider
// and propagator (set by tracing.Start): one server span per request, named
// "METHOD /route", continuing the caller's traceparent. Probes get none:
// one every few seconds per service would bury the traces worth reading.
func traceRequests(server string) gin.HandlerFunc {
	return otelgin.Middleware(server,
		otelgin.WithGinFilter(func(c *gin.Context) bool { return !isProbe(c.FullPath()) }),
		otelgin.WithSpanNameFormatter(func(c *gin.Context) string {
			route := c.FullPath()
			if route == "" {
				route = unmatchedRoute
			}
			return c.Request.Method + " " + route
		}))
}
