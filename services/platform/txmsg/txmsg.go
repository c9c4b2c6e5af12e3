// Package txmsg is the transactional-message kit: a service declares an
// event that is published if and only if a local change commits, and the
// kit does the rest through RocketMQ's transactional messages.
//
// A declaration is an Event: topic, producer group, business key and the
// check-back. Publish then
//
//  1. stores the event as a half message (invisible to consumers),
//  2. runs the local transaction with the message's transaction id, which
//     the local transaction records durably (txlog) with its change,
//  3. commits the message when the local transaction returned nil, rolls it
//     back on any other error, and leaves it undecided on an error of kind
//     apperr.Unavailable ("the outcome is not known yet"),
//
// and when the broker never learned the outcome (undecided, or the process
// died between 2 and 3), the broker asks a live member of the producer group:
// the kit decodes the half message and calls the event's Check, which answers
// from durable state only.
//
// An Event given the service's journal (App.Journal) records the half
// message's steps for the order's timeline: half-sent, local-transaction,
// end-transaction and each check-back (journal.go).
//
// For training workshops an Event may name a faults.Set and a prefix: the
// kit then declares four fault points along the half message's lifecycle
// (<prefix>.after-half, .after-commit, .end-transaction, .check-back; see
// faults.go) that a trainer arms to watch the check-back repair each
// failure.
//
// The domain never sees a RocketMQ type: a local transaction is a
// func(ctx, txID) error and a check is a func(ctx, txID, event) (committed
// bool, err error), plain Go that a domain port can declare without
// importing this package.
package txmsg

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// Event declares one kind of transactional event E (a JSON-encodable
// contract struct).
type Event[E any] struct {
	// Topic is where the event is delivered once committed.
	Topic string
	// Group is the producer group. The broker sends check-backs to any live
	// member of the group, so keep it stable and one per kind of event.
	Group string
	// Key returns the event's business key (an order number): the message
	// KEYS, by which the broker's tools find it.
	Key func(E) string
	// Check answers the broker's check-back for the half message of ev with
	// transaction id txID: did its local transaction commit? It must answer
	// from durable state only (a restarted process or another instance of
	// the group answers the same); an error means "not known yet, ask
	// again". It runs on the client's single check goroutine with a short
	// deadline: keep it quick.
	Check func(ctx context.Context, txID string, ev E) (committed bool, err error)
	// Faults and FaultPrefix give the event the training fault points
	// <FaultPrefix>.after-half, .after-commit, .end-transaction and
	// .check-back on Faults (the service's App.Faults), e.g. prefix "pay"
	// for ORDER_PAID. Without Faults the event has no points; Faults
	// without a prefix is refused.
	Faults      *faults.Set
	FaultPrefix string
	// Journal, when set (the service's App.Journal), records the steps of
	// every half message of the event under its key.
	Journal *journal.Journal
}

// Producer publishes the events of one Event declaration.
type Producer[E any] struct {
	decl   Event[E]
	tp     *mq.TxProducer
	log    *slog.Logger
	faults lifecycle
	steps  steps
}

// Start starts the producer of decl: it joins decl.Group and from then on
// answers the broker's check-backs for it. Close it on shutdown.
func Start[E any](ctx context.Context, cfg mq.Config, decl Event[E]) (*Producer[E], error) {
	if decl.Topic == "" || decl.Group == "" || decl.Key == nil || decl.Check == nil {
		return nil, fmt.Errorf("txmsg: event declaration for topic %q group %q needs Topic, Group, Key and Check", decl.Topic, decl.Group)
	}
	if decl.Faults != nil && decl.FaultPrefix == "" {
		return nil, fmt.Errorf("txmsg: event declaration for topic %q has Faults but no FaultPrefix to name its points", decl.Topic)
	}
	p := &Producer[E]{decl: decl, log: cfg.Logger, faults: declareLifecycle(decl.Faults, decl.FaultPrefix, decl.Topic),
		steps: steps{j: decl.Journal, topic: decl.Topic}}
	if p.log == nil {
		p.log = slog.Default()
	}
	tp, err := mq.NewTxProducer(ctx, cfg, decl.Group, decl.Topic, p.check)
	if err != nil {
		return nil, err
	}
	p.tp = tp
	return p, nil
}

// Publish publishes ev if and only if local commits. local runs once, in
// this goroutine, with the half message's transaction id; its error decides
// the message: nil commits, an apperr.Unavailable leaves it to the broker's
// check-back, anything else rolls it back. Publish returns an error only
// when the half message was not stored: then local did not run and nothing
// happened.
func (p *Producer[E]) Publish(ctx context.Context, ev E, local func(ctx context.Context, txID string) error) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("txmsg: encode %s event: %w", p.decl.Topic, err)
	}
	msg := mq.Message{Topic: p.decl.Topic, Key: p.decl.Key(ev), Body: body, TraceID: httpserver.RequestID(ctx)}
	// The journal's steps are recorded between the local transaction's
	// database work, never inside it (the journal's rule).
	_, err = p.tp.Publish(ctx, msg, func(ctx context.Context, txID string) mq.TxState {
		p.steps.halfSent(ctx, msg.Key, txID)
		p.faults.halfStored(ctx)
		err := local(ctx, txID)
		if err != nil {
			p.log.InfoContext(ctx, "local transaction did not commit", "topic", msg.Topic, "key", msg.Key, "tx_id", txID, "reason", err)
		}
		state := localState(err)
		p.steps.localTransaction(ctx, msg.Key, txID, state, err)
		if state == mq.Commit {
			p.faults.committed(ctx)
		}
		told := p.faults.decision(ctx, state)
		p.steps.endTransaction(ctx, msg.Key, txID, state, told, p.faults.endTransaction)
		return told
	})
	return err
}

// Close stops the producer; check-backs then go to the group's other
// members, or wait for this one's restart.
func (p *Producer[E]) Close() error { return p.tp.Close() }

// check decodes a half message and asks the declaration's Check.
func (p *Producer[E]) check(ctx context.Context, c mq.Check) mq.TxState {
	var ev E
	decodeErr := json.Unmarshal(c.Body, &ev)
	if c.Key == "" && decodeErr == nil {
		c.Key = p.decl.Key(ev)
	}
	if state, why, ok := p.faults.answerCheck(ctx); ok {
		p.steps.checkBack(ctx, c, state, why)
		return state
	}
	if decodeErr != nil {
		// Not an event this producer wrote; the check still answers from
		// the transaction id, which the zero event cannot contradict.
		p.log.WarnContext(ctx, "check-back for an undecodable half message", "topic", c.Topic, "tx_id", c.TransactionID, "error", decodeErr)
	}
	committed, err := p.decl.Check(ctx, c.TransactionID, ev)
	if err != nil {
		p.log.WarnContext(ctx, "check-back could not decide; the broker asks again", "topic", c.Topic, "tx_id", c.TransactionID, "error", err)
	}
	state := checkState(committed, err)
	p.steps.checkBack(ctx, c, state, checkWhy(committed, err))
	return state
}

// localState maps a local transaction's result to the message's fate.
func localState(err error) mq.TxState {
	switch {
	case err == nil:
		return mq.Commit
	case apperr.KindOf(err) == apperr.Unavailable:
		return mq.Unknown
	default:
		return mq.Rollback
	}
}

// checkState maps a check's answer to the broker's.
func checkState(committed bool, err error) mq.TxState {
	switch {
	case err != nil:
		return mq.Unknown
	case committed:
		return mq.Commit
	default:
		return mq.Rollback
	}
}
