package main

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
)

func TestDatabasesFromEnvironment(t *testing.T) {
	env := map[string]string{
		"ORDER_DB":   "mysql://rm:secret@tcp(127.0.0.1:3306)/rm_order",
		"POINTS_DB":  "sqlite:/tmp/points.db",
		"PAYMENT_DB": "",
		"WEB_DB":     "mysql://nobody@tcp(x)/y", // the gateway has no database
	}
	got := databases(func(k string) string { return env[k] })
	want := map[string]string{"order": env["ORDER_DB"], "points": env["POINTS_DB"]}
	if !maps.Equal(got, want) {
		t.Errorf("databases = %v, want %v", got, want)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"mysql://rm:secret@tcp(127.0.0.1:3306)/rm_order": "mysql://rm:***@tcp(127.0.0.1:3306)/rm_order",
		"mysql://rm@tcp(127.0.0.1:3306)/rm_order":        "mysql://rm@tcp(127.0.0.1:3306)/rm_order",
		"sqlite:data/order.db":                           "sqlite:data/order.db",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestListServices: the Makefile builds what -services prints, so it must be
// the table's names in start order and nothing else.
func TestListServices(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"-services"}, &out); err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(out.String())
	if want := contracts.ServiceNames(); !slices.Equal(got, want) {
		t.Errorf("-services printed %q, want %q", got, want)
	}
}
