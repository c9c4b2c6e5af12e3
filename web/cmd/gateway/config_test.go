package main

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

// env is a fake environment: a key present with "" is set-but-empty.
func env(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func TestDefaults(t *testing.T) {
	c, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	want := config{
		Addr: "127.0.0.1:8080",
		ServiceURLs: map[string]string{
			"order": "http://127.0.0.1:8081", "payment": "http://127.0.0.1:8082", "inventory": "http://127.0.0.1:8083",
			"logistics": "http://127.0.0.1:8084", "points": "http://127.0.0.1:8085", "cart": "http://127.0.0.1:8086",
		},
		BrokerAdminURL: "http://127.0.0.1:9877", AdminToken: "rocketmart-admin", LogLevel: slog.LevelInfo,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("config = %+v\nwant     %+v", c, want)
	}
}

func TestOverrides(t *testing.T) {
	c, err := loadConfig(env(map[string]string{
		"WEB_ADDR": "127.0.0.1:9000", "ORDER_URL": " http://order:8081 ", "WEB_SESSION_SECRET": "a-secret-of-enough-length",
		"LOG_LEVEL": "debug", "MINIRMQ_ADMIN_URL": "http://broker:9877", "CONTROL_URL": "http://127.0.0.1:8089",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.ServiceURLs["order"] != "http://order:8081" || c.LogLevel != slog.LevelDebug ||
		c.SessionSecret != "a-secret-of-enough-length" || c.BrokerAdminURL != "http://broker:9877" || c.ControlURL != "http://127.0.0.1:8089" {
		t.Errorf("config = %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}

func TestBrokerViewsCanBeTurnedOff(t *testing.T) {
	for _, v := range []string{"", "  ", "off", "OFF"} {
		c, err := loadConfig(env(map[string]string{"MINIRMQ_ADMIN_URL": v}))
		if err != nil {
			t.Fatal(err)
		}
		if c.BrokerAdminURL != "" {
			t.Errorf("MINIRMQ_ADMIN_URL=%q: broker URL = %q, want disabled", v, c.BrokerAdminURL)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("MINIRMQ_ADMIN_URL=%q: %v", v, err)
		}
	}
}

func TestControlIsOffByDefault(t *testing.T) {
	for _, v := range []string{"", "off", "OFF"} {
		c, err := loadConfig(env(map[string]string{"CONTROL_URL": v}))
		if err != nil {
			t.Fatal(err)
		}
		if c.ControlURL != "" || c.Validate() != nil {
			t.Errorf("CONTROL_URL=%q: control URL %q (%v), want none", v, c.ControlURL, c.Validate())
		}
	}
}

func TestBadVariablesAreNamed(t *testing.T) {
	cases := map[string]string{
		"WEB_ADDR":           "8080",
		"ORDER_URL":          "order:8081",
		"PAYMENT_URL":        "ftp://payment",
		"INVENTORY_URL":      "http://",
		"LOGISTICS_URL":      "http://logistics:8084?x=1",
		"POINTS_URL":         "points",
		"CART_URL":           "://cart",
		"MINIRMQ_ADMIN_URL":  "127.0.0.1:9877",
		"ADMIN_TOKEN":        "has space",
		"WEB_SESSION_SECRET": "short",
		"CONTROL_URL":        "127.0.0.1:8089",

		"OTEL_EXPORTER_OTLP_ENDPOINT": "jaeger:4318",
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := loadConfig(env(map[string]string{name: value}))
			if err == nil {
				err = c.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("%s=%q: err = %v, want an error naming %s", name, value, err, name)
			}
		})
	}

	_, err := loadConfig(env(map[string]string{"LOG_LEVEL": "loud"}))
	if err == nil || !strings.Contains(err.Error(), "LOG_LEVEL") {
		t.Errorf("LOG_LEVEL=loud: err = %v, want an error naming LOG_LEVEL", err)
	}
}

func TestAllBadVariablesReportedAtOnce(t *testing.T) {
	c, err := loadConfig(env(map[string]string{"WEB_ADDR": "nope", "CART_URL": "nope"}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	if err == nil || !strings.Contains(err.Error(), "WEB_ADDR") || !strings.Contains(err.Error(), "CART_URL") {
		t.Fatalf("err = %v, want both WEB_ADDR and CART_URL named", err)
	}
}

// Beyond loopback the gateway needs an admin token of its own: it forwards
// the token to the services and accepts it on its admin and trainer routes.
func TestDefaultAdminTokenStaysOnLoopback(t *testing.T) {
	for _, tt := range []struct {
		vars   map[string]string
		refuse bool
	}{
		{map[string]string{}, false},
		{map[string]string{"WEB_ADDR": ":8080"}, true},
		{map[string]string{"WEB_ADDR": "0.0.0.0:8080", "ADMIN_TOKEN": "rocketmart-admin"}, true},
		{map[string]string{"WEB_ADDR": ":8080", "ADMIN_TOKEN": "s3cret"}, false},
	} {
		c, err := loadConfig(env(tt.vars))
		if err == nil {
			err = c.Validate()
		}
		if refused := err != nil; refused != tt.refuse {
			t.Errorf("%v: err = %v, want refused %v", tt.vars, err, tt.refuse)
		}
		if err != nil && (!strings.Contains(err.Error(), "WEB_ADDR") || !strings.Contains(err.Error(), "ADMIN_TOKEN")) {
			t.Errorf("%v: err = %v, want it to name WEB_ADDR and ADMIN_TOKEN", tt.vars, err)
		}
	}
}
