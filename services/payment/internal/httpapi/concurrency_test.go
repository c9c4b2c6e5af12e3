package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// parallel runs fn(i) for i in [0, n) at once, released together.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

func TestFiftyConcurrentChargesOfOneOrderDebitOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		const n = 50
		statuses := make([]int, n)
		charges := make([]httpapi.Charge, n)
		parallel(n, func(i int) {
			statuses[i], charges[i], _ = e.charge("ORDER-50", "bob", 12_345)
		})
		created := 0
		for i, s := range statuses {
			switch s {
			case http.StatusCreated:
				created++
			case http.StatusOK:
			default:
				t.Errorf("request %d: status %d", i, s)
			}
			if !same(charges[i], charges[0]) {
				t.Errorf("request %d got %+v, request 0 got %+v", i, charges[i], charges[0])
			}
		}
		if created != 1 {
			t.Errorf("%d answers were 201, want exactly 1", created)
		}
		s := e.state()
		if got, want := s.balance("bob"), int64(250_000-12_345); got != want {
			t.Errorf("bob's balance %d, want %d (one debit)", got, want)
		}
		if len(s.Charges) != 1 {
			t.Errorf("%d charges recorded, want 1", len(s.Charges))
		}
	})
}

func TestConcurrentChargesNeverOverdraw(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, contracts.DemoUser{ID: "thrifty", InitialBalanceCents: 1000})
		const n = 30 // 20 would already be twice the money; 10 more for good measure
		statuses := make([]int, n)
		parallel(n, func(i int) {
			statuses[i], _, _ = e.charge(fmt.Sprintf("DRAIN-%02d", i), "thrifty", 100)
		})
		counts := map[int]int{}
		for _, s := range statuses {
			counts[s]++
		}
		if counts[http.StatusCreated] != 10 || counts[http.StatusPaymentRequired] != n-10 {
			t.Errorf("statuses %v, want 10×201 and %d×402", counts, n-10)
		}
		s := e.state()
		if got := s.balance("thrifty"); got != 0 {
			t.Errorf("balance %d, want 0", got)
		}
		if len(s.Charges) != 10 {
			t.Errorf("%d charges recorded, want 10 (declines record nothing)", len(s.Charges))
		}
		checkConservation(t, s)
	})
}

func TestConcurrentRefundsRefundOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if status, _, body := e.charge("REFUND-ME", "alice", 40_000); status != http.StatusCreated {
			t.Fatalf("charge: %d %s", status, body)
		}
		const n = 10
		statuses := make([]int, n)
		bodies := make([]httpapi.Charge, n)
		parallel(n, func(i int) {
			var body []byte
			statuses[i], body = e.do(http.MethodPost, "/api/v1/charges/REFUND-ME/refund", asAdmin(),
				fmt.Sprintf(`{"reason":"refund %d"}`, i))
			if statuses[i] == http.StatusOK {
				bodies[i] = decode[httpapi.Charge](t, body)
			}
		})
		for i := range n {
			if statuses[i] != http.StatusOK || bodies[i].Status != "REFUNDED" || !same(bodies[i], bodies[0]) {
				t.Errorf("refund %d: %d %+v, want 200 and the same REFUNDED charge as %+v", i, statuses[i], bodies[i], bodies[0])
			}
		}
		s := e.state()
		if got := s.balance("alice"); got != 1_000_000 {
			t.Errorf("alice's balance %d, want 1000000 (credited once)", got)
		}
		checkConservation(t, s)
	})
}

func TestConcurrentTopUpsWithOneKeyCreditOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		const n = 20
		statuses := make([]int, n)
		ids := make([]string, n)
		parallel(n, func(i int) {
			var body []byte
			statuses[i], body = e.do(http.MethodPost, "/api/v1/wallet/top-ups", asUser("carol").with("Idempotency-Key", "same"), `{"amountCents":700}`)
			if statuses[i] < 300 {
				ids[i] = decode[httpapi.TopUpResponse](t, body).TopUpID
			}
		})
		created := 0
		for i, s := range statuses {
			if s == http.StatusCreated {
				created++
			} else if s != http.StatusOK {
				t.Errorf("top-up %d: status %d", i, s)
			}
			if ids[i] != ids[0] {
				t.Errorf("top-up %d is %s, top-up 0 is %s", i, ids[i], ids[0])
			}
		}
		if created != 1 {
			t.Errorf("%d answers were 201, want 1", created)
		}
		if got := e.state().balance("carol"); got != 1500+700 {
			t.Errorf("carol's balance %d, want 2200", got)
		}
	})
}

// A mixed run: charges, replays, refunds, top-ups and cancellations of many
// users at once. Money must be conserved in every wallet.
func TestMoneyIsConservedAfterAMixedRun(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		users := []string{"alice", "bob", "carol"}
		parallel(60, func(i int) {
			user := users[i%len(users)]
			order := fmt.Sprintf("MIX-%02d", i%20) // several requests per order, some with another user
			switch i % 5 {
			case 0, 1:
				e.charge(order, user, int64(100+i*37))
			case 2:
				e.do(http.MethodPost, "/api/v1/charges/"+order+"/refund", asAdmin(), `{"reason":"mixed"}`)
			case 3:
				e.do(http.MethodPost, "/api/v1/wallet/top-ups", asUser(user).with("Idempotency-Key", fmt.Sprint("k", i%7)), fmt.Sprintf(`{"amountCents":%d}`, 50+i))
			case 4:
				e.svc.OrderCancelled(t.Context(), cancelRef(i), order)
			}
		})
		s := e.state()
		if len(s.Charges) == 0 {
			t.Fatal("the run charged nothing; the test proves nothing")
		}
		checkConservation(t, s)
	})
}
