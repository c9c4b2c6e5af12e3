package progress

// Shipment statuses of the logistics service.
const (
	shipShipped   = "SHIPPED"
	shipDelivered = "DELIVERED"
	shipCancelled = "CANCELLED"
	shipReturned  = "RETURNED"
)

// afterPay builds the delivery and refund steps from what the services said.
func afterPay(o order, sh shipmentFacts, pts pointsFacts, stock StockSold, pay payFacts) AfterPay {
	var a AfterPay
	cancelledShipment := sh.effect.Shipment == shipCancelled
	a.Shipped = step(sh.events[shipShipped], sh.reason, cancelledShipment || o.Status == orderCancelled)
	a.Delivered = step(sh.events[shipDelivered], sh.reason, cancelledShipment || o.Status == orderCancelled)
	if !refundStarted(o.Status) {
		return a
	}
	r := &Refund{}

	// Payment: the charge refunded; nothing to refund when points paid it all.
	switch {
	case pay.charge != nil && pay.charge.Status == "REFUNDED":
		r.Payment = Status{State: StateDone, Done: true, At: pay.charge.RefundedAt}
	case o.ChargedCents == 0 && o.PointsApplied > 0:
		r.Payment = Status{State: StateDone, Done: true, At: o.changedTo(orderRefunding)}
	default:
		r.Payment = step("", pay.chargeNote, false)
	}

	// Points: the credit clawed back and the redemption returned, both once.
	claw, clawed := pts.entries[ledgerRefunded]
	ret, returned := pts.entries[ledgerReturned]
	r.Points.ClawedBack, r.Points.Returned = claw.Points, ret.Points
	switch {
	case pts.reason != "":
		r.Points.Status = Status{State: StateUnknown, Reason: pts.reason}
	case clawed && (o.PointsApplied == 0 || returned):
		at := claw.CreatedAt
		if returned && before(at, ret.CreatedAt) {
			at = ret.CreatedAt
		}
		r.Points.Status = Status{State: StateDone, Done: true, At: at}
	default:
		r.Points.Status = Status{State: StateWaiting}
	}

	// Stock: the reservation RETURNED.
	switch {
	case stock.State == StateUnknown:
		r.Stock = Status{State: StateUnknown, Reason: stock.Reason}
	case stock.Reservation == "RETURNED":
		r.Stock = Status{State: StateDone, Done: true, At: stock.updatedAt}
	default:
		r.Stock = Status{State: StateWaiting}
	}

	// Shipment: cancelled before it left, or returned.
	switch end := sh.effect.Shipment; {
	case sh.reason != "":
		r.Shipment.Status = Status{State: StateUnknown, Reason: sh.reason}
	case end == shipCancelled || end == shipReturned:
		at := sh.events[end]
		if at == "" {
			at = sh.updatedAt
		}
		r.Shipment = RefundShipment{Status: Status{State: StateDone, Done: true, At: at}, Shipment: end}
	default:
		r.Shipment.Status = Status{State: StateWaiting}
	}
	a.Refund = r
	return a
}

// step is a delivery step: done when logistics recorded it (at), unknown
// when logistics could not be asked, cancelled when it will never happen.
func step(at, reason string, never bool) Status {
	switch {
	case at != "":
		return Status{State: StateDone, Done: true, At: at}
	case reason != "":
		return Status{State: StateUnknown, Reason: reason}
	case never:
		return Status{State: StateCancelled}
	default:
		return Status{State: StateWaiting}
	}
}

func (r *Refund) done() bool {
	return r != nil && r.Payment.Done && r.Points.Done && r.Stock.Done && r.Shipment.Done
}
