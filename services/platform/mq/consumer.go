package mq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/tracing"
)

// ErrPoison is the handler outcome "this message can never be processed"
// (undecodable, invalid): it is logged and acknowledged, never retried.
var ErrPoison = errors.New("poison message")

// Poison marks err as a reason never to retry a message.
func Poison(err error) error { return fmt.Errorf("%w: %w", ErrPoison, err) }

// Handler processes one delivery. nil acknowledges it; an error wrapping
// apperr.ErrAlreadyApplied (counted as a duplicate: the inbox claim or the
// domain found the effect applied before) or ErrPoison acknowledges it too; any other error asks the
// broker to redeliver later with back-off, and past the maximum number of
// attempts the message goes to the group's dead-letter queue.
type Handler func(ctx context.Context, d Delivery) error

// ConsumerOptions tune retries.
type ConsumerOptions struct {
	// MaxReconsumeTimes is how many redeliveries happen before the dead-letter
	// queue; 0 means Apache's default, 16.
	MaxReconsumeTimes int32
	// RetryDelayLevel is the delay level of the next attempt; 0 means the
	// broker's back-off (level 3 + attempts: 10s, 30s, 1m, 2m, …).
	RetryDelayLevel int
	// Observe, when set, is told every outcome (the Outcome constants).
	Observe func(topic, outcome string)
	// Record, when set, is told every delivery handled, after the handler
	// returned (its transaction has ended) and before the acknowledgement:
	// program.App writes it to the service's journal.
	Record func(ctx context.Context, h Handled)
	// Metrics, when set, counts every outcome by group, topic and outcome.
	Metrics *ConsumerMetrics
}

// Handled is one delivery a consumer handled, as ConsumerOptions.Record
// sees it.
type Handled struct {
	Group    string
	Delivery Delivery
	// Outcome is one of the Outcome constants.
	Outcome string
	// Err is the handler's error (nil when processed), or the panic.
	Err error
}

// maxReconsumeTimes is the attempts the broker allows after the first.
func (o ConsumerOptions) maxReconsumeTimes() int32 {
	if o.MaxReconsumeTimes > 0 {
		return o.MaxReconsumeTimes
	}
	return defaultMaxReconsumeTimes
}

// defaultMaxReconsumeTimes is Apache's and the client's default.
const defaultMaxReconsumeTimes = 16

// Consumer is a clustering push consumer of one group.
type Consumer struct {
	pc    rocketmq.PushConsumer
	boot  rocketmq.Producer
	group string
	log   *slog.Logger
	opts  ConsumerOptions
}

// clientBootDelay is how long a client instance runs before its consumer
// registers; see bootInstance.
const clientBootDelay = 100 * time.Millisecond

// bootInstance starts the client instance a consumer will share, through a
// producer of the same instance name, and lets it run briefly. v2.1.2 reads
// subscription data in a route refresh 10 ms after an instance starts while
// the consumer's first rebalance writes it, without a lock (upstream issue
// apache/rocketmq-client-go#961); when the instance is already running, the
// consumer's Start does not schedule that refresh. The instance is
// reference-counted, so the producer and the consumer share it safely.
func bootInstance(ctx context.Context, ns primitive.NsResolver, instance, group string) (rocketmq.Producer, error) {
	p, err := rocketmq.NewProducer(producer.WithNsResolver(ns), producer.WithInstanceName(instance),
		producer.WithGroupName(group+"-boot"))
	if err != nil {
		return nil, err
	}
	if err := p.Start(); err != nil {
		return nil, err
	}
	t := time.NewTimer(clientBootDelay)
	defer t.Stop()
	select {
	case <-t.C:
		return p, nil
	case <-ctx.Done():
		p.Shutdown()
		return nil, ctx.Err()
	}
}

// NewConsumer creates a consumer in group; Subscribe, then Start.
func NewConsumer(ctx context.Context, cfg Config, group string, opts ConsumerOptions) (*Consumer, error) {
	ns, err := cfg.resolver(ctx)
	if err != nil {
		return nil, err
	}
	instance := cfg.instanceName("consumer", group)
	boot, err := bootInstance(ctx, ns, instance, group)
	if err != nil {
		return nil, fmt.Errorf("mq: start client instance for consumer %s: %w", group, err)
	}
	copts := []consumer.Option{
		consumer.WithNsResolver(ns), consumer.WithGroupName(group), consumer.WithInstance(instance),
		consumer.WithConsumerModel(consumer.Clustering), consumer.WithConsumeMessageBatchMaxSize(1),
	}
	copts = append(copts, consumer.WithMaxReconsumeTimes(opts.maxReconsumeTimes()))
	pc, err := rocketmq.NewPushConsumer(copts...)
	if err != nil {
		boot.Shutdown()
		return nil, fmt.Errorf("mq: new consumer %s: %w", group, err)
	}
	return &Consumer{pc: pc, boot: boot, group: group, log: cfg.logger().With("consumer_group", group), opts: opts}, nil
}

// Subscribe routes every message of topic to h.
func (c *Consumer) Subscribe(topic string, h Handler) error {
	err := c.pc.Subscribe(topic, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		for _, m := range msgs {
			if !c.handle(ctx, h, m) {
				if cc, ok := primitive.GetConcurrentlyCtx(ctx); ok && c.opts.RetryDelayLevel > 0 {
					cc.DelayLevelWhenNextConsume = c.opts.RetryDelayLevel
				}
				return consumer.ConsumeRetryLater, nil
			}
		}
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		return fmt.Errorf("mq: subscribe %s to %s: %w", c.group, topic, err)
	}
	return nil
}

// handle runs h and reports whether the message is done (acknowledged).
// The delivery has its own span, a child of the message's send span (see
// trace.go); h runs inside it.
func (c *Consumer) handle(ctx context.Context, h Handler, m *primitive.MessageExt) (done bool) {
	d := fromClient(m)
	ctx, span := startReceived(ctx, m, "process", semconv.MessagingConsumerGroupName(c.group),
		semconv.MessagingOperationTypeProcess, reconsumeAttr(d.ReconsumeTimes))
	log := c.log.With("topic", d.Topic, "msg_id", d.MsgID, "key", d.Key, "request_id", d.TraceID, "reconsume_times", d.ReconsumeTimes)
	log = log.With(tracing.TraceAttrs(ctx)...)
	outcome := OutcomeFailed
	var err error
	defer func() {
		span.SetAttributes(attrOutcome.String(outcome))
		if outcome == OutcomeProcessed || outcome == OutcomeDuplicate {
			err = nil // a duplicate is a success: the effect is there
		}
		endWith(span, err)
	}()
	defer func() {
		if r := recover(); r != nil {
			log.Error("handler panicked; will retry", "panic", r, "stack", string(debug.Stack()))
			outcome, done, err = OutcomeFailed, false, fmt.Errorf("handler panicked: %v", r)
		}
		if !done && d.ReconsumeTimes >= c.opts.maxReconsumeTimes() {
			outcome = OutcomeDeadLettered
			log.Error("message failed its last attempt; the broker moves it to the dead-letter queue %DLQ%" + c.group)
		}
		if c.opts.Observe != nil {
			c.opts.Observe(d.Topic, outcome)
		}
		c.opts.Metrics.observe(c.group, d.Topic, outcome)
		if c.opts.Record != nil {
			c.opts.Record(ctx, Handled{Group: c.group, Delivery: d, Outcome: outcome, Err: err})
		}
	}()
	err = h(ctx, d)
	switch {
	case err == nil:
		outcome = OutcomeProcessed
		log.Info("message processed")
		return true
	case errors.Is(err, apperr.ErrAlreadyApplied): // the one place it becomes an outcome
		outcome = OutcomeDuplicate
		log.Info("duplicate message acknowledged without effect")
		return true
	case errors.Is(err, ErrPoison):
		outcome = OutcomePoison
		log.Error("poison message acknowledged without effect", "err", err)
		return true
	default:
		log.Warn("message failed; the broker will redeliver it", "err", err)
		return false
	}
}

// StartConsumer creates a consumer in group that routes topic to h and
// starts it: the whole life of a one-topic consumer but Close.
func StartConsumer(ctx context.Context, cfg Config, group, topic string, h Handler, opts ConsumerOptions) (*Consumer, error) {
	c, err := NewConsumer(ctx, cfg, group, opts)
	if err != nil {
		return nil, err
	}
	if err := c.Subscribe(topic, h); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.Start(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Start begins consuming. Topics must exist: minirmq answers a route for any
// topic, Apache only for created ones (auto-creation happens on a first
// send; deploy/rocketmq/create-topics.sh creates them for docker compose).
func (c *Consumer) Start() error {
	if err := c.pc.Start(); err != nil {
		return fmt.Errorf("mq: start consumer %s: %w", c.group, err)
	}
	return nil
}

// Close stops consuming, persists offsets and releases the client instance.
func (c *Consumer) Close() error {
	return errors.Join(c.pc.Shutdown(), c.boot.Shutdown())
}
