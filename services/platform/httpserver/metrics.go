package httpserver

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are registered on the Server's own registry rather than the
// Prometheus default one, so several Servers (tests, or two in one process)
// never collide and nothing is registered as an import side effect.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests served, by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "HTTP request latency, by method and route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration) // a fresh registry cannot hold duplicates
	return m
}

// unmatchedRoute labels requests no route matched; using the raw path
// instead would let any client create unbounded label values.
const unmatchedRoute = "unmatched"

// methodLabel keeps the method label bounded for the same reason.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	default:
		return "OTHER"
	}
}
