// Package events consumes ORDER_PAID for the points service: decode, credit
// through the domain (which claims the event in the same transaction as the
// credit), and turn the result into the consumer's outcome.
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// Group is the consumer group: its offsets, retries and dead-letter queue
// (%DLQ%points-order-paid) belong to the points service alone.
const Group = contracts.ConsumerPointsOrderPaid

// OrderPaid returns the handler of ORDER_PAID. Outcomes:
//
//   - credited: nil (acknowledged);
//   - the event id was processed before, or the order already has its
//     ORDER_PAID entry (a second event for the same order): an error
//     wrapping apperr.ErrAlreadyApplied, acknowledged without effect;
//   - undecodable, or a field the ledger cannot hold: mq.Poison,
//     acknowledged and logged, never retried;
//   - anything else (the database is down, a deadlock that outlived its
//     retries): a plain error, redelivered by the broker with back-off and
//     dead-lettered after the maximum number of attempts.
func OrderPaid(svc *points.Service, log *slog.Logger) mq.Handler {
	return func(ctx context.Context, d mq.Delivery) error {
		var ev contracts.OrderPaid
		if err := contracts.Decode(d.Body, &ev); err != nil {
			return mq.Poison(err)
		}
		log := log.With("order_no", ev.OrderNo, "event_id", ev.EventID, "msg_id", d.MsgID, "user_id", ev.UserID)
		want := points.ForOrderTotal(ev.TotalCents)
		e, err := svc.CreditOrderPaid(ctx, Group, points.OrderPaid{
			EventID: ev.EventID, OrderNo: ev.OrderNo, UserID: ev.UserID, TotalCents: ev.TotalCents,
		})
		switch {
		case err == nil:
			log.InfoContext(ctx, "points credited", "points", e.Points, "entry_id", e.ID)
			return nil
		case errors.Is(err, apperr.ErrAlreadyApplied):
			if e.ID != 0 && (e.UserID != ev.UserID || e.Points != want) {
				// Retrying cannot fix this and the first credit stands; the
				// audit shows the order, and this line says why.
				log.ErrorContext(ctx, "ORDER_PAID disagrees with the order's existing credit; nothing changed",
					"credited_user_id", e.UserID, "credited_points", e.Points, "credited_event_id", e.EventID, "event_points", want)
			}
			return fmt.Errorf("order %s: %w", ev.OrderNo, err)
		case apperr.KindOf(err) == apperr.Invalid:
			return mq.Poison(fmt.Errorf("order %s: %w", ev.OrderNo, err))
		default:
			return fmt.Errorf("order %s: %w", ev.OrderNo, err)
		}
	}
}

// Start starts the ORDER_PAID consumer of the points service. Close the
// returned consumer on shutdown.
func Start(ctx context.Context, cfg mq.Config, svc *points.Service, log *slog.Logger, opts mq.ConsumerOptions) (*mq.Consumer, error) {
	c, err := mq.StartConsumer(ctx, cfg, Group, contracts.TopicOrderPaid, OrderPaid(svc, log), opts)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return c, nil
}
