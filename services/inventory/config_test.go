package main

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestConfigDefaults(t *testing.T) {
	got, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := config{Addr: ":8083", DB: "sqlite:data/inventory.db", SweepInterval: 30 * time.Second,
		NameServer: "127.0.0.1:9876", MaxReconsume: 16, AdminToken: "rocketmart-admin", LogLevel: slog.LevelInfo, OrderURL: "http://127.0.0.1:8081"}
	if got != want {
		t.Errorf("defaults = %+v, want %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestConfigRejectsMalformedValues(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		wantVar string
	}{
		{"address without port", map[string]string{"INVENTORY_ADDR": "localhost"}, "INVENTORY_ADDR"},
		{"address with a word for a port", map[string]string{"INVENTORY_ADDR": ":http8"}, "INVENTORY_ADDR"},
		{"unknown database scheme", map[string]string{"INVENTORY_DB": "postgres://x"}, "INVENTORY_DB"},
		{"sqlite without a path", map[string]string{"INVENTORY_DB": "sqlite:"}, "INVENTORY_DB"},
		{"mysql without a database", map[string]string{"INVENTORY_DB": "mysql://u:p@tcp(h:3306)/"}, "INVENTORY_DB"},
		{"sweep interval not a duration", map[string]string{"INVENTORY_SWEEP_INTERVAL": "often"}, "INVENTORY_SWEEP_INTERVAL"},
		{"sweep interval too short", map[string]string{"INVENTORY_SWEEP_INTERVAL": "10ms"}, "INVENTORY_SWEEP_INTERVAL"},
		{"name server without port", map[string]string{"ROCKETMQ_NAMESERVER": "127.0.0.1"}, "ROCKETMQ_NAMESERVER"},
		{"name server without host", map[string]string{"ROCKETMQ_NAMESERVER": ":9876"}, "ROCKETMQ_NAMESERVER"},
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"max reconsume zero", map[string]string{"INVENTORY_MAX_RECONSUME": "0"}, "INVENTORY_MAX_RECONSUME"},
		{"order URL without scheme", map[string]string{"ORDER_URL": "127.0.0.1:8081"}, "ORDER_URL"},
		{"order URL of another scheme", map[string]string{"ORDER_URL": "ftp://orders"}, "ORDER_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadConfig(env(tt.vars))
			if err == nil {
				err = c.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantVar) {
				t.Errorf("err = %v, want an error naming %s", err, tt.wantVar)
			}
		})
	}
}

func TestConfigAcceptsOverrides(t *testing.T) {
	c, err := loadConfig(env(map[string]string{
		"INVENTORY_ADDR": "127.0.0.1:9083", "INVENTORY_DB": "mysql://u:p@tcp(db:3306)/inventory",
		"INVENTORY_SWEEP_INTERVAL": "5s", "LOG_LEVEL": "debug", "ORDER_URL": "https://orders.example",
		"ROCKETMQ_NAMESERVER": "rocketmq:9876", "ADMIN_TOKEN": "s3cret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.SweepInterval != 5*time.Second || c.LogLevel != slog.LevelDebug || c.AdminToken != "s3cret" {
		t.Errorf("config = %+v", c)
	}
}
