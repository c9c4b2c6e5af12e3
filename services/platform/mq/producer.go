package mq

import (
	"context"
	"fmt"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// Producer sends plain and delayed messages synchronously.
type Producer struct {
	p rocketmq.Producer
}

// NewProducer starts a producer in group.
func NewProducer(ctx context.Context, cfg Config, group string) (*Producer, error) {
	ns, err := cfg.resolver(ctx)
	if err != nil {
		return nil, err
	}
	p, err := rocketmq.NewProducer(producer.WithNsResolver(ns), producer.WithGroupName(group),
		producer.WithInstanceName(cfg.instanceName("producer", group)), producer.WithRetry(2))
	if err != nil {
		return nil, fmt.Errorf("mq: new producer %s: %w", group, err)
	}
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("mq: start producer %s: %w", group, err)
	}
	return &Producer{p: p}, nil
}

// Send publishes msg and returns its message id once the broker stored it.
// The send has its own span (see trace.go), whose context the message
// carries to its consumers.
func (p *Producer) Send(ctx context.Context, msg Message) (id string, err error) {
	pm := msg.toClient()
	ctx, span := startSend(ctx, pm, false)
	if msg.DelayLevel > 0 {
		span.SetAttributes(semconv.MessagingRocketMQMessageDelayTimeLevel(msg.DelayLevel))
	}
	defer func() { span.SetAttributes(semconv.MessagingMessageID(id)); endWith(span, err) }()
	res, err := p.p.SendSync(ctx, pm)
	if err != nil {
		return "", fmt.Errorf("mq: send to %s (key %s): %w", msg.Topic, msg.Key, err)
	}
	if res.Status != primitive.SendOK {
		return "", fmt.Errorf("mq: send to %s (key %s): broker status %d", msg.Topic, msg.Key, res.Status)
	}
	return res.MsgID, nil
}

// Close shuts the producer down.
func (p *Producer) Close() error { return p.p.Shutdown() }
