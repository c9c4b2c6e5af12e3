package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/program/programtest"
)

// run seeds the demo wallets and serves payment's API and document
// (programtest and platform's tests cover what every service's run does).
func TestRun(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, dsn string) {
		s := programtest.Start(t, dsn, loadConfig, run, map[string]string{"ADMIN_TOKEN": "run-test"})
		status, body := s.Do(t, http.MethodGet, "/api/v1/wallet", "", "X-User-ID", "carol")
		var w struct{ BalanceCents int64 }
		if err := json.Unmarshal([]byte(body), &w); status != http.StatusOK || err != nil || w.BalanceCents != 1500 {
			t.Errorf("carol's wallet: %d %s, want the seeded 1500", status, body)
		}
		if status, body := s.Do(t, http.MethodGet, "/swagger/doc.json", ""); status != http.StatusOK || !strings.Contains(body, "/api/v1/charges") {
			t.Errorf("swagger doc: %d, want payment's", status)
		}
		if status, _ := s.Do(t, http.MethodGet, "/api/v1/admin/wallets", "", "X-Admin-Token", "run-test"); status != http.StatusOK {
			t.Errorf("admin wallets: %d, want 200 with the configured token", status)
		}
	})
}
