package tracing_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/rocketmart/rocketmart/services/platform/tracing"
)

// stub answers every call at once, so a benchmark measures the transport's
// own work, not a network.
type stub struct{}

func (stub) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}")), Header: http.Header{}}, nil
}

// BenchmarkTransport is the cost of svcclient's instrumentation per call:
// "off" is what every service pays when OTEL_EXPORTER_OTLP_ENDPOINT is
// unset, next to no instrumentation at all ("bare") and to OpenTelemetry's
// transport over the no-op provider ("otelhttp-noop", what "off" avoids).
// The README quotes it.
func BenchmarkTransport(b *testing.B) {
	for _, bc := range []struct {
		name string
		rt   http.RoundTripper
	}{{"bare", stub{}}, {"off", tracing.Transport(stub{})}, {"otelhttp-noop", otelhttp.NewTransport(stub{})}} {
		b.Run(bc.name, func(b *testing.B) {
			req, _ := http.NewRequest("GET", "http://inventory/api/v1/products", nil)
			b.ReportAllocs()
			for b.Loop() {
				resp, err := bc.rt.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
		})
	}
}
