package envconf_test

import (
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/platform/envconf"
)

// shop is a row of a services table, as contracts.Service gives one.
type shop struct{}

func (shop) AddrVar() string         { return "SHOP_ADDR" }
func (shop) DefaultAddr() string     { return "127.0.0.1:8090" }
func (shop) DBVar() string           { return "SHOP_DB" }
func (shop) DefaultDB() string       { return "sqlite:data/shop.db" }
func (shop) MaxReconsumeVar() string { return "SHOP_MAX_RECONSUME" }
func (shop) FaultsVar() string       { return "SHOP_FAULTS" }

func TestBaseDefaults(t *testing.T) {
	env := envconf.New(mapEnv(nil))
	got := env.Base(shop{})
	want := envconf.Base{Addr: "127.0.0.1:8090", DB: "sqlite:data/shop.db", NameServer: "127.0.0.1:9876", ClientLogLevel: "warn",
		MaxReconsume: 16, AdminToken: "rocketmart-admin", LogLevel: slog.LevelInfo, LogOut: os.Stdout, FaultsVar: "SHOP_FAULTS"}
	if err := env.Err(); err != nil || got != want {
		t.Errorf("defaults = %+v, %v; want %+v", got, err, want)
	}
}

func TestBaseParses(t *testing.T) {
	env := envconf.New(mapEnv(map[string]string{"SHOP_ADDR": "127.0.0.1:1", "SHOP_DB": "mysql://u:p@tcp(db:3306)/shop",
		"ROCKETMQ_NAMESERVER": "ns-0:9876;ns-1:9876", "ROCKETMQ_CLIENT_LOG_LEVEL": "error", "SHOP_MAX_RECONSUME": "3",
		"ADMIN_TOKEN": "s3cret", "LOG_LEVEL": "debug", "SHOP_FAULTS": "consume.g=fail,count=2"}))
	got := env.Base(shop{})
	want := envconf.Base{Addr: "127.0.0.1:1", DB: "mysql://u:p@tcp(db:3306)/shop", NameServer: "ns-0:9876;ns-1:9876",
		ClientLogLevel: "error", MaxReconsume: 3, AdminToken: "s3cret", LogLevel: slog.LevelDebug, LogOut: os.Stdout,
		Faults: "consume.g=fail,count=2", FaultsVar: "SHOP_FAULTS"}
	if err := env.Err(); err != nil || got != want {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
}

// Each bad shared value is refused by its variable's name, exactly once.
func TestBaseNamesTheBadVariable(t *testing.T) {
	for _, tt := range []struct{ name, value string }{
		{"SHOP_ADDR", "localhost"},
		{"SHOP_ADDR", ":http"},
		{"SHOP_ADDR", ":8090"}, // every interface, with the default admin token
		{"SHOP_ADDR", "0.0.0.0:8090"},
		{"SHOP_ADDR", ":99999"},
		{"SHOP_DB", "postgres://x"},
		{"SHOP_DB", "sqlite:"},
		{"SHOP_DB", "sqlite:x.db?mode=ro"},
		{"SHOP_DB", "mysql://u:p@tcp(h:3306)/"},
		{"SHOP_DB", "mysql://root@127.0.0.1/x"},
		{"ROCKETMQ_NAMESERVER", ":9876"},
		{"ROCKETMQ_NAMESERVER", "h:99999"},
		{"ROCKETMQ_NAMESERVER", "a:9876;b"},
		{"ROCKETMQ_CLIENT_LOG_LEVEL", "chatty"},
		{"ROCKETMQ_CLIENT_LOG_LEVEL", "WARN"},
		{"SHOP_MAX_RECONSUME", "many"},
		{"SHOP_MAX_RECONSUME", "0"},
		{"SHOP_MAX_RECONSUME", "33"},
		{"SHOP_MAX_RECONSUME", "4294967312"},
		{"SHOP_FAULTS", "consume.g"},
		{"SHOP_FAULTS", "consume.g=fail,count=two"},
		{"SHOP_FAULTS", "consume.g=fail,times=2"},
		{"ADMIN_TOKEN", "a b"},
		{"LOG_LEVEL", "loud"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "jaeger:4318"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4318?x=1"},
	} {
		env := envconf.New(mapEnv(map[string]string{tt.name: tt.value}))
		env.Base(shop{})
		if err := env.Err(); err == nil || strings.Count(err.Error(), tt.name) != 1 {
			t.Errorf("%s=%q: err = %v, want one error naming %s", tt.name, tt.value, err, tt.name)
		}
	}
}

// One start-up reports every bad setting, and never the database password.
func TestBaseReportsEveryProblemWithoutThePassword(t *testing.T) {
	env := envconf.New(mapEnv(map[string]string{
		"SHOP_ADDR": "x", "SHOP_MAX_RECONSUME": "0", "LOG_LEVEL": "loud", "SHOP_DB": "mysql://root:hunter2@127.0.0.1/x",
	}))
	env.Base(shop{})
	err := env.Err()
	for _, want := range []string{"SHOP_ADDR", "SHOP_MAX_RECONSUME", "LOG_LEVEL", "SHOP_DB"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to name %s", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v leaks the password", err)
	}
}

// Trace sees every read with its default, in order, and changes nothing.
func TestTrace(t *testing.T) {
	var got []string
	env := envconf.Trace(func(name, def string) { got = append(got, name+"="+def) })
	b := env.Base(shop{})
	want := "SHOP_ADDR=127.0.0.1:8090 SHOP_DB=sqlite:data/shop.db ROCKETMQ_NAMESERVER=127.0.0.1:9876 ROCKETMQ_CLIENT_LOG_LEVEL=warn " +
		"SHOP_MAX_RECONSUME=16 ADMIN_TOKEN=rocketmart-admin LOG_LEVEL=info OTEL_EXPORTER_OTLP_ENDPOINT= SHOP_FAULTS="
	if strings.Join(got, " ") != want || env.Err() != nil || b.Addr != "127.0.0.1:8090" {
		t.Errorf("traced %q (err %v, addr %q), want %q", got, env.Err(), b.Addr, want)
	}
}

// The start-up rule: beyond loopback only with an admin token of one's own.
// The refusal names both variables and says what to do.
func TestBaseRefusesTheDefaultTokenBeyondLoopback(t *testing.T) {
	for _, tt := range []struct {
		name   string
		vars   map[string]string
		refuse bool
	}{
		{"the default: loopback, default token", nil, false},
		{"localhost, default token", map[string]string{"SHOP_ADDR": "localhost:8090"}, false},
		{"IPv6 loopback, default token", map[string]string{"SHOP_ADDR": "[::1]:8090"}, false},
		{"every interface, default token", map[string]string{"SHOP_ADDR": ":8090"}, true},
		{"0.0.0.0, default token", map[string]string{"SHOP_ADDR": "0.0.0.0:8090"}, true},
		{"a LAN address, default token", map[string]string{"SHOP_ADDR": "192.168.1.5:8090"}, true},
		{"a host name, default token", map[string]string{"SHOP_ADDR": "shop.example:8090"}, true},
		{"the default token set explicitly", map[string]string{"SHOP_ADDR": ":8090", "ADMIN_TOKEN": "rocketmart-admin"}, true},
		{"every interface, own token", map[string]string{"SHOP_ADDR": ":8090", "ADMIN_TOKEN": "s3cret"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := envconf.New(mapEnv(tt.vars))
			env.Base(shop{})
			err := env.Err()
			if !tt.refuse {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("started with the public admin token beyond loopback")
			}
			for _, want := range []string{"SHOP_ADDR", "ADMIN_TOKEN", "127.0.0.1", "public default"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v; want it to mention %q", err, want)
				}
			}
		})
	}
}
