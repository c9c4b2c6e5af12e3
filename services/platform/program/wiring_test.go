package program_test

import (
	"net"
	"testing"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/program"
)

// The checks pass while the database and a name server answer, and the
// broker's check fails once nothing listens at its address.
func TestReadyChecks(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	checks := program.ReadyChecks(dbtest.SQLite(t), addr)
	if len(checks) != 2 || checks[0].Name != "database" || checks[1].Name != "broker" {
		t.Fatalf("checks %+v, want database and broker", checks)
	}
	for _, c := range checks {
		if err := c.Check(t.Context()); err != nil {
			t.Errorf("%s: %v, want ok", c.Name, err)
		}
	}
	ln.Close()
	if err := checks[1].Check(t.Context()); err == nil {
		t.Error("broker check passed with nothing listening")
	}
}
