package tracing

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

// Transport wraps base (http.DefaultTransport when nil) in OpenTelemetry's
// net/http instrumentation with the global provider and propagator: every
// outgoing call gets a client span named "METHOD host/path" and carries the
// W3C traceparent, so the callee's server span is its child. With tracing
// off the span is a no-op and no header is added.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return otelhttp.NewTransport(base, otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
		return r.Method + " " + r.URL.Host + r.URL.Path
	}))
}
