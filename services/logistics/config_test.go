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
	want := config{Addr: ":8084", DB: "sqlite:data/logistics.db", NameServer: "127.0.0.1:9876", ClientLogLevel: "warn",
		MaxReconsume: 16, AdminToken: "rocketmart-admin", LogLevel: slog.LevelInfo, logOut: os.Stdout}
	if err != nil || got != want {
		t.Errorf("defaults = %+v, %v; want %+v", got, err, want)
	}
}

func TestLoadConfigNamesTheBadVariable(t *testing.T) {
	for _, tt := range []struct{ name, value string }{
		{"LOGISTICS_ADDR", "localhost"},
		{"LOGISTICS_ADDR", ":http"},
		{"LOGISTICS_ADDR", ":99999"},
		{"LOGISTICS_DB", "postgres://x"},
		{"LOGISTICS_DB", "sqlite:"},
		{"LOGISTICS_DB", "sqlite:x.db?mode=ro"},
		{"LOGISTICS_DB", "mysql://u:p@tcp(h:3306)/"},
		{"LOGISTICS_DB", "mysql://root@127.0.0.1/x"},
		{"ROCKETMQ_NAMESERVER", ":9876"},
		{"ROCKETMQ_NAMESERVER", "h:99999"},
		{"ROCKETMQ_NAMESERVER", "a:9876;b"},
		{"ROCKETMQ_CLIENT_LOG_LEVEL", "chatty"},
		{"ROCKETMQ_CLIENT_LOG_LEVEL", "WARN"},
		{"LOGISTICS_MAX_RECONSUME", "many"},
		{"LOGISTICS_MAX_RECONSUME", "0"},
		{"LOGISTICS_MAX_RECONSUME", "33"},
		{"LOGISTICS_MAX_RECONSUME", "4294967312"},
		{"ADMIN_TOKEN", "a b"},
		{"LOG_LEVEL", "loud"},
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
		"LOGISTICS_ADDR": "x", "LOGISTICS_MAX_RECONSUME": "0", "LOG_LEVEL": "loud", "LOGISTICS_DB": "mysql://root:hunter2@127.0.0.1/x",
	}))
	for _, want := range []string{"LOGISTICS_ADDR", "LOGISTICS_MAX_RECONSUME", "LOG_LEVEL", "LOGISTICS_DB"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to name %s", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v leaks the password", err)
	}
}
