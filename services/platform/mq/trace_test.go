package mq_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
	"github.com/rocketmart/rocketmart/services/platform/tracing"
)

// recordSpans makes OpenTelemetry's global provider record every span in
// memory (what tracing.Start does with an exporter instead) until the test
// ends.
func recordSpans(t *testing.T) *tracetest.SpanRecorder {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	otel.SetTextMapPropagator(tracing.Propagator())
	t.Cleanup(func() {
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
	return rec
}

// The trace context crosses the broker as a message property: a half
// message sent inside a request's span, left unknown by its local
// transaction and committed by the check-back, gives one trace in which the
// local transaction, the check-back and the delivery are children of the
// send span, and the handler's own work is a child of the delivery. The
// adapter's log lines carry the trace id.
func TestTraceContextCrossesTheBroker(t *testing.T) {
	e := start(t)
	var logs testkit.LogBuffer
	e.cfg.Logger = slog.New(tracing.LogHandler(slog.NewJSONHandler(&logs, nil)))
	ctx := context.Background()

	var committed sync.Map
	p, err := mq.NewTxProducer(ctx, e.cfg, "pg-trace", "T_TRACE", func(_ context.Context, c mq.Check) mq.TxState {
		if _, ok := committed.Load(c.TransactionID); ok {
			return mq.Commit
		}
		return mq.Unknown
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	rec := recordSpans(t) // after the producer's warm-up half message, a trace of its own
	handled := make(chan trace.SpanContext, 1)
	consume(t, e, "cg-trace", "T_TRACE", func(ctx context.Context, d mq.Delivery) error {
		_, span := otel.Tracer("test").Start(ctx, "apply the effect")
		defer span.End()
		if d.Key == "order-1" {
			handled <- span.SpanContext()
		}
		return nil
	}, mq.ConsumerOptions{})

	reqCtx, req := otel.Tracer("test").Start(ctx, "request", trace.WithSpanKind(trace.SpanKindServer))
	res, err := p.Publish(reqCtx, mq.Message{Topic: "T_TRACE", Key: "order-1", Body: []byte("{}")},
		func(_ context.Context, txID string) mq.TxState { committed.Store(txID, true); return mq.Unknown })
	req.End()
	if err != nil || res.State != mq.Unknown {
		t.Fatalf("publish = %+v, %v; want a stored half message left unknown", res, err)
	}
	var inHandler trace.SpanContext
	select {
	case inHandler = <-handled:
	case <-time.After(20 * time.Second):
		t.Fatal("the checked-back message was not delivered")
	}
	testkit.Eventually(t, 5*time.Second, "the delivery span ended", func() bool {
		return len(spansNamed(rec, "T_TRACE process")) == 1
	})

	traceID := req.SpanContext().TraceID()
	send := onlySpan(t, rec, "T_TRACE send")
	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, name := range []string{"T_TRACE local transaction", "T_TRACE check-back", "T_TRACE process"} {
		byName[name] = onlySpan(t, rec, name)
	}
	if send.SpanContext().TraceID() != traceID || send.Parent().SpanID() != req.SpanContext().SpanID() ||
		send.SpanKind() != trace.SpanKindProducer {
		t.Errorf("send span: trace %s parent %s kind %s; want a producer span under the request %s",
			send.SpanContext().TraceID(), send.Parent().SpanID(), send.SpanKind(), req.SpanContext().SpanID())
	}
	for name, s := range byName {
		if s.SpanContext().TraceID() != traceID || s.Parent().SpanID() != send.SpanContext().SpanID() {
			t.Errorf("%s: trace %s parent %s, want a child of the send span %s in trace %s",
				name, s.SpanContext().TraceID(), s.Parent().SpanID(), send.SpanContext().SpanID(), traceID)
		}
	}
	if got, want := attr(byName["T_TRACE check-back"], "messaging.rocketmq.transaction_state"), "commit"; got != want {
		t.Errorf("check-back span's state = %q, want %q", got, want)
	}
	if got, want := attr(byName["T_TRACE process"], "messaging.consumer.group.name"), "cg-trace"; got != want {
		t.Errorf("delivery span's group = %q, want %q", got, want)
	}
	if inHandler.TraceID() != traceID {
		t.Errorf("the handler's span is in trace %s, want %s", inHandler.TraceID(), traceID)
	}
	for _, msg := range []string{"local transaction finished", "answered transaction check", "message processed"} {
		if !logged(logs.String(), msg, traceID.String()) {
			t.Errorf("no %q log line with trace_id %s in:\n%s", msg, traceID, logs.String())
		}
	}
}

// Tracing off (the global no-op provider, no propagator): the message
// carries no traceparent and the logs no trace id.
func TestTracingOffAddsNothing(t *testing.T) {
	e := start(t)
	var logs testkit.LogBuffer
	e.cfg.Logger = slog.New(tracing.LogHandler(slog.NewJSONHandler(&logs, nil)))
	got := make(chan string, 1)
	consume(t, e, "cg-off", "T_OFF", func(_ context.Context, d mq.Delivery) error {
		got <- d.Key
		return nil
	}, mq.ConsumerOptions{})
	p, err := mq.NewProducer(context.Background(), e.cfg, "pg-off")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Send(context.Background(), mq.Message{Topic: "T_OFF", Key: "k", Body: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("not delivered")
	}
	testkit.Eventually(t, 5*time.Second, "the delivery logged", func() bool { return strings.Contains(logs.String(), "message processed") })
	if strings.Contains(logs.String(), "trace_id") || strings.Contains(logs.String(), "traceparent") {
		t.Errorf("tracing off, yet the logs name a trace:\n%s", logs.String())
	}
}

func spansNamed(rec *tracetest.SpanRecorder, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func onlySpan(t *testing.T, rec *tracetest.SpanRecorder, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	found := spansNamed(rec, name)
	if len(found) != 1 {
		t.Fatalf("%d spans named %q, want one", len(found), name)
	}
	return found[0]
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

// logged reports whether a JSON log line with msg carries trace_id.
func logged(logs, msg, traceID string) bool {
	for _, line := range strings.Split(logs, "\n") {
		var l struct {
			Msg     string `json:"msg"`
			TraceID string `json:"trace_id"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == msg && l.TraceID == traceID {
			return true
		}
	}
	return false
}
