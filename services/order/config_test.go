package main

// The shared settings' checks are platform's (envconf.Base); these are the
// order service's own: its row, its defaults and its variables.

import (
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
	want := config{Base: got.Base, InventoryURL: "http://127.0.0.1:8083", PaymentURL: "http://127.0.0.1:8082", CartURL: "http://127.0.0.1:8086", PointsURL: "http://127.0.0.1:8085",
		PaymentTimeout: 15 * time.Minute, ReservationGrace: 10 * time.Minute, PaymentCallTimeout: 3 * time.Second,
		SweepInterval: 30 * time.Second, ReturnWindow: 14 * 24 * time.Hour}
	if err != nil || !reflect.DeepEqual(got, want) || got.Addr != "127.0.0.1:8081" || got.DB != "sqlite:data/order.db" {
		t.Errorf("defaults = %+v, %v; want %+v on 127.0.0.1:8081 and sqlite:data/order.db", got, err, want)
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
		{"INVENTORY_URL", "inventory:8083"},
		{"PAYMENT_URL", "ftp://payment"},
		{"CART_URL", "http://"},
		{"POINTS_URL", "points:8085"},
		{"ORDER_PAYMENT_TIMEOUT", "soon"},
		{"ORDER_PAYMENT_TIMEOUT", "-1m"},
		{"ORDER_RESERVATION_GRACE", "0s"},
		{"ORDER_RETURN_WINDOW", "0s"},
		{"ORDER_RETURN_WINDOW", "a fortnight"},
		{"ORDER_PAYMENT_CALL_TIMEOUT", "25s"},
		{"ORDER_SWEEP_INTERVAL", "10ms"},
		{"ORDER_DELAY_LEVELS", "1s,x"},
	} {
		_, err := loadConfig(env(map[string]string{tt.name: tt.value, "ORDER_ADDR": "x"}))
		if err == nil || strings.Count(err.Error(), tt.name) != 1 || !strings.Contains(err.Error(), "ORDER_ADDR") {
			t.Errorf("%s=%q: err = %v, want one error naming %s beside the shared one", tt.name, tt.value, err, tt.name)
		}
	}
}
