package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/payment/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// bulkTopUp posts a bulk top-up under key.
func (e env) bulkTopUp(key, body string) (int, []byte) {
	return e.do(http.MethodPost, bulk, asAdmin().with("Idempotency-Key", key), body)
}

func TestBulkTopUpCreditsOncePerKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		const body = `{"topUps":[{"userId":"carol","amountCents":2500},{"userId":"alice","amountCents":100000000}]}`
		status, out := e.bulkTopUp("fund-1", body)
		if status != http.StatusCreated {
			t.Fatalf("bulk top-up: %d %s", status, out)
		}
		first := decode[httpapi.BulkTopUpResponse](t, out)
		want := []httpapi.BulkTopUpLineResult{
			{UserID: "alice", AmountCents: 100_000_000, BalanceCents: 1_000_000 + 100_000_000},
			{UserID: "carol", AmountCents: 2500, BalanceCents: 1500 + 2500},
		}
		if first.BulkTopUpID == "" || first.TotalCents != 100_002_500 || fmt.Sprint(first.TopUps) != fmt.Sprint(want) {
			t.Errorf("bulk top-up answered %+v, want lines %+v and total 100002500", first, want)
		}
		s := e.state()
		if s.balance("alice") != 101_000_000 || s.balance("carol") != 4000 || s.balance("bob") != 250_000 {
			t.Errorf("balances after the bulk top-up: %+v", s.Wallets)
		}
		checkConservation(t, s)

		// The same lines in another order replay it.
		status, out = e.bulkTopUp("fund-1", `{"topUps":[{"userId":"alice","amountCents":100000000},{"userId":"carol","amountCents":2500}]}`)
		if status != http.StatusOK || fmt.Sprint(decode[httpapi.BulkTopUpResponse](t, out)) != fmt.Sprint(first) {
			t.Errorf("replay: %d %s, want 200 and %+v", status, out, first)
		}
		status, out = e.bulkTopUp("fund-1", `{"topUps":[{"userId":"carol","amountCents":2500}]}`)
		wantError(t, "the key for other lines", status, out, http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED")
		if after := e.state(); !after.equal(s) {
			t.Errorf("replays changed state:\n before %+v\n after  %+v", s, after)
		}

		// carol, declined before, can now pay what her own top-up allows.
		if status, _, body := e.charge("AFTER-BULK", "carol", 3999); status != http.StatusCreated {
			t.Errorf("charge after the bulk top-up: %d %s", status, body)
		}
		checkConservation(t, e.state())
	})
}

func TestConcurrentBulkTopUps(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		const n = 20
		statuses := make([]int, n)
		ids := make([]string, n)
		parallel(n, func(i int) {
			// Half share one key; the other half each have their own and
			// name the users in another order, so rows lock in two orders
			// unless the store sorts them.
			key, body := "shared", `{"topUps":[{"userId":"alice","amountCents":100},{"userId":"bob","amountCents":200}]}`
			if i%2 == 1 {
				key, body = fmt.Sprint("own-", i), `{"topUps":[{"userId":"bob","amountCents":10},{"userId":"alice","amountCents":1}]}`
			}
			var out []byte
			statuses[i], out = e.bulkTopUp(key, body)
			if statuses[i] < 300 {
				ids[i] = decode[httpapi.BulkTopUpResponse](t, out).BulkTopUpID
			}
		})
		created := 0
		for i, s := range statuses {
			switch {
			case s == http.StatusCreated && i%2 == 0:
				created++
			case s == http.StatusOK && i%2 == 0:
			case s == http.StatusCreated && i%2 == 1:
			default:
				t.Errorf("bulk top-up %d: status %d", i, s)
			}
			if i%2 == 0 && ids[i] != ids[0] {
				t.Errorf("bulk top-up %d is %s, bulk top-up 0 is %s", i, ids[i], ids[0])
			}
		}
		if created != 1 {
			t.Errorf("%d answers with the shared key were 201, want 1", created)
		}
		s := e.state()
		if got, want := s.balance("alice"), int64(1_000_000+100+10*1); got != want {
			t.Errorf("alice's balance %d, want %d", got, want)
		}
		if got, want := s.balance("bob"), int64(250_000+200+10*10); got != want {
			t.Errorf("bob's balance %d, want %d", got, want)
		}
		checkConservation(t, s)
	})
}

// A bad line names its field.
func TestBulkTopUpNamesTheField(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		for body, want := range map[string]string{
			`{"topUps":[{"userId":"bob","amountCents":5},{"userId":"alice","amountCents":0}]}`: "topUps[1].amountCents",
			`{"topUps":[{"userId":"bob","amountCents":5},{"userId":"bob","amountCents":6}]}`:   "topUps[1].userId",
			`{"topUps":[{"amountCents":5}]}`: "topUps[0].userId",
			`{"topUps":[]}`:                  "topUps",
		} {
			status, out := e.bulkTopUp("k", body)
			eb := decode[errorBody](t, out)
			if status != http.StatusBadRequest || eb.Error.Details["field"] != want {
				t.Errorf("%s: %d %s, want 400 naming %s", body, status, out, want)
			}
		}
	})
}
