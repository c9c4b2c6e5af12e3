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
	want := config{Addr: ":8085", DB: "sqlite:data/points.db", NameServer: "127.0.0.1:9876", ClientLogLevel: "warn",
		MaxReconsume: 16, AdminToken: "rocketmart-admin", LogLevel: slog.LevelInfo, logOut: os.Stdout}
	if err != nil || got != want {
		t.Errorf("defaults = %+v, %v; want %+v", got, err, want)
	}
}

func TestLoadConfigNamesTheBadVariable(t *testing.T) {
	for _, tt := range []struct{ name, value string }{
		{"POINTS_ADDR", "localhost"},
		{"POINTS_ADDR", ":http"},
		{"POINTS_ADDR", ":99999"},
		{"POINTS_DB", "postgres://x"},
		{"POINTS_DB", "sqlite:"},
		{"POINTS_DB", "sqlite:x.db?mode=ro"},
		{"POINTS_DB", "mysql://u:p@tcp(h:3306)/"},
		{"POINTS_DB", "mysql://root@127.0.0.1/x"},
		{"ROCKETMQ_NAMESERVER", ":9876"},
		{"ROCKETMQ_NAMESERVER", "h:99999"},
		{"ROCKETMQ_NAMESERVER", "a:9876;b"},
		{"ROCKETMQ_CLIENT_LOG_LEVEL", "chatty"},
		{"ROCKETMQ_CLIENT_LOG_LEVEL", "WARN"},
		{"POINTS_MAX_RECONSUME", "many"},
		{"POINTS_MAX_RECONSUME", "0"},
		{"POINTS_MAX_RECONSUME", "33"},
		{"POINTS_MAX_RECONSUME", "4294967312"},
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
		"POINTS_ADDR": "x", "POINTS_MAX_RECONSUME": "0", "LOG_LEVEL": "loud", "POINTS_DB": "mysql://root:hunter2@127.0.0.1/x",
	}))
	for _, want := range []string{"POINTS_ADDR", "POINTS_MAX_RECONSUME", "LOG_LEVEL", "POINTS_DB"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to name %s", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v leaks the password", err)
	}
}
