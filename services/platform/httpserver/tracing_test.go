package httpserver_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/tracing"
)

func tracedServer(on bool) *httpserver.Server {
	s := httpserver.New(httpserver.Config{Tracing: on, TraceName: "shop"}, nil)
	s.Router().GET("/things/:id", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"id": c.Param("id")}) })
	return s
}

// With Tracing on, a request continues the caller's traceparent in a server
// span named after its route; probes get no span.
func TestTracingSpansRequests(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	otel.SetTextMapPropagator(tracing.Propagator())
	t.Cleanup(func() {
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	h := tracedServer(true).Handler()
	for _, path := range []string{"/things/7", "/readyz", "/healthz"} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("traceparent", parent)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans, want one (none for the probes)", len(spans))
	}
	s := spans[0]
	if s.Name() != "GET /things/:id" || s.SpanContext().TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" ||
		s.Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Errorf("span %q trace %s parent %s, want GET /things/:id continuing the caller's traceparent",
			s.Name(), s.SpanContext().TraceID(), s.Parent().SpanID())
	}
}

// BenchmarkRequest is one request through the server: "off" is what every
// service runs without OTEL_EXPORTER_OTLP_ENDPOINT (no middleware at all),
// "on-noop" the middleware over the no-op provider, for comparison.
func BenchmarkRequest(b *testing.B) {
	for _, bc := range []struct {
		name string
		on   bool
	}{{"off", false}, {"on-noop", true}} {
		b.Run(bc.name, func(b *testing.B) {
			h := tracedServer(bc.on).Handler()
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/things/7", nil))
			}
		})
	}
}
