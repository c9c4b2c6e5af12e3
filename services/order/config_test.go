package main

import (
	"strings"
	"testing"
	"time"
)

func TestLoadConfigDefaults(t *testing.T) {
	c, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if c.Addr != ":8081" || c.DB != "sqlite:data/order.db" || c.PaymentTimeout != 15*time.Minute || c.DelayLevels != nil {
		t.Errorf("defaults: %+v", c)
	}
}

func TestLoadConfigNamesTheBadVariable(t *testing.T) {
	for _, tt := range []struct{ name, value string }{
		{"ORDER_ADDR", "8081"},
		{"ORDER_DB", "postgres://x"},
		{"ORDER_DB", "mysql://root@127.0.0.1/order"},
		{"ROCKETMQ_NAMESERVER", ":9876"},
		{"ADMIN_TOKEN", "a b"},
		{"INVENTORY_URL", "inventory:8083"},
		{"PAYMENT_URL", "ftp://payment"},
		{"CART_URL", "http://"},
		{"ORDER_PAYMENT_TIMEOUT", "soon"},
		{"ORDER_PAYMENT_TIMEOUT", "-1m"},
		{"ORDER_PAYMENT_CALL_TIMEOUT", "25s"},
		{"ORDER_DELAY_LEVELS", "1s,x"},
		{"LOG_LEVEL", "loud"},
		{"ORDER_MAX_RECONSUME", "0"},
	} {
		_, err := loadConfig(func(k string) string {
			if k == tt.name {
				return tt.value
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("%s=%q: err = %v, want one naming %s", tt.name, tt.value, err, tt.name)
		}
	}
}
