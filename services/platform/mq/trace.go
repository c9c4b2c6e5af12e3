package mq

import (
	"context"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// Message spans are written here by hand: no OpenTelemetry instrumentation
// exists for rocketmq-client-go. The trace context travels as message
// properties (traceparent, tracestate: W3C trace context, the names OTel's
// propagator gives them), so a consumer's span is a child of the send span
// of the message it handles, and a check-back's span a child of the send
// span of its half message (the broker keeps the half message's
// properties). With tracing off the global provider is a no-op and the
// global propagator empty: no span is recorded and no property is added.

// tracerName is this adapter's instrumentation scope.
const tracerName = "github.com/rocketmart/rocketmart/services/platform/mq"

// Attribute keys RocketMQ's semantic conventions do not name.
const (
	attrTxID      = attribute.Key("messaging.rocketmq.transaction_id")
	attrTxState   = attribute.Key("messaging.rocketmq.transaction_state")
	attrCheckTime = attribute.Key("messaging.rocketmq.check_times")
	attrOutcome   = attribute.Key("rocketmart.consume.outcome")
)

func tracer() trace.Tracer { return otel.Tracer(tracerName) }

// props lets the propagator read and write a message's properties.
type props struct{ m *primitive.Message }

func (p props) Get(key string) string { return p.m.GetProperty(key) }
func (p props) Set(key, value string) { p.m.WithProperty(key, value) }
func (p props) Keys() []string {
	all := p.m.GetProperties()
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	return keys
}

// startSend starts the producer span of pm (topic "send") and writes its
// context into pm's properties.
func startSend(ctx context.Context, pm *primitive.Message, transactional bool) (context.Context, trace.Span) {
	name := pm.Topic + " send"
	ctx, span := tracer().Start(ctx, name, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(messageAttrs(pm.Topic, pm.GetKeys())...),
		trace.WithAttributes(attribute.Bool("messaging.rocketmq.transactional", transactional),
			semconv.MessagingOperationTypeSend))
	otel.GetTextMapPropagator().Inject(ctx, props{pm})
	return ctx, span
}

// startReceived starts a span for a message the broker handed this process
// (a delivery, a check-back) as a child of the span that sent it.
func startReceived(ctx context.Context, m *primitive.MessageExt, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	ctx = otel.GetTextMapPropagator().Extract(ctx, props{&m.Message})
	attrs = append(attrs, messageAttrs(m.Topic, m.GetKeys())...)
	return tracer().Start(ctx, m.Topic+" "+name, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attrs...), trace.WithAttributes(semconv.MessagingMessageID(m.MsgId)))
}

func messageAttrs(topic, keys string) []attribute.KeyValue {
	return []attribute.KeyValue{
		semconv.MessagingSystemRocketMQ, semconv.MessagingDestinationName(topic),
		semconv.MessagingRocketMQMessageKeys(keys),
	}
}

// endWith ends span, marked as an error when err is not nil.
func endWith(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

func txAttrs(txID string, state TxState) []attribute.KeyValue {
	return []attribute.KeyValue{attrTxID.String(txID), attrTxState.String(state.String())}
}

func reconsumeAttr(n int32) attribute.KeyValue {
	return attribute.Key("messaging.rocketmq.reconsume_times").Int(int(n))
}
