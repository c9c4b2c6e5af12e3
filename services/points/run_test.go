package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/program/programtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// run credits an ORDER_PAID published to the broker, logs the credit, and
// serves points' API, admin views and document (programtest and platform's
// tests cover what every service's run does).
func TestRunCreditsPublishedOrders(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, dsn string) {
		s := programtest.Start(t, dsn, loadConfig, run, map[string]string{"ADMIN_TOKEN": "run-test"})
		body, _ := json.Marshal(contracts.OrderPaid{EventID: "ev-run", OrderNo: "RM-RUN", UserID: "bob", TotalCents: 2_500,
			Lines: []contracts.OrderLine{{SKU: "RM-KETTLE-GOOSE", Quantity: 1, UnitPriceCents: 2_500}}})
		s.Broker.Send(t, contracts.TopicOrderPaid, "RM-RUN", body)
		var st struct {
			Balance int64
			Ledger  []struct{ OrderNo string }
		}
		testkit.Eventually(t, programtest.Timeout, "bob credited 25 points", func() bool {
			status, b := s.Do(t, http.MethodGet, "/api/v1/points", "", "X-User-ID", "bob")
			return status == http.StatusOK && json.Unmarshal([]byte(b), &st) == nil && st.Balance == 25 && len(st.Ledger) == 1
		})
		if status, b := s.Do(t, http.MethodGet, "/api/v1/admin/points/accounts", "", "X-Admin-Token", "run-test"); status != http.StatusOK || !strings.Contains(b, `"ledgerSum":25`) {
			t.Errorf("admin accounts: %d %s", status, b)
		}
		if status, b := s.Do(t, http.MethodGet, "/swagger/doc.json", ""); status != http.StatusOK || !strings.Contains(b, "RocketMart points API") {
			t.Errorf("swagger doc: %d %.200s", status, b)
		}
		s.WaitProcessed(t, "points-order-paid", "ORDER_PAID", 1)
		testkit.Eventually(t, programtest.Timeout, "the credit logged", func() bool {
			logs := s.Logs()
			return strings.Contains(logs, `"msg":"points credited"`) && strings.Contains(logs, `"order_no":"RM-RUN"`)
		})
	})
}
