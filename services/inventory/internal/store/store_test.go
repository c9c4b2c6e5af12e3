package store_test

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/inventory/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

func code(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return ""
}

func TestSeedIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if _, _, err := e.reserve("RM-SEED", line(tent, 3)); err != nil {
			t.Fatal(err)
		}
		before := e.stock(t)

		if err := store.Migrate(db); err != nil { // a restart migrates again
			t.Fatalf("second migration: %v", err)
		}
		n, err := e.svc.Seed(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("second seed inserted %d products, want 0", n)
		}
		products, err := e.svc.Products(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(products), len(inventory.Catalogue()); got != want || got < 12 {
			t.Errorf("%d products after two seeds, want %d (at least 12)", got, want)
		}
		after := e.stock(t)
		if !maps.Equal(before, after) {
			t.Errorf("seeding again changed stock:\nbefore %v\nafter  %v", before, after)
		}
		if got := after[tent]; got.Available != 17 || got.Reserved != 3 {
			t.Errorf("tent stock = %+v, want 17 available and 3 reserved", got)
		}
	})
}

func TestProductsCarryAvailableStock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if _, _, err := e.reserve("RM-P", line(rocket, 2)); err != nil {
			t.Fatal(err)
		}
		p, err := e.svc.Product(context.Background(), rocket)
		if err != nil {
			t.Fatal(err)
		}
		if p.Available != 3 || p.Name != "Limited Edition Rocket Lamp" || p.PriceCents != 15999 {
			t.Errorf("product = %+v, want the rocket lamp with 3 available", p)
		}
		if _, err := e.svc.Product(context.Background(), "rm-lamp-rocket"); code(err) != "UNKNOWN_SKU" {
			t.Errorf("lower-case SKU: err = %v, want UNKNOWN_SKU (SKUs are case-sensitive on every database)", err)
		}
	})
}

func TestReserveIsAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		before := e.stock(t)
		_, _, err := e.reserve("RM-MULTI", line(mug, 2), line(tent, 21), line(rocket, 6))
		if code(err) != "OUT_OF_STOCK" {
			t.Fatalf("err = %v, want OUT_OF_STOCK", err)
		}
		e2, _ := apperr.As(err)
		want := []map[string]any{
			{"sku": tent, "requested": 21, "available": 20},
			{"sku": rocket, "requested": 6, "available": 5},
		}
		if got := e2.Details["short"]; !reflect.DeepEqual(got, want) {
			t.Errorf("short = %v, want every short line %v", got, want)
		}
		if after := e.stock(t); !maps.Equal(before, after) {
			t.Errorf("a failed reservation changed stock:\nbefore %v\nafter  %v", before, after)
		}
		if _, err := e.svc.Reservation(context.Background(), "RM-MULTI"); code(err) != "RESERVATION_NOT_FOUND" {
			t.Errorf("reservation after failure: err = %v, want RESERVATION_NOT_FOUND", err)
		}
		if n := e.count(t, "reservation_lines"); n != 0 {
			t.Errorf("%d reservation lines left behind", n)
		}

		_, _, err = e.reserve("RM-MULTI", line(mug, 2), line("RM-NOPE", 1))
		if code(err) != "UNKNOWN_SKU" {
			t.Errorf("unknown SKU: err = %v, want UNKNOWN_SKU", err)
		}
		if after := e.stock(t); !maps.Equal(before, after) {
			t.Errorf("an unknown SKU changed stock")
		}

		// The same order number is free again and reserves every line.
		r, created, err := e.reserve("RM-MULTI", line(mug, 2), line(tent, 20), line(rocket, 5))
		if err != nil || !created {
			t.Fatalf("reserve after failures: created %v, err %v", created, err)
		}
		if got := e.stock(t); got[mug].Reserved != 2 || got[tent].Available != 0 || got[rocket].Available != 0 {
			t.Errorf("stock after a full reservation = %v", got)
		}
		if r.Lines[1].Name != "Ultralight 2-Person Tent" || r.Lines[1].UnitPriceCents != 24999 {
			t.Errorf("line carries %+v, want the catalogue's name and price", r.Lines[1])
		}
	})
}

func TestReserveReplayIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		first, created, err := e.reserve("RM-REPLAY", line(tent, 2), line(mug, 1))
		if err != nil || !created {
			t.Fatalf("first: created %v, err %v", created, err)
		}
		e.clock.advance(time.Minute) // a retry computes a later expiry
		again, created, err := e.reserve("RM-REPLAY", line(mug, 1), line(tent, 2))
		if err != nil || created {
			t.Fatalf("replay: created %v, err %v; want the existing reservation", created, err)
		}
		if !reflect.DeepEqual(again, first) {
			t.Errorf("replay answered\n%+v\nwant what the first call answered\n%+v", again, first)
		}
		stored, err := e.svc.Reservation(context.Background(), "RM-REPLAY")
		if err != nil || !reflect.DeepEqual(stored, first) {
			t.Errorf("stored reservation\n%+v (%v)\nwant what the first call answered\n%+v", stored, err, first)
		}
		if _, _, err := e.reserve("RM-REPLAY", line(tent, 3), line(mug, 1)); code(err) != "RESERVATION_MISMATCH" {
			t.Errorf("other lines: err = %v, want RESERVATION_MISMATCH", err)
		}
		if got := e.stock(t)[tent]; got.Reserved != 2 {
			t.Errorf("tent reserved %d, want 2: a replay moved stock", got.Reserved)
		}
	})
}

func TestOrderNumbersAreCaseSensitive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if _, created, err := e.reserve("rm-case", line(mug, 1)); err != nil || !created {
			t.Fatalf("lower case: created %v, err %v", created, err)
		}
		if _, created, err := e.reserve("RM-CASE", line(mug, 2)); err != nil || !created {
			t.Fatalf("upper case: created %v, err %v; want a second reservation", created, err)
		}
	})
}

func TestSoldReservationsStaySold(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if _, _, err := e.reserve("RM-SOLD", line(rocket, 2)); err != nil {
			t.Fatal(err)
		}
		if r, err := e.svc.Sell(ctx, "RM-SOLD"); err != nil || r.Status != inventory.Sold {
			t.Fatalf("sell: status %s, err %v", r.Status, err)
		}
		if _, err := e.svc.Sell(ctx, "RM-SOLD"); err != nil {
			t.Errorf("selling again: %v, want a no-op", err)
		}
		if _, err := e.svc.Release(ctx, "RM-SOLD"); code(err) != "RESERVATION_SOLD" {
			t.Errorf("release of a sold reservation: err = %v, want RESERVATION_SOLD", err)
		}
		if got := e.stock(t)[rocket]; got.Sold != 2 || got.Reserved != 0 || got.Available != 3 {
			t.Errorf("rocket stock = %+v, want 2 sold once", got)
		}
		if _, err := e.svc.Release(ctx, "RM-NONE"); code(err) != "RESERVATION_NOT_FOUND" {
			t.Errorf("release of an unknown order: err = %v, want RESERVATION_NOT_FOUND", err)
		}
	})
}

func TestReleaseClaimedRecordsTheEventOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if _, _, err := e.reserve("RM-EV", line(tent, 1)); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		tr, err := e.st.ReleaseClaimed(ctx, "g", "ev-1", "RM-EV", now)
		if err != nil || !tr.Changed {
			t.Fatalf("first delivery: %+v, %v", tr, err)
		}
		if _, err := e.st.ReleaseClaimed(ctx, "g", "ev-1", "RM-EV", now); !errors.Is(err, apperr.ErrAlreadyApplied) {
			t.Errorf("second delivery: err = %v, want apperr.ErrAlreadyApplied", err)
		}
		// Another event for the same order finds it released and still
		// records its claim; so does an event for an order never reserved.
		if tr, err := e.st.ReleaseClaimed(ctx, "g", "ev-2", "RM-EV", now); err != nil || tr.Changed || !tr.Found {
			t.Errorf("other event: %+v, %v", tr, err)
		}
		if tr, err := e.st.ReleaseClaimed(ctx, "g", "ev-3", "RM-ABSENT", now); err != nil || tr.Found {
			t.Errorf("absent order: %+v, %v", tr, err)
		}
		if got := e.count(t, "processed_events"); got != 3 {
			t.Errorf("%d claims, want 3", got)
		}
		if got := e.stock(t)[tent]; got.Available != 20 {
			t.Errorf("tent available %d, want 20", got.Available)
		}
	})
}

func TestExpiredListsOnlyExpiredReservedOnes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, no := range []string{"RM-E1", "RM-E2", "RM-E3"} {
			if _, _, err := e.reserve(no, line(mug, 1)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.Release(ctx, "RM-E2"); err != nil {
			t.Fatal(err)
		}
		e.clock.advance(time.Hour)
		if _, _, err := e.reserve("RM-FRESH", line(mug, 1)); err != nil {
			t.Fatal(err)
		}
		got, err := e.st.Expired(ctx, e.clock.now(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"RM-E1", "RM-E3"}; !reflect.DeepEqual(got, want) {
			t.Errorf("expired = %v, want %v", got, want)
		}
	})
}

// The CHECK constraint is the database's own guard of the invariant.
func TestDatabaseRefusesBrokenStock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		err := db.Exec("UPDATE stock SET available = available - 1 WHERE sku = ?", mug).Error
		if err == nil {
			t.Error("the database accepted stock that breaks initial + restocked = available + reserved + sold")
		}
		err = db.Exec("UPDATE stock SET available = available - 6, reserved = reserved + 6 WHERE sku = ?", rocket).Error
		if err == nil {
			t.Error("the database accepted negative available stock")
		}
		e.stock(t)
	})
}
