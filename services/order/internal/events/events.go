// Package events connects the order domain to RocketMQ: the declarations of
// the transactional ORDER_PAID, ORDER_CANCELLED and ORDER_REFUNDED events
// (answered at check-back time by ordering.Checks), the delayed
// ORDER_TIMEOUT producer, and the consumers: ORDER_TIMEOUT, logistics'
// SHIPMENT_SHIPPED and SHIPMENT_DELIVERED, and the order's own
// ORDER_REFUNDED (consumers.go).
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/txmsg"
)

// DefaultDelayLevels are RocketMQ's 18 standard delay levels, the broker's
// default (messageDelayLevel).
var DefaultDelayLevels = []time.Duration{
	time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 3 * time.Minute, 4 * time.Minute, 5 * time.Minute, 6 * time.Minute,
	7 * time.Minute, 8 * time.Minute, 9 * time.Minute, 10 * time.Minute, 20 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour,
}

// Producers are the order service's producers: one transactional producer
// per transactional event (check-backs go to the event's group) and a plain
// one for the delayed timeout.
type Producers struct {
	paid      *txmsg.Producer[contracts.OrderPaid]
	cancelled *txmsg.Producer[contracts.OrderCancelled]
	refunded  *txmsg.Producer[contracts.OrderRefunded]
	timeout   *mq.Producer
	levels    []time.Duration
	now       func() time.Time
}

// StartProducers declares the transactional events, answered at check-back
// time by checks, and starts every producer. levels are the broker's delay
// levels (nil: DefaultDelayLevels). ORDER_PAID gets the half-message fault
// points pay.after-half, pay.after-commit, pay.end-transaction and
// pay.check-back on set (the service's fault switches; nil: none);
// ORDER_CANCELLED and ORDER_REFUNDED get none. All record their half messages' steps in j
// (the service's journal; nil: none). Close them on shutdown.
func StartProducers(ctx context.Context, cfg mq.Config, checks *ordering.Checks, levels []time.Duration, set *faults.Set, j *journal.Journal) (*Producers, error) {
	if len(levels) == 0 {
		levels = DefaultDelayLevels
	}
	p := &Producers{levels: levels, now: time.Now}
	var err error
	p.paid, err = txmsg.Start(ctx, cfg, txmsg.Event[contracts.OrderPaid]{
		Topic: contracts.TopicOrderPaid, Group: contracts.ProducerOrderPaidTx,
		Key: func(ev contracts.OrderPaid) string { return ev.OrderNo }, Check: checks.Paid,
		Faults: set, FaultPrefix: "pay", Journal: j,
	})
	if err != nil {
		return nil, fmt.Errorf("events: ORDER_PAID producer: %w", err)
	}
	p.cancelled, err = txmsg.Start(ctx, cfg, txmsg.Event[contracts.OrderCancelled]{
		Topic: contracts.TopicOrderCancelled, Group: contracts.ProducerOrderCancelledTx,
		Key: func(ev contracts.OrderCancelled) string { return ev.OrderNo }, Check: checks.Cancelled, Journal: j,
	})
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("events: ORDER_CANCELLED producer: %w", err)
	}
	p.refunded, err = txmsg.Start(ctx, cfg, txmsg.Event[contracts.OrderRefunded]{
		Topic: contracts.TopicOrderRefunded, Group: contracts.ProducerOrderRefundedTx,
		Key: func(ev contracts.OrderRefunded) string { return ev.OrderNo }, Check: checks.Refunded, Journal: j,
	})
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("events: ORDER_REFUNDED producer: %w", err)
	}
	p.timeout, err = mq.NewProducer(ctx, cfg, contracts.ProducerOrderTimeout)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("events: ORDER_TIMEOUT producer: %w", err)
	}
	return p, nil
}

// Events hands the producers to the domain.
func (p *Producers) Events() ordering.Events {
	return ordering.Events{Paid: p.paid, Cancelled: p.cancelled, Refunded: p.refunded, Timeouts: p}
}

// Close stops every producer it started.
func (p *Producers) Close() error {
	var errs []error
	if p.paid != nil {
		errs = append(errs, p.paid.Close())
	}
	if p.cancelled != nil {
		errs = append(errs, p.cancelled.Close())
	}
	if p.refunded != nil {
		errs = append(errs, p.refunded.Close())
	}
	if p.timeout != nil {
		errs = append(errs, p.timeout.Close())
	}
	return errors.Join(errs...)
}

// ScheduleTimeout sends ev with the smallest delay level that reaches at;
// past the longest level the consumer schedules it again.
func (p *Producers) ScheduleTimeout(ctx context.Context, ev contracts.OrderTimeout, at time.Time) error {
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
