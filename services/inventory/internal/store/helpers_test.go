package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/inventory/internal/store"
)

// The seeded SKUs the tests lean on.
const (
	rocket = "RM-LAMP-ROCKET" // 5 units
	tent   = "RM-TENT-2P"     // 20 units
	mug    = "RM-MUG-STONE"   // 200 units
)

// testClock is a settable clock for the service.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// env is a migrated, seeded database with a store and a service over it.
type env struct {
	db    *gorm.DB
	st    *store.Store
	svc   *inventory.Service
	clock *testClock
}

func newEnv(t *testing.T, db *gorm.DB) env {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	st := store.New(db)
	clock := &testClock{}
	svc := inventory.NewService(st, nil, nil, clock.now)
	if _, err := svc.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	return env{db: db, st: st, svc: svc, clock: clock}
}

func (e env) reserve(orderNo string, lines ...inventory.LineRequest) (inventory.Reservation, bool, error) {
	return e.svc.Reserve(context.Background(), inventory.ReserveRequest{
		OrderNo: orderNo, Lines: lines, ExpiresAt: e.clock.now().Add(30 * time.Minute)})
}

func line(sku string, q int) inventory.LineRequest {
	return inventory.LineRequest{SKU: sku, Quantity: q}
}

// stock returns the stock by SKU and fails the test if any SKU breaks
// conservation or goes negative.
func (e env) stock(t *testing.T) map[string]inventory.Stock {
	t.Helper()
	list, err := e.st.Stock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]inventory.Stock, len(list))
	for _, s := range list {
		if s.Initial+s.Restocked != s.Available+s.Reserved+s.Sold || s.Available < 0 || s.Reserved < 0 || s.Sold < 0 {
			t.Errorf("stock of %s breaks the invariant: %+v", s.SKU, s)
		}
		out[s.SKU] = s
	}
	return out
}

// count counts the rows of a table.
func (e env) count(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := e.db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func orderNo(i int) string { return fmt.Sprintf("RM-T-%04d", i) }
