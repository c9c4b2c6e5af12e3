package tracing

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// LogKeyTraceID is the log attribute that carries the OpenTelemetry trace id
// (32 hex digits), the id a trace viewer finds the trace by.
const LogKeyTraceID = "trace_id"

// LogHandler wraps h so that a line logged with a context (InfoContext,
// LogAttrs) inside a sampled span (one the viewer will show) carries
// trace_id and span_id, unless the logger
// already carries a trace_id (a request's or a delivery's logger, bound to
// its span, which TraceAttrs gives). Lines outside a span are unchanged.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{inner: h} }

type logHandler struct {
	inner slog.Handler
	bound bool // a trace_id is among the logger's own attributes
}

func (h logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if !h.bound && ctx != nil {
		if sc := trace.SpanContextFromContext(ctx); sc.IsSampled() {
			r = r.Clone()
			r.AddAttrs(slog.String(LogKeyTraceID, sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
		}
	}
	return h.inner.Handle(ctx, r)
}

func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	bound := h.bound
	for _, a := range attrs {
		bound = bound || a.Key == LogKeyTraceID
	}
	return logHandler{inner: h.inner.WithAttrs(attrs), bound: bound}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{inner: h.inner.WithGroup(name), bound: h.bound}
}

// TraceAttrs returns the trace_id attribute of ctx's span, for a logger
// bound to one span (logger.With(tracing.TraceAttrs(ctx)...)); none outside
// a sampled span, so nothing is added while tracing is off.
func TraceAttrs(ctx context.Context) []any {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsSampled() {
		return nil
	}
	return []any{slog.String(LogKeyTraceID, sc.TraceID().String())}
}
