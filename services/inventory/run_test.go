package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/program/programtest"
)

// run seeds the catalogue and serves inventory's API, admin routes and
// document (programtest and platform's tests cover what every service's run
// does; the sweeper is the domain's, tested there).
func TestRun(t *testing.T) {
	s := programtest.Start(t, dbtest.SQLiteDSN(t), loadConfig, run,
		map[string]string{"ADMIN_TOKEN": "run-test", "INVENTORY_SWEEP_INTERVAL": "1h",
			"INVENTORY_FAULTS": "reserve.strategy=naive,value=read-then-write,for=1h"})
	if status, b := s.Do(t, http.MethodGet, "/api/v1/products", ""); status != http.StatusOK || !strings.Contains(b, `"sku":"RM-MUG-STONE"`) {
		t.Errorf("products: %d %.200s, want the seeded catalogue", status, b)
	}
	if !strings.Contains(s.Logs(), `"msg":"catalogue seeded"`) {
		t.Errorf("logs lack the seeding:\n%s", s.Logs())
	}
	if status, b := s.Do(t, http.MethodGet, "/swagger/doc.json", ""); status != http.StatusOK || !strings.Contains(b, "RocketMart inventory API") {
		t.Errorf("swagger doc: %d, want inventory's", status)
	}
	if status, b := s.Do(t, http.MethodGet, "/api/v1/admin/stock", "", "X-Admin-Token", "run-test"); status != http.StatusOK || !strings.Contains(b, "RM-MUG-STONE") {
		t.Errorf("admin stock with the configured token: %d %.200s", status, b)
	}
	if status, _ := s.Do(t, http.MethodGet, "/api/v1/admin/stock", "", "X-Admin-Token", "rocketmart-admin"); status == http.StatusOK {
		t.Error("admin stock answered the default token, not the configured one")
	}
	// reserve.strategy is declared before INVENTORY_FAULTS is armed.
	if status, b := s.Do(t, http.MethodGet, "/readyz", ""); status != http.StatusOK || !strings.Contains(b, "reserve.strategy: naive read-then-write") {
		t.Errorf("readyz: %d %.300s, want the armed reserve.strategy listed", status, b)
	}
}
