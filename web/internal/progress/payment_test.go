package progress

import (
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/web/internal/shoptest"
)

func TestHalfMessagePending(t *testing.T) {
	shop := shoptest.New(t)
	shop.PutOrder(no, "alice", "PENDING_PAYMENT")
	shop.SetReservation(no, "RESERVED", soldAt)
	shop.AddHalf("ORDER_PAID", "RM-OTHER-ORDER", 1)
	shop.AddHalf("ORDER_CANCELLED", no, 4) // not the payment's message
	shop.AddHalf("ORDER_PAID", no, 2)
	s, pays := newService(t, shop, true)

	d := get(t, s, "alice")
	if d.Payment.State != PaymentAwaitingCheck || d.Payment.HalfMessage == nil || d.Payment.HalfMessage.CheckCount != 2 {
		t.Fatalf("payment = %+v, want awaiting_check with checkCount 2", d.Payment)
	}

	// While this gateway's pay request is still running, the pending half
	// is the local transaction at work, not a stuck one.
	end := pays.Begin(no)
	if d := get(t, s, "alice"); d.Payment.State != PaymentInFlight {
		t.Errorf("with a pay request running: payment = %q, want in_flight", d.Payment.State)
	}
	end()
	if d := get(t, s, "alice"); d.Payment.State != PaymentAwaitingCheck {
		t.Errorf("after the pay request: payment = %q, want awaiting_check", d.Payment.State)
	}
}

func TestPaidButHalfStillPending(t *testing.T) {
	shop := shoptest.New(t)
	shop.PutOrder(no, "alice", "PAID", [2]string{"PAID", paidAt})
	shop.AddHalf("ORDER_PAID", no, 0)
	s, _ := newService(t, shop, true)
	if d := get(t, s, "alice"); d.Payment.State != PaymentAwaitingCheck || d.Payment.At != paidAt {
		t.Errorf("payment = %+v, want awaiting_check at %s", d.Payment, paidAt)
	}
}

func TestChargedNotYetPaidIsInFlight(t *testing.T) {
	shop := shoptest.New(t)
	shop.PutOrder(no, "alice", "PENDING_PAYMENT")
	shop.PutCharge(no, "SUCCEEDED", "")
	s, _ := newService(t, shop, true)
	if d := get(t, s, "alice"); d.Payment.State != PaymentInFlight {
		t.Errorf("payment = %q, want in_flight", d.Payment.State)
	}
}

func TestBrokerViewsDisabled(t *testing.T) {
	shop := shoptest.New(t)
	shop.PutOrder(no, "alice", "PENDING_PAYMENT")
	shop.AddHalf("ORDER_PAID", no, 2)
	s, _ := newService(t, shop, false)
	d := get(t, s, "alice")
	if d.Payment.State != PaymentNone || len(d.Payment.Notes) != 1 || !strings.Contains(d.Payment.Notes[0], "MINIRMQ_ADMIN_URL") {
		t.Errorf("payment = %+v, want none with a note that broker views are off", d.Payment)
	}
	for _, c := range shop.Calls() {
		if c.Service == "broker" {
			t.Errorf("asked the broker %s with broker views disabled", c.Path)
		}
	}
}
