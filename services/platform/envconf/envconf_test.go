package envconf_test

import (
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/platform/envconf"
)

func TestGetter(t *testing.T) {
	get := envconf.Getter(func(k string) string { return map[string]string{"A": " x ", "B": "  "}[k] })
	if got := get("A", "d"); got != "x" {
		t.Errorf("A = %q, want trimmed x", got)
	}
	if got := get("B", "d"); got != "d" {
		t.Errorf("blank B = %q, want the default", got)
	}
	if got := get("C", "d"); got != "d" {
		t.Errorf("unset C = %q, want the default", got)
	}
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name string
		err  error
		ok   bool
	}{
		{"listen :8080", envconf.ListenAddr("X_ADDR", ":8080"), true},
		{"listen no port", envconf.ListenAddr("X_ADDR", "8080"), false},
		{"listen port too big", envconf.ListenAddr("X_ADDR", ":99999"), false},
		{"listen named port", envconf.ListenAddr("X_ADDR", ":http"), false},
		{"dial ok", envconf.HostPort("X_NS", "127.0.0.1:9876"), true},
		{"dial without host", envconf.HostPort("X_NS", ":9876"), false},
		{"list of one", envconf.HostPortList("X_NS", "rmq-namesrv:9876"), true},
		{"list of two", envconf.HostPortList("X_NS", "ns-0:9876; ns-1:9876"), true},
		{"list with a bad entry", envconf.HostPortList("X_NS", "ns-0:9876;ns-1"), false},
		{"empty list", envconf.HostPortList("X_NS", " ; "), false},
		{"int in range", second(envconf.IntRange("X_N", "3", 1, 5)), true},
		{"int too big", second(envconf.IntRange("X_N", "6", 1, 5)), false},
		{"int not a number", second(envconf.IntRange("X_N", "3x", 1, 5)), false},
		{"max reconsume 16", second(envconf.MaxReconsume("X_MAX", "16")), true},
		{"max reconsume 0", second(envconf.MaxReconsume("X_MAX", "0")), false},
		{"url ok", envconf.BaseURL("X_URL", "http://svc:8083/"), true},
		{"url no scheme", envconf.BaseURL("X_URL", "svc:8083"), false},
		{"url ftp", envconf.BaseURL("X_URL", "ftp://svc"), false},
		{"url no host", envconf.BaseURL("X_URL", "http://"), false},
		{"url query", envconf.BaseURL("X_URL", "http://svc?x=1"), false},
		{"token ok", envconf.Token("X_TOKEN", "s3cret"), true},
		{"token empty", envconf.Token("X_TOKEN", ""), false},
		{"token space", envconf.Token("X_TOKEN", "a b"), false},
	}
	for _, tt := range tests {
		if (tt.err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok=%v", tt.name, tt.err, tt.ok)
		}
		if tt.err != nil && !strings.HasPrefix(tt.err.Error(), "X_") {
			t.Errorf("%s: %q does not start with the variable's name", tt.name, tt.err)
		}
	}
	if l, err := envconf.LogLevel("X_LOG", "warn"); err != nil || l.String() != "WARN" {
		t.Errorf("warn: %v %v", l, err)
	}
	if _, err := envconf.LogLevel("X_LOG", "loud"); err == nil || !strings.HasPrefix(err.Error(), "X_LOG") {
		t.Errorf("loud: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }
