package mq

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Subscription declares one consumer of a service: its group consumes
// Topic with Handler. A service lists its subscriptions in one table
// (internal/events.Subscriptions) and starts them with StartConsumers.
type Subscription struct {
	Group   string // the consumer group: its offsets, retries and dead-letter queue
	Topic   string
	Handler Handler
}

// Consumers are the running consumers of a service's subscriptions.
type Consumers struct {
	started []io.Closer
}

// StartConsumers starts one consumer per subscription, each in its own
// group, with the same options. When one fails to start, the ones already
// started are closed and the error names the subscription, so a service
// never runs with half of its consumers. Close the result on shutdown.
func StartConsumers(ctx context.Context, cfg Config, opts ConsumerOptions, subs ...Subscription) (*Consumers, error) {
	return startEach(subs, func(s Subscription) (io.Closer, error) {
		return StartConsumer(ctx, cfg, s.Group, s.Topic, s.Handler, opts)
	})
}

// startEach is StartConsumers without the broker, so that the clean-up on a
// failed start can be tested.
func startEach(subs []Subscription, start func(Subscription) (io.Closer, error)) (*Consumers, error) {
	cs := &Consumers{}
	for _, s := range subs {
		if s.Group == "" || s.Topic == "" || s.Handler == nil {
			return nil, errors.Join(fmt.Errorf("mq: subscription %+v needs a group, a topic and a handler", s), cs.Close())
		}
		c, err := start(s)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("mq: consume %s as %s: %w", s.Topic, s.Group, err), cs.Close())
		}
		cs.started = append(cs.started, c)
	}
	return cs, nil
}

// Close stops every consumer, last started first, and joins their errors.
func (cs *Consumers) Close() error {
	var errs []error
	for i := len(cs.started) - 1; i >= 0; i-- {
		errs = append(errs, cs.started[i].Close())
	}
	cs.started = nil
	return errors.Join(errs...)
}

// EventHandler returns the Handler every consumer of a RocketMart event
// needs, so that the mapping from results to outcomes is written once:
//
//   - a body decode refuses is poison: it can never be processed;
//   - apply's error of kind apperr.Invalid is poison too: the domain refused
//     the event's content, and a retry would be refused again;
//   - anything else passes through unchanged: nil acknowledges, an error
//     wrapping apperr.ErrAlreadyApplied is a duplicate, and any other error
//     is retried by the broker.
//
// decode is the event contract's decoder (contracts.Decode).
func EventHandler[E any](decode func(body []byte, ev *E) error, apply func(ctx context.Context, d Delivery, ev E) error) Handler {
	return func(ctx context.Context, d Delivery) error {
		var ev E
		if err := decode(d.Body, &ev); err != nil {
			return Poison(err)
		}
		err := apply(ctx, d, ev)
		if err != nil && apperr.KindOf(err) == apperr.Invalid {
			return Poison(err)
		}
		return err
	}
}
