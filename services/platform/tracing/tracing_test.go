package tracing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/rocketmart/rocketmart/services/platform/tracing"
	"github.com/rocketmart/rocketmart/services/platform/tracing/tracingtest"
)

// resetGlobals puts OpenTelemetry's globals back to off when the test ends.
func resetGlobals(t *testing.T) {
	t.Cleanup(func() {
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// On, spans go over OTLP/HTTP to <endpoint>/v1/traces under the service's
// name, the W3C propagator is set, and a statement outside any request
// (a root client span) starts no trace.
func TestStartExportsOverOTLP(t *testing.T) {
	resetGlobals(t)
	recv := tracingtest.NewReceiver(t)
	tr, err := tracing.Start(context.Background(), "shop", recv.URL+"/", nil)
	if err != nil || !tr.Enabled() {
		t.Fatalf("Start = %v, %v; want tracing on", tr, err)
	}
	tracer := otel.Tracer("test")
	ctx, req := tracer.Start(context.Background(), "GET /things", trace.WithSpanKind(trace.SpanKindServer))
	_, sql := tracer.Start(ctx, "SELECT inside the request", trace.WithSpanKind(trace.SpanKindClient))
	sql.End()
	req.End()
	_, sweep := tracer.Start(context.Background(), "SELECT of a sweeper", trace.WithSpanKind(trace.SpanKindClient))
	sweep.End()
	if sweep.SpanContext().IsSampled() {
		t.Error("a root client span (a statement outside any request) is sampled")
	}
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	if !strings.HasPrefix(carrier["traceparent"], "00-"+req.SpanContext().TraceID().String()) {
		t.Errorf("injected %v, want the request's W3C traceparent", carrier)
	}
	var sent http.Header
	call := tracing.Transport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent = r.Header
		return &http.Response{StatusCode: 204, Body: http.NoBody}, nil
	}))
	out, _ := http.NewRequestWithContext(ctx, "GET", "http://payment/api/v1/charges/x", nil)
	resp, err := call.RoundTrip(out)
	if err != nil || !strings.Contains(sent.Get("traceparent"), req.SpanContext().TraceID().String()) {
		t.Fatalf("an outgoing call sent traceparent %q (err %v), want one in trace %s", sent.Get("traceparent"), err, req.SpanContext().TraceID())
	}
	resp.Body.Close() // ends the client span
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := call.RoundTrip(out); err != nil || sent.Get("traceparent") != "" {
		t.Errorf("after Shutdown a call still sent traceparent %q", sent.Get("traceparent"))
	}
	var names []string
	for _, s := range recv.Spans() {
		if s.Service == "shop" {
			names = append(names, s.Name)
		}
	}
	if got, want := strings.Join(names, ","), "SELECT inside the request,GET /things,GET payment/api/v1/charges/x"; got != want {
		t.Errorf("received %v, want spans %q of service shop", recv.Spans(), want)
	}
}

// Off, Start changes nothing: the global provider stays a no-op and no
// traceparent is written.
func TestStartOff(t *testing.T) {
	resetGlobals(t)
	tr, err := tracing.Start(context.Background(), "shop", "", nil)
	if err != nil || tr.Enabled() || tr.Shutdown(context.Background()) != nil {
		t.Fatalf("Start(\"\") = %v, %v; want tracing off", tr, err)
	}
	ctx, span := otel.Tracer("test").Start(context.Background(), "x", trace.WithSpanKind(trace.SpanKindServer))
	defer span.End()
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	if span.IsRecording() || len(carrier) != 0 {
		t.Errorf("tracing off: span recording %v, injected %v", span.IsRecording(), carrier)
	}
}

func TestLogHandler(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	ctx, span := tp.Tracer("test").Start(context.Background(), "request")
	defer span.End()
	id := span.SpanContext().TraceID().String()
	unsampled := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: span.SpanContext().TraceID(), SpanID: span.SpanContext().SpanID()}))

	for _, tt := range []struct {
		name string
		log  func(*slog.Logger)
		want string // the trace_id values on the line, comma-separated
	}{
		{"in a span", func(l *slog.Logger) { l.InfoContext(ctx, "x") }, id},
		{"without a context", func(l *slog.Logger) { l.Info("x") }, ""},
		{"outside a span", func(l *slog.Logger) { l.InfoContext(context.Background(), "x") }, ""},
		{"in an unsampled span", func(l *slog.Logger) { l.InfoContext(unsampled, "x") }, ""},
		{"logger bound to the span", func(l *slog.Logger) { l.With(tracing.TraceAttrs(ctx)...).InfoContext(ctx, "x") }, id},
		{"bound, then grouped", func(l *slog.Logger) {
			l.With(tracing.TraceAttrs(ctx)...).WithGroup("g").InfoContext(ctx, "x", "k", 1)
		}, id},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(slog.New(tracing.LogHandler(slog.NewJSONHandler(&buf, nil))))
			if got := strings.Count(buf.String(), `"trace_id"`); tt.want == "" && got != 0 || tt.want != "" && got != 1 {
				t.Fatalf("line %s has %d trace_id, want %v", buf.String(), got, tt.want != "")
			}
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatal(err)
			}
			if got, _ := line["trace_id"].(string); got != tt.want {
				t.Errorf("trace_id = %q, want %q (line %s)", got, tt.want, buf.String())
			}
		})
	}
}

// A receiver that hangs does not hold a stopping program for the
// exporter's timeout and retries: Shutdown gives up after its 5 s.
func TestShutdownIsBounded(t *testing.T) {
	resetGlobals(t)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	tr, err := tracing.Start(context.Background(), "shop", srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, span := otel.Tracer("test").Start(context.Background(), "GET /things", trace.WithSpanKind(trace.SpanKindServer))
	span.End()
	began := time.Now()
	err = tr.Shutdown(context.Background())
	if took := time.Since(began); took > 8*time.Second {
		t.Errorf("Shutdown took %v, want about 5 s at most", took)
	}
	if err == nil {
		t.Error("Shutdown reported no error although the spans could not be sent")
	}
}
