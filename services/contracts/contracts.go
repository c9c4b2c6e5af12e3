// Package contracts holds what RocketMart's services agree on over the
// broker: topic names, producer and consumer group names, and event
// payloads. It imports nothing but the standard library, so every service can
// depend on it without pulling in another service.
package contracts

// Topics. One topic per event type keeps consumers simple and lets the
// broker's admin views show each flow on its own.
const (
	// TopicOrderPaid carries OrderPaid, published transactionally by the
	// order service if and only if the order became PAID.
	TopicOrderPaid = "ORDER_PAID"
	// TopicOrderCancelled carries OrderCancelled, published transactionally
	// when an unpaid order is cancelled (by the user or by its timeout).
	TopicOrderCancelled = "ORDER_CANCELLED"
	// TopicOrderTimeout carries OrderTimeout, a delayed message the order
	// service sends to itself when an order is placed.
	TopicOrderTimeout = "ORDER_TIMEOUT"
	// TopicShipmentShipped carries ShipmentShipped, published
	// transactionally by the logistics service when a shipment leaves.
	TopicShipmentShipped = "SHIPMENT_SHIPPED"
	// TopicShipmentDelivered carries ShipmentDelivered, published
	// transactionally by the logistics service when a shipment arrives; the
	// order service completes the order.
	TopicShipmentDelivered = "SHIPMENT_DELIVERED"
	// TopicOrderRefunded carries OrderRefunded, published transactionally by
	// the order service when a paid order moves to REFUNDING (a cancelled
	// paid order, or an accepted return).
	TopicOrderRefunded = "ORDER_REFUNDED"
)

// Producer groups. The broker sends transaction check-backs to live members
// of the group that sent a half message, so these names are stable: every
// instance of the order service uses them.
const (
	ProducerOrderPaidTx      = "order-paid-tx"
	ProducerOrderCancelledTx = "order-cancelled-tx"
	ProducerOrderTimeout     = "order-timeout"
	ProducerOrderRefundedTx  = "order-refunded-tx"
	// The logistics service is the second transaction originator: its
	// groups answer check-backs from its own database.
	ProducerShipmentShippedTx   = "logistics-shipment-shipped-tx"
	ProducerShipmentDeliveredTx = "logistics-shipment-delivered-tx"
)

// Consumer groups: one per (service, topic), so each service keeps its own
// offsets, retries and dead-letter queue (%DLQ%<group>).
const (
	ConsumerInventoryOrderPaid      = "inventory-order-paid"
	ConsumerInventoryOrderCancelled = "inventory-order-cancelled"
	ConsumerLogisticsOrderPaid      = "logistics-order-paid"
	ConsumerPointsOrderPaid         = "points-order-paid"
	ConsumerPointsOrderCancelled    = "points-order-cancelled"
	ConsumerCartOrderPaid           = "cart-order-paid"
	ConsumerOrderOrderTimeout       = "order-order-timeout"
	ConsumerPaymentOrderCancelled   = "payment-order-cancelled"
	ConsumerOrderShipmentShipped    = "order-shipment-shipped"
	ConsumerOrderShipmentDelivered  = "order-shipment-delivered"
	ConsumerOrderOrderRefunded      = "order-order-refunded"
	ConsumerPaymentOrderRefunded    = "payment-order-refunded"
	ConsumerPointsOrderRefunded     = "points-order-refunded"
	ConsumerInventoryOrderRefunded  = "inventory-order-refunded"
	ConsumerLogisticsOrderRefunded  = "logistics-order-refunded"
)
