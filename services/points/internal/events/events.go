// Package events consumes ORDER_PAID for the points service: decode, credit
// through the domain (which claims the event in the same transaction as the
// credit), and hand the result to mq, which turns it into the outcome.
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

// Subscriptions are the points service's consumers, started by
// mq.StartConsumers. The group's offsets, retries and dead-letter queue
// (%DLQ%points-order-paid) belong to the points service alone.
func Subscriptions(svc *points.Service, log *slog.Logger) []mq.Subscription {
	return []mq.Subscription{
		{Group: contracts.ConsumerPointsOrderPaid, Topic: contracts.TopicOrderPaid, Handler: OrderPaid(svc, log)},
		{Group: contracts.ConsumerPointsOrderCancelled, Topic: contracts.TopicOrderCancelled, Handler: OrderCancelled(svc, log)},
		{Group: contracts.ConsumerPointsOrderRefunded, Topic: contracts.TopicOrderRefunded, Handler: OrderRefunded(svc, log)},
	}
}

// OrderPaid returns the handler of ORDER_PAID. Outcomes:
//
//   - credited: nil (acknowledged);
//   - the event id was processed before, or the order already has its
//     ORDER_PAID entry (a second event for the same order): an error
//     wrapping apperr.ErrAlreadyApplied, acknowledged without effect;
//   - undecodable, or a field the ledger cannot hold (Invalid): poison,
//     acknowledged and logged, never retried;
//   - anything else (the database is down, a deadlock that outlived its
//     retries): a plain error, redelivered by the broker with back-off and
//     dead-lettered after the maximum number of attempts.
func OrderPaid(svc *points.Service, log *slog.Logger) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, d mq.Delivery, ev contracts.OrderPaid) error {
		log := log.With("order_no", ev.OrderNo, "event_id", ev.EventID, "msg_id", d.MsgID, "user_id", ev.UserID)
		want := points.ForOrderTotal(ev.ChargedCents())
		e, err := svc.CreditOrderPaid(ctx, contracts.ConsumerPointsOrderPaid, points.OrderPaid{
			EventID: ev.EventID, OrderNo: ev.OrderNo, UserID: ev.UserID, TotalCents: ev.TotalCents,
			PointsRedeemed: ev.PointsRedeemed,
		})
		switch {
		case err == nil:
			log.InfoContext(ctx, "points credited", "points", e.Points, "entry_id", e.ID)
			return nil
		case errors.Is(err, apperr.ErrAlreadyApplied) && e.ID != 0 && (e.UserID != ev.UserID || e.Points != want):
			// Retrying cannot fix this and the first credit stands; the
			// audit shows the order, and this line says why.
			log.ErrorContext(ctx, "ORDER_PAID disagrees with the order's existing credit; nothing changed",
				"credited_user_id", e.UserID, "credited_points", e.Points, "credited_event_id", e.EventID, "event_points", want)
		}
		return fmt.Errorf("order %s: %w", ev.OrderNo, err)
	})
}
