package events

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// Subscriptions are the order service's consumers, started by
// mq.StartConsumers.
func Subscriptions(svc *ordering.Service, _ *slog.Logger) []mq.Subscription {
	return []mq.Subscription{
		{Group: contracts.ConsumerOrderOrderTimeout, Topic: contracts.TopicOrderTimeout, Handler: OrderTimeout(svc)},
		{Group: contracts.ConsumerOrderShipmentShipped, Topic: contracts.TopicShipmentShipped, Handler: ShipmentShipped(svc)},
		{Group: contracts.ConsumerOrderShipmentDelivered, Topic: contracts.TopicShipmentDelivered, Handler: ShipmentDelivered(svc)},
		{Group: contracts.ConsumerOrderOrderRefunded, Topic: contracts.TopicOrderRefunded, Handler: OrderRefunded(svc)},
	}
}

// OrderTimeout returns the ORDER_TIMEOUT handler: an order still unpaid at
// its deadline is cancelled (transactionally, through ORDER_CANCELLED); a
// paid or cancelled one is left alone, so a redelivery changes nothing.
// mq.EventHandler makes an undecodable or invalid event poison.
func OrderTimeout(svc *ordering.Service) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, _ mq.Delivery, ev contracts.OrderTimeout) error {
		return svc.HandleTimeout(ctx, ev)
	})
}

// ShipmentShipped returns the SHIPMENT_SHIPPED handler: a PAID order becomes
// SHIPPED, claimed in the same transaction, so a redelivery is a duplicate;
// an order elsewhere is left as it is. A database failure is redelivered.
func ShipmentShipped(svc *ordering.Service) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, _ mq.Delivery, ev contracts.ShipmentShipped) error {
		if _, err := svc.HandleShipped(ctx, contracts.ConsumerOrderShipmentShipped, ev); err != nil {
			return fmt.Errorf("order %s shipped (event %s): %w", ev.OrderNo, ev.EventID, err)
		}
		return nil
	})
}

// ShipmentDelivered returns the SHIPMENT_DELIVERED handler: the order is
// completed (PAID or SHIPPED → COMPLETED), claimed in the same transaction.
func ShipmentDelivered(svc *ordering.Service) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, _ mq.Delivery, ev contracts.ShipmentDelivered) error {
		if _, err := svc.HandleDelivered(ctx, contracts.ConsumerOrderShipmentDelivered, ev); err != nil {
			return fmt.Errorf("order %s delivered (event %s): %w", ev.OrderNo, ev.EventID, err)
		}
		return nil
	})
}

// OrderRefunded returns the handler of the order service's own
// ORDER_REFUNDED consumer: it has the payment service confirm the refund
// and moves the order from REFUNDING to REFUNDED (ordering.FinishRefund).
// Until payment answers, the broker redelivers.
func OrderRefunded(svc *ordering.Service) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, _ mq.Delivery, ev contracts.OrderRefunded) error {
		if err := svc.FinishRefund(ctx, contracts.ConsumerOrderOrderRefunded, ev); err != nil {
			return fmt.Errorf("finish refund of order %s (event %s): %w", ev.OrderNo, ev.EventID, err)
		}
		return nil
	})
}
