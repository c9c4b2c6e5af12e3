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

// The charge fault point is declared on the service's fault set: armed by
// PAYMENT_FAULTS at start and by the admin API, acted out by the real
// server (a dropped answer is a cut connection).
func TestRunChargeFaults(t *testing.T) {
	s := programtest.Start(t, dbtest.SQLiteDSN(t), loadConfig, run, map[string]string{
		"ADMIN_TOKEN": "run-test", "PAYMENT_FAULTS": "charge=answer,value=decline,count=1",
	})
	admin := []string{"X-Admin-Token", "run-test"}
	charge := func(orderNo string) (int, string) {
		return s.Do(t, http.MethodPost, "/api/v1/charges", `{"orderNo":"`+orderNo+`","userId":"bob","amountCents":100}`, admin...)
	}
	if status, body := charge("RUN-1"); status != http.StatusPaymentRequired || !strings.Contains(body, "PAYMENT_DECLINED") {
		t.Errorf("charge under PAYMENT_FAULTS' decline: %d %s, want 402 PAYMENT_DECLINED", status, body)
	}
	if status, body := s.Do(t, http.MethodPost, "/api/v1/admin/faults", `{"point":"charge","action":"drop","count":1}`, admin...); status != http.StatusCreated {
		t.Fatalf("arm drop: %d %s", status, body)
	}
	if status, body := charge("RUN-1"); status != 0 {
		t.Errorf("charge under drop: %d %s, want no answer (connection cut)", status, body)
	}
	status, body := s.Do(t, http.MethodGet, "/api/v1/charges/RUN-1", "", admin...)
	if status != http.StatusOK || !strings.Contains(body, `"status":"SUCCEEDED"`) {
		t.Errorf("GET of the charge whose answer was dropped: %d %s, want 200 SUCCEEDED", status, body)
	}
}
