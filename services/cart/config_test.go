package main

// The configuration tests every service has, in the same shape: defaults,
// each bad value refused by its variable's name, every problem at once.

import (
	"log/slog"
	"os"
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	got, err := loadConfig(env(nil))
	want := config{Addr: ":8086", DB: "sqlite:data/cart.db", NameServer: "127.0.0.1:9876", ClientLogLevel: "warn",
		MaxReconsume: 16, AdminToken: "rocketmart-admin", LogLevel: slog.LevelInfo, InventoryURL: "http://127.0.0.1:8083", logOut: os.Stdout}
	if err != nil || got != want {
		t.Errorf("defaults = %+v, %v; want %+v", got, err, want)
	}
}

func TestLoadConfigNamesTheBadVariable(t *testing.T) {
	for _, tt := range []struct{ name, value string }{
		{"CART_ADDR", "localhost"},
		{"CART_ADDR", ":http"},
		{"CART_ADDR", ":99999"},
		{"CART_DB", "postgres://x"},
		{"CART_DB", "sqlite:"},
		{"CART_DB", "sqlite:x.db?mode=ro"},
		{"CART_DB", "mysql://u:p@tcp(h:3306)/"},
		{"CART_DB", "mysql://root@127.0.0.1/x"},
		{"ROCKETMQ_NAMESERVER", ":9876"},
		{"ROCKETMQ_NAMESERVER", "h:99999"},
		{"ROCKETMQ_NAMESERVER", "a:9876;b"},
		{"ROCKETMQ_CLIENT_LOG_LEVEL", "chatty"},
		{"ROCKETMQ_CLIENT_LOG_LEVEL", "WARN"},
		{"CART_MAX_RECONSUME", "many"},
		{"CART_MAX_RECONSUME", "0"},
		{"CART_MAX_RECONSUME", "33"},
		{"CART_MAX_RECONSUME", "4294967312"},
		{"ADMIN_TOKEN", "a b"},
		{"LOG_LEVEL", "loud"},
		{"INVENTORY_URL", "127.0.0.1:8083"},
		{"INVENTORY_URL", "ftp://inventory"},
		{"INVENTORY_URL", "http://"},
		{"INVENTORY_URL", "http://inventory?x=1"},
	} {
		_, err := loadConfig(env(map[string]string{tt.name: tt.value}))
		if err == nil || strings.Count(err.Error(), tt.name) != 1 {
			t.Errorf("%s=%q: err = %v, want one error naming %s", tt.name, tt.value, err, tt.name)
		}
	}
}

// One start-up reports every bad setting, and never the database password.
func TestLoadConfigReportsEveryProblemWithoutThePassword(t *testing.T) {
	_, err := loadConfig(env(map[string]string{
		"CART_ADDR": "x", "CART_MAX_RECONSUME": "0", "LOG_LEVEL": "loud", "CART_DB": "mysql://root:hunter2@127.0.0.1/x",
	}))
	for _, want := range []string{"CART_ADDR", "CART_MAX_RECONSUME", "LOG_LEVEL", "CART_DB"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to name %s", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v leaks the password", err)
	}
}
