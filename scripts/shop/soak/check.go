package main

import (
	"fmt"
	"net/http"
	"slices"
	"sort"

	"github.com/rocketmart/rocketmart/services/audit"
)

// Finding is one thing the soak found wrong; Subject names the order (or
// the program, or "audit").
type Finding struct {
	Subject string
	What    string
}

func (f Finding) String() string { return "FINDING " + f.Subject + ": " + f.What }

// Final is the shop's state after the load, as the admin endpoints show it.
type Final struct {
	Orders  map[string]audit.Order  // by order number
	Charges map[string]audit.Charge // by order number (one charge per order)
}

// Charge statuses in payment.
const (
	chargeSucceeded = "SUCCEEDED"
	chargeRefunded  = "REFUNDED"
)

// paidOnce: a PAID order with its one succeeded charge of its total.
func (f Final) paidOnce(no string) bool {
	o, c := f.Orders[no], f.Charges[no]
	return o.Status == audit.StatusPaid && c.Status == chargeSucceeded && c.AmountCents == o.TotalCents
}

// notCharged: the order kept no money — no charge, or a refunded one.
func (f Final) notCharged(no string) bool {
	c, ok := f.Charges[no]
	return !ok || c.Status == chargeRefunded
}

// settledUnpaid: cancelled with nothing charged.
func (f Final) settledUnpaid(no string) bool {
	return f.Orders[no].Status == audit.StatusCancelled && f.notCharged(no)
}

// CheckAnswers checks every answer a user was given against the final
// state (see the README's soak section for the rules), then every order
// in the shop that nobody was told about. It returns one finding per
// contradiction, sorted by order number.
func CheckAnswers(answers []Answer, f Final) []Finding {
	var out []Finding
	fail := func(no, format string, args ...any) {
		out = append(out, Finding{Subject: "order " + no, What: fmt.Sprintf(format, args...)})
	}
	told := map[string]bool{}      // orders some user was told were placed
	mayBePaid := map[string]bool{} // orders a user asked to pay without being told "nothing was charged"
	for _, a := range answers {
		if a.OrderNo == "" {
			continue
		}
		no := a.OrderNo
		o, exists := f.Orders[no]
		state := fmt.Sprintf("the shop holds %s, charge %q", orDash(o.Status), f.Charges[no].Status)
		switch {
		case a.Op == OpPlace && (a.Status == http.StatusCreated || a.Status == http.StatusOK):
			told[no] = true
			if !exists {
				fail(no, "%s was told %d placed; the shop has no such order", a.User, a.Status)
			} else if o.UserID != a.User {
				fail(no, "%s was told %d placed; the order belongs to %s", a.User, a.Status, o.UserID)
			}
		case a.Op == OpPay:
			if a.Status != http.StatusServiceUnavailable || a.Code != "BROKER_UNAVAILABLE" {
				mayBePaid[no] = true // 503 BROKER_UNAVAILABLE promises nothing was charged
			}
			switch a.Status {
			case http.StatusOK:
				if !f.paidOnce(no) {
					fail(no, "%s was told 200 %s; %s", a.User, a.Code, state)
				}
			case http.StatusAccepted:
				if !f.paidOnce(no) && !f.settledUnpaid(no) {
					fail(no, "%s was told 202 (pending); it never ended decided: %s", a.User, state)
				}
			case http.StatusConflict, http.StatusPaymentRequired:
				if o.Status == audit.StatusPaid && !anyPaidAnswer(answers, no) {
					fail(no, "%s was told %d %s and no one was told it was paid; %s", a.User, a.Status, a.Code, state)
				}
			}
		case a.Op == OpCancel:
			switch {
			case a.Status == http.StatusOK && !f.settledUnpaid(no):
				fail(no, "%s was told 200 cancelled; %s", a.User, state)
			case a.Status == http.StatusConflict && a.Code == "ORDER_ALREADY_PAID" && !f.paidOnce(no):
				fail(no, "%s was told 409 already paid; %s", a.User, state)
			}
		}
	}
	for _, no := range sortedKeys(f.Orders) {
		o := f.Orders[no]
		switch {
		case o.Status == audit.StatusPending:
			fail(no, "still %s after its payment deadline and quiescence", o.Status)
		case o.Status == audit.StatusPaid && !f.paidOnce(no):
			fail(no, "PAID but its charge is %q of %d cents, total %d", f.Charges[no].Status, f.Charges[no].AmountCents, o.TotalCents)
		case o.Status == audit.StatusPaid && !mayBePaid[no]:
			fail(no, "PAID though no user of it asked to pay it (or was told nothing was charged)")
		case o.Status == audit.StatusCancelled && !f.notCharged(no):
			fail(no, "CANCELLED but its charge is %q", f.Charges[no].Status)
		case !told[no] && o.Status != audit.StatusCancelled:
			fail(no, "placed though %s was never told so, and it ended %s rather than cancelled", o.UserID, o.Status)
		}
	}
	for _, no := range sortedKeys(f.Charges) {
		if _, ok := f.Orders[no]; !ok && f.Charges[no].Status == chargeSucceeded {
			fail(no, "a succeeded charge of %d cents for an order the shop does not hold", f.Charges[no].AmountCents)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Subject < out[j].Subject })
	return out
}

// anyPaidAnswer: some user was told 200 for paying the order.
func anyPaidAnswer(answers []Answer, no string) bool {
	return slices.ContainsFunc(answers, func(a Answer) bool {
		return a.OrderNo == no && a.Op == OpPay && a.Status == http.StatusOK
	})
}

func orDash(s string) string {
	if s == "" {
		return "no order"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
