package main

import (
	"log/slog"
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestConfigDefaults(t *testing.T) {
	got, err := loadConfig(env(nil))
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	want := config{Addr: ":8084", DB: "sqlite:data/logistics.db", NameServer: "127.0.0.1:9876", ClientLogLevel: "warn",
		MaxReconsume: 16, AdminToken: "rocketmart-admin", LogLevel: slog.LevelInfo}
	if got != want {
		t.Errorf("defaults = %+v, want %+v", got, want)
	}
}

func TestConfigAcceptsOverrides(t *testing.T) {
	got, err := loadConfig(env(map[string]string{
		"LOGISTICS_ADDR": "127.0.0.1:9084", "LOGISTICS_DB": "mysql://u:p@tcp(db:3306)/logistics",
		"ROCKETMQ_NAMESERVER": "ns-0:9876;ns-1:9876", "ROCKETMQ_CLIENT_LOG_LEVEL": "error",
		"LOGISTICS_MAX_RECONSUME": " 3 ", "ADMIN_TOKEN": "s3cret", "LOG_LEVEL": "debug",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := config{Addr: "127.0.0.1:9084", DB: "mysql://u:p@tcp(db:3306)/logistics", NameServer: "ns-0:9876;ns-1:9876",
		ClientLogLevel: "error", MaxReconsume: 3, AdminToken: "s3cret", LogLevel: slog.LevelDebug}
	if got != want {
		t.Errorf("config = %+v, want %+v", got, want)
	}
}

func TestConfigRejectsMalformedValues(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		wantVar string
	}{
		{"address without port", map[string]string{"LOGISTICS_ADDR": "localhost"}, "LOGISTICS_ADDR"},
		{"address with a word for a port", map[string]string{"LOGISTICS_ADDR": ":http8"}, "LOGISTICS_ADDR"},
		{"address port too big", map[string]string{"LOGISTICS_ADDR": ":99999"}, "LOGISTICS_ADDR"},
		{"unknown database scheme", map[string]string{"LOGISTICS_DB": "postgres://x"}, "LOGISTICS_DB"},
		{"sqlite without a path", map[string]string{"LOGISTICS_DB": "sqlite:"}, "LOGISTICS_DB"},
		{"sqlite with parameters", map[string]string{"LOGISTICS_DB": "sqlite:x.db?mode=ro"}, "LOGISTICS_DB"},
		{"mysql without a database", map[string]string{"LOGISTICS_DB": "mysql://u:p@tcp(h:3306)/"}, "LOGISTICS_DB"},
		{"name server without port", map[string]string{"ROCKETMQ_NAMESERVER": "127.0.0.1"}, "ROCKETMQ_NAMESERVER"},
		{"name server without host", map[string]string{"ROCKETMQ_NAMESERVER": ":9876"}, "ROCKETMQ_NAMESERVER"},
		{"name server list with a bad entry", map[string]string{"ROCKETMQ_NAMESERVER": "ns-0:9876;ns-1"}, "ROCKETMQ_NAMESERVER"},
		{"client log level", map[string]string{"ROCKETMQ_CLIENT_LOG_LEVEL": "loud"}, "ROCKETMQ_CLIENT_LOG_LEVEL"},
		{"client log level in capitals", map[string]string{"ROCKETMQ_CLIENT_LOG_LEVEL": "WARN"}, "ROCKETMQ_CLIENT_LOG_LEVEL"},
		{"max reconsume 0", map[string]string{"LOGISTICS_MAX_RECONSUME": "0"}, "LOGISTICS_MAX_RECONSUME"},
		{"max reconsume negative", map[string]string{"LOGISTICS_MAX_RECONSUME": "-1"}, "LOGISTICS_MAX_RECONSUME"},
		{"max reconsume above 32", map[string]string{"LOGISTICS_MAX_RECONSUME": "33"}, "LOGISTICS_MAX_RECONSUME"},
		{"max reconsume a word", map[string]string{"LOGISTICS_MAX_RECONSUME": "ten"}, "LOGISTICS_MAX_RECONSUME"},
		{"max reconsume a fraction", map[string]string{"LOGISTICS_MAX_RECONSUME": "1.5"}, "LOGISTICS_MAX_RECONSUME"},
		{"max reconsume beyond int32", map[string]string{"LOGISTICS_MAX_RECONSUME": "4294967312"}, "LOGISTICS_MAX_RECONSUME"},
		{"admin token with a space", map[string]string{"ADMIN_TOKEN": "a b"}, "ADMIN_TOKEN"},
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(env(tt.vars))
			if err == nil || !strings.Contains(err.Error(), tt.wantVar) {
				t.Errorf("err = %v, want an error naming %s", err, tt.wantVar)
			}
		})
	}
}

// One start-up reports every bad setting, and never the database password.
func TestConfigReportsEveryProblemWithoutThePassword(t *testing.T) {
	_, err := loadConfig(env(map[string]string{
		"LOGISTICS_ADDR": "x", "LOGISTICS_MAX_RECONSUME": "0", "LOG_LEVEL": "loud",
		"LOGISTICS_DB": "mysql://root:hunter2@127.0.0.1/x",
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

func TestRunRejectsBadConfig(t *testing.T) {
	t.Setenv("LOGISTICS_ADDR", "nonsense")
	err := run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "LOGISTICS_ADDR") {
		t.Errorf("run() = %v, want a configuration error naming LOGISTICS_ADDR", err)
	}
}
