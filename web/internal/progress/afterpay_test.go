package progress

import (
	"testing"

	"github.com/rocketmart/rocketmart/web/internal/shoptest"
)

const (
	shippedAt   = "2030-01-01T12:01:00Z"
	deliveredAt = "2030-01-01T12:02:00Z"
	refundAt    = "2030-01-01T12:03:00Z"
)

// paidShop has a paid order with its four effects done, 500 of its points
// paid with points.
func paidShop(t *testing.T, status string, history ...[2]string) *shoptest.Shop {
	shop := shoptest.New(t)
	shop.PutOrder(no, "alice", status, append([][2]string{{"PAID", paidAt}}, history...)...)
	shop.SetOrderField(no, "pointsApplied", 500)
	shop.SetOrderField(no, "chargedCents", 2098)
	shop.SetReservation(no, "SOLD", soldAt)
	shop.PutShipment(no, shipAt)
	shop.AddLedgerEntry(no, "ORDER_REDEEMED", -500, paidAt)
	shop.AddLedger(no, 20, pointAt)
	shop.PutCheckout(no, cartAt)
	return shop
}

func TestDelivered(t *testing.T) {
	shop := paidShop(t, "COMPLETED", [2]string{"SHIPPED", shippedAt}, [2]string{"COMPLETED", deliveredAt})
	shop.MoveShipment(no, "DELIVERED", [2]string{"SHIPPED", shippedAt}, [2]string{"DELIVERED", deliveredAt})
	shop.PutCharge(no, "SUCCEEDED", "")
	s, _ := newService(t, shop, true)

	d := get(t, s, "alice")
	if got, want := states(d), "done,done,done,done"; got != want {
		t.Fatalf("effects = %s, want %s", got, want)
	}
	a := d.AfterPay
	if a.Shipped.At != shippedAt || a.Delivered.At != deliveredAt || a.Refund != nil {
		t.Errorf("afterPay = %+v, want shipped and delivered, no refund", a)
	}
	if d.Payment.State != PaymentPaid || d.Payment.At != paidAt {
		t.Errorf("payment = %+v, want paid at %s", d.Payment, paidAt)
	}
	if d.Effects.Points.Points != 20 || d.Effects.Points.Redeemed != 500 {
		t.Errorf("points = %+v, want credit 20 and 500 redeemed", d.Effects.Points)
	}
	if !d.Complete || !d.Final {
		t.Errorf("complete %v final %v, want both", d.Complete, d.Final)
	}
}

func TestRefundSteps(t *testing.T) {
	shop := paidShop(t, "REFUNDING", [2]string{"REFUNDING", refundAt})
	s, _ := newService(t, shop, true)

	d := get(t, s, "alice")
	r := d.AfterPay.Refund
	if r == nil {
		t.Fatal("no refund part for a REFUNDING order")
	}
	if r.Payment.State != StateWaiting || r.Points.State != StateWaiting || r.Stock.State != StateWaiting || r.Shipment.State != StateWaiting {
		t.Errorf("refund = %+v, want every step waiting", r)
	}
	if d.Final || d.Payment.State != PaymentPaid {
		t.Errorf("final %v payment %q, want not final and paid", d.Final, d.Payment.State)
	}

	// Points claws back only: the redemption is not back yet.
	shop.AddLedgerEntry(no, "ORDER_REFUNDED", -20, refundAt)
	if d := get(t, s, "alice"); d.AfterPay.Refund.Points.Done {
		t.Error("points done before the redemption came back")
	}
	shop.AddLedgerEntry(no, "REDEMPTION_RETURNED", 500, deliveredAt)
	shop.SetReservation(no, "RETURNED", refundAt)
	shop.MoveShipment(no, "CANCELLED", [2]string{"CANCELLED", refundAt})
	shop.PutCharge(no, "REFUNDED", refundAt)
	shop.PutOrder(no, "alice", "REFUNDED", [2]string{"PAID", paidAt}, [2]string{"REFUNDING", refundAt}, [2]string{"REFUNDED", refundAt})
	shop.SetOrderField(no, "pointsApplied", 500)
	shop.SetOrderField(no, "chargedCents", 2098)

	d = get(t, s, "alice")
	r = d.AfterPay.Refund
	if !r.Payment.Done || !r.Points.Done || !r.Stock.Done || !r.Shipment.Done {
		t.Fatalf("refund = %+v, want every step done", r)
	}
	if r.Points.ClawedBack != -20 || r.Points.Returned != 500 || r.Points.At != refundAt || r.Shipment.Shipment != "CANCELLED" {
		t.Errorf("refund points/shipment = %+v %+v", r.Points, r.Shipment)
	}
	if d.AfterPay.Shipped.State != StateCancelled || d.AfterPay.Delivered.State != StateCancelled {
		t.Errorf("delivery = %+v, want cancelled steps", d.AfterPay)
	}
	if got, want := states(d), "done,done,done,done"; got != want {
		t.Errorf("effects = %s, want %s (a returned reservation was sold)", got, want)
	}
	if d.Payment.State != PaymentRefunded || d.Payment.At != refundAt || !d.Final {
		t.Errorf("payment %+v final %v, want refunded at %s and final", d.Payment, d.Final, refundAt)
	}
}

func TestRefundAllPointsNeedsNoCharge(t *testing.T) {
	shop := paidShop(t, "REFUNDED", [2]string{"REFUNDING", refundAt}, [2]string{"REFUNDED", refundAt})
	shop.SetOrderField(no, "pointsApplied", 2598)
	shop.SetOrderField(no, "chargedCents", 0)
	s, _ := newService(t, shop, true)

	r := get(t, s, "alice").AfterPay.Refund
	if !r.Payment.Done || r.Payment.At != refundAt {
		t.Errorf("payment step = %+v, want done (nothing was charged)", r.Payment)
	}
}
