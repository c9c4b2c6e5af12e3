package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/program/programtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// The service as main wires it, on each database and a real broker: an
// ORDER_PAID message becomes a shipment the user sees and an operator
// ships, the delivery is counted under logistics' group, and the document
// served is logistics' (programtest and platform's tests cover what every
// service's run does).
func TestRun(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, dsn string) {
		s := programtest.Start(t, dsn, loadConfig, run, map[string]string{"ADMIN_TOKEN": "t0ken"})
		body, _ := json.Marshal(contracts.OrderPaid{EventID: "ev-1", OrderNo: "RM-SERVE-1", UserID: "alice", TotalCents: 1800,
			Lines:  []contracts.OrderLine{{SKU: "RM-MUG-STONE", Name: "Stoneware Mug", Quantity: 1, UnitPriceCents: 1800}},
			PaidAt: time.Now().UTC()})
		s.Broker.Send(t, contracts.TopicOrderPaid, "RM-SERVE-1", body)
		testkit.Eventually(t, programtest.Timeout, "alice's shipment", func() bool {
			status, b := s.Do(t, http.MethodGet, "/api/v1/shipments", "", "X-User-ID", "alice")
			return status == http.StatusOK && strings.Contains(b, `"orderNo":"RM-SERVE-1"`)
		})
		if status, b := s.Do(t, http.MethodPost, "/api/v1/admin/shipments/RM-SERVE-1/ship", "", "X-Admin-Token", "t0ken"); status != http.StatusOK || !strings.Contains(b, `"status":"SHIPPED"`) {
			t.Errorf("ship = %d %s", status, b)
		}
		s.WaitProcessed(t, "logistics-order-paid", "ORDER_PAID", 1)
		spec, err := apidocs.Spec(serviceName)
		if err != nil {
			t.Fatal(err)
		}
		if _, b := s.Do(t, http.MethodGet, "/swagger/doc.json", ""); b != string(spec) {
			t.Errorf("/swagger/doc.json = %q, want the logistics API document", b)
		}
	})
}
