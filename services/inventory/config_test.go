package main

// The shared settings' checks are platform's (envconf.Base); these are the
// inventory's own: its row, its defaults and its variables.

import (
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	got, err := loadConfig(env(nil))
	want := config{Base: got.Base, OrderURL: "http://127.0.0.1:8081", SweepInterval: 30 * time.Second}
	if err != nil || got != want || got.Addr != "127.0.0.1:8083" || got.DB != "sqlite:data/inventory.db" {
		t.Errorf("defaults = %+v, %v; want %+v on 127.0.0.1:8083 and sqlite:data/inventory.db", got, err, want)
	}
}

func TestLoadConfigNamesTheBadVariable(t *testing.T) {
	for _, tt := range []struct{ name, value string }{
		{"ORDER_URL", "127.0.0.1:8081"},
		{"ORDER_URL", "ftp://orders"},
		{"INVENTORY_SWEEP_INTERVAL", "often"},
		{"INVENTORY_SWEEP_INTERVAL", "10ms"},
	} {
		_, err := loadConfig(env(map[string]string{tt.name: tt.value, "INVENTORY_ADDR": "x"}))
		if err == nil || strings.Count(err.Error(), tt.name) != 1 || !strings.Contains(err.Error(), "INVENTORY_ADDR") {
			t.Errorf("%s=%q: err = %v, want one error naming %s beside the shared one", tt.name, tt.value, err, tt.name)
		}
	}
}
