package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
)

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

// TestListServices: scripts build what -services prints, so it must be
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
