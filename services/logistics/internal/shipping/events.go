package shipping

import (
	"context"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// TxPublisher publishes an event E if and only if a local change commits:
// it stores ev as a half message, runs local once with the message's
// transaction id, and commits the message when local returns nil. A local
// error of kind apperr.Unavailable leaves the outcome to the broker's
// check-back; any other error rolls the message back. An error from Publish
// means the half message was not stored: local did not run, nothing changed.
type TxPublisher[E any] interface {
	Publish(ctx context.Context, ev E, local func(ctx context.Context, txID string) error) error
}

// Events are the messages logistics sends, each transactionally with the
// shipment's move: the order service completes the order from them.
type Events struct {
	Shipped   TxPublisher[contracts.ShipmentShipped]
	Delivered TxPublisher[contracts.ShipmentDelivered]
}

// Checks answers the broker's check-backs for logistics' half messages from
// its own database only: a move committed if and only if its transaction id
// is logged (Step.TxID), and a check that finds none decides it rolled back
// for good (txlog's rule, which a late local transaction then respects).
type Checks struct {
	store Store
}

// NewChecks returns the check-backs over store.
func NewChecks(store Store) *Checks { return &Checks{store: store} }

// Shipped answers a check-back for a SHIPMENT_SHIPPED half message.
func (c *Checks) Shipped(ctx context.Context, txID string, _ contracts.ShipmentShipped) (bool, error) {
	return c.store.ResolveTx(ctx, txID)
}

// Delivered answers a check-back for a SHIPMENT_DELIVERED half message.
func (c *Checks) Delivered(ctx context.Context, txID string, _ contracts.ShipmentDelivered) (bool, error) {
	return c.store.ResolveTx(ctx, txID)
}
