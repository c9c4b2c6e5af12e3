// Package events connects the order domain to RocketMQ: the transactional
// ORDER_PAID and ORDER_CANCELLED producers with their check-backs, the
// delayed ORDER_TIMEOUT producer, and the ORDER_TIMEOUT consumer.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// DefaultDelayLevels are RocketMQ's 18 standard delay levels, the broker's
// default (messageDelayLevel).
var DefaultDelayLevels = []time.Duration{
	time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 3 * time.Minute, 4 * time.Minute, 5 * time.Minute, 6 * time.Minute,
	7 * time.Minute, 8 * time.Minute, 9 * time.Minute, 10 * time.Minute, 20 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour,
}

// Checks answers check-backs; the domain Service implements it.
type Checks interface {
	CheckPaid(ctx context.Context, txID, orderNo string) ordering.TxOutcome
	CheckCancelled(ctx context.Context, txID string) ordering.TxOutcome
}

// Publisher implements ordering.Publisher with two transactional producers
// (one stable group per event, as check-backs go to the group) and a plain
// producer for the delayed timeout.
type Publisher struct {
	paid      *mq.TxProducer
	cancelled *mq.TxProducer
	timeout   *mq.Producer
	levels    []time.Duration
	now       func() time.Time
}

var _ ordering.Publisher = (*Publisher)(nil)

// NewPublisher starts the producers. levels are the broker's delay levels
// (nil: DefaultDelayLevels); checks answers the check-backs.
func NewPublisher(ctx context.Context, cfg mq.Config, levels []time.Duration, checks Checks) (*Publisher, error) {
	if len(levels) == 0 {
		levels = DefaultDelayLevels
	}
	p := &Publisher{levels: levels, now: time.Now}
	var err error
	p.paid, err = mq.NewTxProducer(ctx, cfg, contracts.ProducerOrderPaidTx, contracts.TopicOrderPaid,
		func(ctx context.Context, c mq.Check) mq.TxState {
			return toState(checks.CheckPaid(ctx, c.TransactionID, orderNoOf(c.Delivery)))
		})
	if err != nil {
		return nil, fmt.Errorf("events: ORDER_PAID producer: %w", err)
	}
	p.cancelled, err = mq.NewTxProducer(ctx, cfg, contracts.ProducerOrderCancelledTx, contracts.TopicOrderCancelled,
		func(ctx context.Context, c mq.Check) mq.TxState {
			return toState(checks.CheckCancelled(ctx, c.TransactionID))
		})
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("events: ORDER_CANCELLED producer: %w", err)
	}
	p.timeout, err = mq.NewProducer(ctx, cfg, contracts.ProducerOrderTimeout)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("events: ORDER_TIMEOUT producer: %w", err)
	}
	return p, nil
}

// Close stops every producer it started.
func (p *Publisher) Close() error {
	var errs []error
	if p.paid != nil {
		errs = append(errs, p.paid.Close())
	}
	if p.cancelled != nil {
		errs = append(errs, p.cancelled.Close())
	}
	if p.timeout != nil {
		errs = append(errs, p.timeout.Close())
	}
	return errors.Join(errs...)
}

// PublishPaid sends ORDER_PAID as a half message keyed by the order number.
func (p *Publisher) PublishPaid(ctx context.Context, ev contracts.OrderPaid, local ordering.LocalTx) (ordering.TxOutcome, error) {
	return publish(ctx, p.paid, contracts.TopicOrderPaid, ev.OrderNo, ev, local)
}

// PublishCancelled sends ORDER_CANCELLED as a half message.
func (p *Publisher) PublishCancelled(ctx context.Context, ev contracts.OrderCancelled, local ordering.LocalTx) (ordering.TxOutcome, error) {
	return publish(ctx, p.cancelled, contracts.TopicOrderCancelled, ev.OrderNo, ev, local)
}

func publish(ctx context.Context, tp *mq.TxProducer, topic, key string, ev any, local ordering.LocalTx) (ordering.TxOutcome, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return 0, fmt.Errorf("events: encode %s: %w", topic, err)
	}
	msg := mq.Message{Topic: topic, Key: key, Body: body, TraceID: httpserver.RequestID(ctx)}
	res, err := tp.Publish(ctx, msg, func(ctx context.Context, txID string) mq.TxState {
		return toState(local(ctx, txID))
	})
	if err != nil {
		return 0, err
	}
	return fromState(res.State), nil
}

// ScheduleTimeout sends ev with the smallest delay level that reaches at;
// past the longest level the consumer schedules it again.
func (p *Publisher) ScheduleTimeout(ctx context.Context, ev contracts.OrderTimeout, at time.Time) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("events: encode ORDER_TIMEOUT: %w", err)
	}
	level := DelayLevel(p.levels, at.Sub(p.now()))
	_, err = p.timeout.Send(ctx, mq.Message{Topic: contracts.TopicOrderTimeout, Key: ev.OrderNo, Body: body,
		TraceID: httpserver.RequestID(ctx), DelayLevel: level})
	return err
}

// DelayLevel returns the 1-based level of the shortest delay not shorter
// than d, or the longest level.
func DelayLevel(levels []time.Duration, d time.Duration) int {
	for i, l := range levels {
		if l >= d {
			return i + 1
		}
	}
	return len(levels)
}

// TimeoutHandler consumes ORDER_TIMEOUT.
func TimeoutHandler(svc interface {
	HandleTimeout(ctx context.Context, ev contracts.OrderTimeout) error
}) mq.Handler {
	return func(ctx context.Context, d mq.Delivery) error {
		var ev contracts.OrderTimeout
		if err := contracts.Decode(d.Body, &ev); err != nil {
			return mq.Poison(err)
		}
		return svc.HandleTimeout(ctx, ev)
	}
}

// orderNoOf reads the order number of a half message: its key, or the body.
func orderNoOf(d mq.Delivery) string {
	if d.Key != "" {
		return d.Key
	}
	var ev struct {
		OrderNo string `json:"orderNo"`
	}
	if err := json.Unmarshal(d.Body, &ev); err != nil {
		return "" // no such order: the check answers rollback
	}
	return ev.OrderNo
}

func toState(o ordering.TxOutcome) mq.TxState {
	switch o {
	case ordering.TxCommit:
		return mq.Commit
	case ordering.TxRollback:
		return mq.Rollback
	}
	return mq.Unknown
}

func fromState(s mq.TxState) ordering.TxOutcome {
	switch s {
	case mq.Commit:
		return ordering.TxCommit
	case mq.Rollback:
		return ordering.TxRollback
	}
	return ordering.TxUnknown
}
