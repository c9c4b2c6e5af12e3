package main

// The shared settings' checks are platform's (envconf.Base); these are the
// cart's own: its row, its default and its one variable.

import (
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	got, err := loadConfig(env(nil))
	want := config{Base: got.Base, InventoryURL: "http://127.0.0.1:8083"}
	if err != nil || got != want || got.Addr != "127.0.0.1:8086" || got.DB != "sqlite:data/cart.db" {
		t.Errorf("defaults = %+v, %v; want %+v on 127.0.0.1:8086 and sqlite:data/cart.db", got, err, want)
	}
}

func TestLoadConfigNamesTheBadVariable(t *testing.T) {
	for _, value := range []string{"127.0.0.1:8083", "ftp://inventory", "http://", "http://inventory?x=1"} {
		_, err := loadConfig(env(map[string]string{"INVENTORY_URL": value, "CART_ADDR": "x"}))
		if err == nil || strings.Count(err.Error(), "INVENTORY_URL") != 1 || !strings.Contains(err.Error(), "CART_ADDR") {
			t.Errorf("INVENTORY_URL=%q: err = %v, want one error naming INVENTORY_URL beside the shared one", value, err)
		}
	}
}
