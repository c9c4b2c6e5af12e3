// Package tracing turns OpenTelemetry on for a RocketMart program: W3C trace
// context in and out (HTTP headers, message properties), spans exported over
// OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT, and the trace id on log lines.
//
// Off is the default and costs nothing: Start with no endpoint leaves
// OpenTelemetry's global tracer provider a no-op and its propagator empty,
// and the platform packages install their instrumentation (the gin
// middleware, the gorm plugin) only when Start turned tracing on;
// svcclient's transport checks one atomic flag per call. Only mq's
// hand-written message spans still ask the no-op provider while off, next to
// a broker round trip (BenchmarkTransport and httpserver's BenchmarkRequest
// measure the rest).
//
// The instrumentation is OpenTelemetry's own (otelgin, otelhttp, gorm's
// plugin) and uses the global provider and propagator, which Start sets once
// per process. Message spans are written in platform/mq, the only code that
// imports the RocketMQ client, because no instrumentation exists for it.
package tracing

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// EndpointVar names the variable that turns tracing on: the base URL of an
// OTLP/HTTP receiver (Jaeger all-in-one's :4318, a collector); spans go to
// <endpoint>/v1/traces.
const EndpointVar = "OTEL_EXPORTER_OTLP_ENDPOINT"

// enabled mirrors what Start did to OpenTelemetry's process-wide globals,
// for the instrumentation built before Start ran (Transport).
var enabled atomic.Bool

// Tracing is a program's tracing, on or off. The zero value and nil are off.
type Tracing struct {
	tp *sdktrace.TracerProvider
}

// Start turns tracing on for the program called service when endpoint is
// set (an http(s) base URL, checked by the program's configuration), and
// does nothing (tracing off) when it is empty. On, it sets
// OpenTelemetry's global tracer provider (spans batched to
// endpoint/v1/traces, every trace sampled unless the caller's traceparent
// says not to; statements and calls outside any request or message start
// no trace) and the W3C trace-context propagator, and reports export
// failures on log. Call Shutdown when the program stops: it sends the
// spans still in the batch.
//
// The batch's timing follows the SDK's OTEL_BSP_* variables (a test sets
// OTEL_BSP_SCHEDULE_DELAY to see spans sooner than the default 5 s).
func Start(ctx context.Context, service, endpoint string, log *slog.Logger) (*Tracing, error) {
	if endpoint == "" {
		return &Tracing{}, nil
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(strings.TrimRight(endpoint, "/")+"/v1/traces"))
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter for %s: %w", endpoint, err)
	}
	res := resource.NewSchemaless(semconv.ServiceName(service), semconv.ServiceNamespace("rocketmart"))
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(rootSampler{})),
	)
	if log != nil {
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
			log.Warn("tracing: OpenTelemetry reported an error (spans may be lost)", "error", err)
		}))
	}
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(Propagator())
	enabled.Store(true)
	return &Tracing{tp: tp}, nil
}

// rootSampler decides the spans that start a trace. Requests (server spans)
// and messages (producer and consumer spans) do; a statement or a call made
// outside any request or delivery (migrations at start-up, the sweepers'
// rounds every minute) does not, or the viewer would list a one-span trace
// for each. Spans inside a trace follow their parent (ParentBased).
type rootSampler struct{}

func (rootSampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	decision := sdktrace.RecordAndSample
	if p.Kind == trace.SpanKindClient || p.Kind == trace.SpanKindInternal {
		decision = sdktrace.Drop
	}
	return sdktrace.SamplingResult{Decision: decision, Tracestate: trace.SpanContextFromContext(p.ParentContext).TraceState()}
}

func (rootSampler) Description() string { return "RocketMartRoots{server,producer,consumer}" }

// Propagator is how trace context travels: W3C traceparent and tracestate,
// plus baggage, in HTTP headers and message properties alike.
func Propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// Enabled reports whether Start turned tracing on.
func (t *Tracing) Enabled() bool { return t != nil && t.tp != nil }

// shutdownTimeout bounds Shutdown: an unreachable receiver must not hold a
// stopping program for the exporter's timeouts and retries (30 s in
// TestShutdownIsBounded without it).
const shutdownTimeout = 5 * time.Second

// Shutdown sends the spans still batched, for at most 5 s, and stops
// exporting. It is a no-op when tracing is off.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	enabled.Store(false)
	ctx, cancel := context.WithTimeout(ctx, shutdownTimeout)
	defer cancel()
	if err := t.tp.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing: shutdown: %w", err)
	}
	return nil
}
