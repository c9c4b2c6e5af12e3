package main

// The configuration tests every service has, in the same shape: defaults,
// each bad value refused by its variable's name, every problem at once.

import (
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	got, err := loadConfig(env(nil))
	want := config{Addr: ":8081", DB: "sqlite:data/order.db", NameServer: "127.0.0.1:9876", ClientLogLevel: "warn",
		MaxReconsume: 16, AdminToken: "rocketmart-admin", LogLevel: slog.LevelInfo,
		InventoryURL: "http://127.0.0.1:8083", PaymentURL: "http://127.0.0.1:8082", CartURL: "http://127.0.0.1:8086",
		PaymentTimeout: 15 * time.Minute, ReservationGrace: 10 * time.Minute, PaymentCallTimeout: 3 * time.Second,
		SweepInterval: 30 * time.Second, logOut: os.Stdout}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("defaults = %+v, %v; want %+v", got, err, want)
	}
}

func TestLoadConfigParsesDelayLevels(t *testing.T) {
	got, err := loadConfig(env(map[string]string{"ORDER_DELAY_LEVELS": "500ms, 1s 2s"}))
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}
	if err != nil || !reflect.DeepEqual(got.DelayLevels, want) {
		t.Errorf("delay levels = %v, %v; want %v", got.DelayLevels, err, want)
	}
}

func TestLoadConfigNamesTheBadVariable(t *testing.T) {
	for _, tt := range []struct{ name, value string }{
		{"ORDER_ADDR", "8081"},
		{"ORDER_DB", "postgres://x"},
		{"ORDER_DB", "mysql://root@127.0.0.1/order"},
		{"ROCKETMQ_NAMESERVER", ":9876"},
		{"ROCKETMQ_CLIENT_LOG_LEVEL", "chatty"},
		{"ORDER_MAX_RECONSUME", "0"},
		{"ADMIN_TOKEN", "a b"},
		{"LOG_LEVEL", "loud"},
		{"INVENTORY_URL", "inventory:8083"},
		{"PAYMENT_URL", "ftp://payment"},
		{"CART_URL", "http://"},
		{"ORDER_PAYMENT_TIMEOUT", "soon"},
		{"ORDER_PAYMENT_TIMEOUT", "-1m"},
		{"ORDER_RESERVATION_GRACE", "0s"},
		{"ORDER_PAYMENT_CALL_TIMEOUT", "25s"},
		{"ORDER_SWEEP_INTERVAL", "10ms"},
		{"ORDER_DELAY_LEVELS", "1s,x"},
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
		"ORDER_ADDR": "x", "ORDER_MAX_RECONSUME": "0", "LOG_LEVEL": "loud", "ORDER_DB": "mysql://root:hunter2@127.0.0.1/x",
		"ORDER_PAYMENT_TIMEOUT": "soon",
	}))
	for _, want := range []string{"ORDER_ADDR", "ORDER_MAX_RECONSUME", "LOG_LEVEL", "ORDER_DB", "ORDER_PAYMENT_TIMEOUT"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to name %s", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v leaks the password", err)
	}
}
