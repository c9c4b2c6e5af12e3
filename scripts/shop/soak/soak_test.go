package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
	"github.com/rocketmart/rocketmart/services/audit"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// The short soak of `make test`: 40 s of load with a kill every ~6 s, on
// SQLite, then on MariaDB/MySQL with two order instances (when
// TEST_MYSQL_DSN is set; required in CI). Any finding fails the test; the
// logs are kept and named. On SQLite the run then corrupts one paid
// order's charge behind the services' backs and checks that the soak's
// checks name that order, so a soak that cannot fail would fail here.
func TestShortSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop under crashes; skipped with -short")
	}
	bin := t.TempDir()
	if err := launcher.Build(t.Context(), "../../..", bin, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		flavour   string
		instances int
		first     []string // the kills that matter most, before the seeded order
	}{
		{"sqlite", 1, []string{"minirmq", "order", "payment", "web", "inventory"}},
		{"mysql", 2, []string{launcher.SecondOrder, "minirmq", "payment", "order"}},
	}
	for _, tc := range tests {
		t.Run(tc.flavour, func(t *testing.T) {
			dbs := map[string]string{}
			if tc.flavour == "mysql" {
				for _, svc := range launcher.ServiceNames() {
					dbs[svc] = dbtest.MySQLDSN(t)
				}
			}
			data, err := os.MkdirTemp("", "rocketmart-soak-test-")
			if err != nil {
				t.Fatal(err)
			}
			seed := uint64(time.Now().UnixNano())
			cfg := Config{Duration: 40 * time.Second, KillEvery: 6 * time.Second, RecoveryBound: time.Minute, Seed: seed,
				Workers: 2, PaymentTimeout: 8 * time.Second, BinDir: bin, DataDir: data, DB: dbs,
				OrderInstances: tc.instances, First: tc.first, Out: t.Output()}
			corrupted := ""
			if tc.flavour == "sqlite" {
				cfg.AfterCheck = func(shop *launcher.Shop, recheck func() []Finding) {
					corrupted = corruptAPaidCharge(t, shop, filepath.Join(data, "payment.db"))
					found := recheck()
					expectNamed(t, found, corrupted)
					t.Logf("corrupted %s's charge: the checks found %d findings naming it and others", corrupted, len(found))
				}
			}
			res, err := Run(t.Context(), cfg)
			if err != nil {
				t.Fatalf("seed %d: %v (logs in %s)", seed, err, data)
			}
			printResult(t.Output(), res, tc.flavour, seed)
			for _, f := range res.Findings {
				t.Error(f)
			}
			kills := 0
			for _, n := range res.Kills {
				kills += n
			}
			if kills < 3 || res.Orders < 50 {
				t.Errorf("%d kills and %d orders, want at least 3 and 50: the soak did not soak", kills, res.Orders)
			}
			if tc.flavour == "sqlite" && corrupted == "" {
				t.Error("the corruption check did not run")
			}
			if t.Failed() {
				t.Logf("logs kept in %s; replay with go run ./scripts/shop/soak -seed %d -db %s", res.LogDir, seed, tc.flavour)
				return
			}
			os.RemoveAll(data)
		})
	}
}

// corruptAPaidCharge adds a cent to one paid order's charge in payment's
// SQLite file and returns the order's number.
func corruptAPaidCharge(t *testing.T, shop *launcher.Shop, paymentDB string) string {
	t.Helper()
	var paid struct{ Orders []audit.Order }
	if err := adminGet(t.Context(), shop, shop.URL["order"]+"/api/v1/admin/orders?status=PAID&limit=1", &paid); err != nil || len(paid.Orders) == 0 {
		t.Fatalf("a paid order to corrupt: %v, %d orders", err, len(paid.Orders))
	}
	no := paid.Orders[0].OrderNo
	db, err := database.Open(context.Background(), "sqlite:"+paymentDB, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	if res := db.Exec("UPDATE charges SET amount_cents = amount_cents + 1 WHERE order_no = ?", no); res.Error != nil || res.RowsAffected != 1 {
		t.Fatalf("corrupt %s's charge: %v, %d rows", no, res.Error, res.RowsAffected)
	}
	return no
}

// expectNamed: the checks name the corrupted order, through the audit
// (invariant 1) and through the answers' check.
func expectNamed(t *testing.T, findings []Finding, orderNo string) {
	t.Helper()
	var byAudit, byAnswers bool
	for _, f := range findings {
		if f.Subject != "order "+orderNo {
			continue
		}
		byAudit = byAudit || strings.HasPrefix(f.What, "invariant 1")
		byAnswers = byAnswers || strings.Contains(f.What, "charge")
	}
	if !byAudit || !byAnswers {
		t.Errorf("after corrupting %s's charge, the findings name it by the audit %v, by the answers %v:\n%v", orderNo, byAudit, byAnswers, findings)
	}
}
