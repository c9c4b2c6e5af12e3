package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/payment/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// bobCents is bob's seeded balance.
const bobCents = 250_000

// arm arms one fault on the charge point.
func (e env) arm(spec faults.Spec) {
	e.t.Helper()
	spec.Point = httpapi.PointCharge
	if _, err := e.faults.Arm(spec); err != nil {
		e.t.Fatal(err)
	}
}

// client calls the API over a real connection, as the order service does
// (svcclient), so a cut connection is seen the way order sees it.
func (e env) client(timeout time.Duration) *svcclient.Client {
	srv := httptest.NewServer(e.h)
	e.t.Cleanup(srv.Close)
	return svcclient.New(srv.URL, adminToken, timeout)
}

// chargeOver charges bob for orderNo through c.
func chargeOver(ctx context.Context, c *svcclient.Client, orderNo string, amount int64) (httpapi.Charge, error) {
	var out httpapi.Charge
	err := c.Call(ctx, http.MethodPost, "/api/v1/charges", "",
		httpapi.ChargeRequest{OrderNo: orderNo, UserID: "bob", AmountCents: amount}, &out)
	return out, err
}

// charged reads orderNo's charge as the order service's check-back does:
// the GET, which no fault touches.
func (e env) charged(orderNo string) (httpapi.Charge, bool) {
	e.t.Helper()
	status, body := e.do(http.MethodGet, "/api/v1/charges/"+orderNo, asAdmin(), "")
	switch status {
	case http.StatusOK:
		return decode[httpapi.Charge](e.t, body), true
	case http.StatusNotFound:
		return httpapi.Charge{}, false
	}
	e.t.Fatalf("GET charge %s: %d %s", orderNo, status, body)
	return httpapi.Charge{}, false
}

// drop: the charge commits and the answer is lost; the caller sees the
// failed call order's svcclient maps to Unavailable (outcome unknown), and
// the charge is there for the check-back to find.
func TestChargeFaultDrop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		c := e.client(5 * time.Second)
		e.arm(faults.Spec{Action: faults.Drop, Count: 1})

		_, err := chargeOver(t.Context(), c, "DROP-1", 700)
		if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.Unavailable || !svcclient.IsUnavailable(err) {
			t.Fatalf("dropped answer: err = %v, want the Unavailable of a failed call", err)
		}
		got, ok := e.charged("DROP-1")
		if !ok || got.Status != "SUCCEEDED" || got.AmountCents != 700 {
			t.Fatalf("GET after the dropped answer: %+v (found %v), want the SUCCEEDED charge", got, ok)
		}
		s := e.state()
		if s.balance("bob") != bobCents-700 {
			t.Errorf("bob's balance %d, want %d: charged once", s.balance("bob"), bobCents-700)
		}
		checkConservation(t, s)

		// The fault was armed once: the retry of the same order gets the
		// existing charge, and a new order is charged normally.
		if again, err := chargeOver(t.Context(), c, "DROP-1", 700); err != nil || again.Status != "SUCCEEDED" {
			t.Errorf("retry of the dropped charge: %+v, %v", again, err)
		}
		if status, _, body := e.charge("DROP-2", "bob", 300); status != http.StatusCreated {
			t.Errorf("next charge: %d %s, want 201", status, body)
		}
		if s := e.state(); s.balance("bob") != bobCents-1000 || len(s.Charges) != 2 {
			t.Errorf("after the retry and the next charge: balance %d with %d charges, want %d with 2",
				s.balance("bob"), len(s.Charges), bobCents-1000)
		}
	})
}

// answer decline and answer unavailable refuse the charge, record nothing
// and debit nothing; GET of a charge is never affected.
func TestChargeFaultAnswers(t *testing.T) {
	tests := []struct {
		value  string
		status int
		code   string
	}{
		{httpapi.AnswerDecline, http.StatusPaymentRequired, "PAYMENT_DECLINED"},
		{httpapi.AnswerUnavailable, http.StatusServiceUnavailable, "FAULT_INJECTED"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				e := newEnv(t, db)
				if status, _, body := e.charge("KEPT-1", "bob", 100); status != http.StatusCreated {
					t.Fatalf("charge before arming: %d %s", status, body)
				}
				before := e.state()
				e.arm(faults.Spec{Action: faults.Answer, Value: tt.value}) // every hit until cleared

				for _, no := range []string{"FAULT-1", "FAULT-2"} {
					status, _, body := e.charge(no, "bob", 500)
					wantError(t, tt.value, status, body, tt.status, tt.code)
					if d := decode[errorBody](t, body).Error; d.Details["point"] != httpapi.PointCharge {
						t.Errorf("%s: details %v, want the point named", tt.value, d.Details)
					}
				}
				if got, ok := e.charged("KEPT-1"); !ok || got.Status != "SUCCEEDED" {
					t.Errorf("GET of an existing charge under the fault: %+v (found %v)", got, ok)
				}
				if _, ok := e.charged("FAULT-1"); ok {
					t.Error("a refused charge was recorded")
				}
				if after := e.state(); !after.equal(before) {
					t.Errorf("the refused charges changed state:\nbefore %+v\nafter  %+v", before, after)
				}
				if a := e.faults.Armed(); len(a) != 1 || a[0].Hits != 2 {
					t.Errorf("armed %+v, want the fault hit by the 2 POSTs only", a)
				}
			})
		})
	}
}

// delay: the answer comes after the delay. A caller that gives up first
// (order's ORDER_PAYMENT_CALL_TIMEOUT) sees Unavailable, and the charge still
// happens after the wait, as a slow provider's would: exactly the unknown
// outcome the check-back settles.
func TestChargeFaultDelay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		const delay = 300 * time.Millisecond
		e.arm(faults.Spec{Action: faults.Delay, Delay: delay, Count: 1})
		start := time.Now()
		status, got, body := e.charge("SLOW-1", "bob", 100)
		if took := time.Since(start); took < delay {
			t.Errorf("the delayed charge answered after %v, before the %v delay", took, delay)
		}
		if status != http.StatusCreated || got.Status != "SUCCEEDED" {
			t.Fatalf("delayed charge: %d %s, want 201", status, body)
		}
		if a := e.faults.Armed(); len(a) != 0 {
			t.Errorf("armed %+v after its one hit, want nothing", a)
		}
		if status, _, body := e.charge("FAST-1", "bob", 100); status != http.StatusCreated {
			t.Errorf("next charge: %d %s, want 201", status, body)
		}

		e.arm(faults.Spec{Action: faults.Delay, Delay: delay, Count: 1})
		impatient := e.client(delay / 3)
		if _, err := chargeOver(t.Context(), impatient, "SLOW-2", 100); !svcclient.IsUnavailable(err) {
			t.Fatalf("a caller that timed out: err = %v, want Unavailable", err)
		}
		testkit.Eventually(t, 10*time.Second, "the abandoned slow charge committed", func() bool {
			_, ok := e.charged("SLOW-2")
			return ok
		})
		if s := e.state(); s.balance("bob") != bobCents-300 {
			t.Errorf("bob's balance %d, want %d (three charges)", s.balance("bob"), bobCents-300)
		}
	})
}

// A request refused before the point (bad input) leaves a counted fault
// armed for the next real charge.
func TestChargeFaultSkipsBadInput(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	e.arm(faults.Spec{Action: faults.Answer, Value: httpapi.AnswerDecline, Count: 1})
	status, _, body := e.charge("BAD ORDER", "bob", 100)
	wantError(t, "bad order number", status, body, http.StatusBadRequest, "VALIDATION")
	status, _, body = e.charge("OK-1", "bob", 100)
	wantError(t, "the armed decline", status, body, http.StatusPaymentRequired, "PAYMENT_DECLINED")
	if status, _, body := e.charge("OK-1", "bob", 100); status != http.StatusCreated {
		t.Errorf("after the fault: %d %s, want 201", status, body)
	}
}
