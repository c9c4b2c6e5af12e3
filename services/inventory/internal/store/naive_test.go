package store_test

import (
	"fmt"
	"log/slog"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// raceForLastUnit leaves one unit of sku (reserving the rest the correct
// way), then lets buyers concurrent reservations of 1 race for it, and
// returns how many succeeded. Any error other than OUT_OF_STOCK fails t.
func (e env) raceForLastUnit(t *testing.T, sku string, buyers int) int {
	t.Helper()
	initial := e.stock(t)[sku].Initial
	if _, _, err := e.reserve("SETUP-"+sku, line(sku, initial-1)); err != nil {
		t.Fatal(err)
	}
	errs := testkit.Concurrently(buyers, func(i int) error {
		_, _, err := e.reserve(fmt.Sprintf("RACE-%s-%d", sku, i), line(sku, 1))
		return err
	})
	won := 0
	for i, err := range errs {
		switch testkit.CodeOf(err) {
		case "":
			won++
		case "OUT_OF_STOCK":
		default:
			t.Errorf("buyer %d of %s: %v", i, sku, err)
		}
	}
	return won
}

// held is what the open reservations of sku hold, the audit's measure of
// reserved stock.
func (e env) held(t *testing.T, sku string) int {
	t.Helper()
	list, err := e.st.Reservations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range list {
		for _, l := range r.Lines {
			if r.Status == inventory.Reserved && l.SKU == sku {
				n += l.Quantity
			}
		}
	}
	return n
}

// The naive reservation (reserve.strategy=naive read-then-write) sells the
// last unit to several buyers; the conditional update, raced the same way,
// never does. The naive read holds no connection during its wait, so it
// oversells on SQLite's single connection as well as on MySQL.
func TestNaiveReadThenWriteOversells(t *testing.T) {
	const buyers = 6
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		for _, sku := range []string{"RM-KETTLE-GOOSE", "RM-HEADPHONES", "RM-KNIFE-CHEF"} {
			if won := e.raceForLastUnit(t, sku, buyers); won != 1 {
				t.Errorf("correct: %s: %d buyers got the last unit, want 1", sku, won)
			}
			if st, held := e.stock(t)[sku], e.held(t, sku); st.Available != 0 || st.Reserved != held {
				t.Errorf("correct: %s: stock %+v, open reservations hold %d", sku, st, held)
			}
		}

		set := faults.New("inventory", slog.New(slog.DiscardHandler))
		e.svc.UseFaults(set)
		if _, err := set.Arm(faults.Spec{Point: inventory.PointReserveStrategy, Action: faults.Naive,
			Value: inventory.VariantReadThenWrite}); err != nil {
			t.Fatal(err)
		}
		naive := []string{"RM-TENT-2P", "RM-BACKPACK-28", "RM-PLANTER-HERB"} // a race each, until one oversells
		for i, sku := range naive {
			won := e.raceForLastUnit(t, sku, buyers)
			st, held := e.stock(t)[sku], e.held(t, sku)
			t.Logf("naive: %s: %d of %d buyers got the last unit; stock %+v; open reservations hold %d", sku, won, buyers, st, held)
			if won > 1 {
				if held <= st.Initial || st.Reserved == held {
					t.Errorf("naive: %s: %d winners, yet open reservations hold %d of %d and reserved is %d",
						sku, won, held, st.Initial, st.Reserved)
				}
				return
			}
			if i == len(naive)-1 {
				t.Errorf("the naive reservation never oversold in %d races of %d buyers", len(naive), buyers)
			}
		}
	})
}
