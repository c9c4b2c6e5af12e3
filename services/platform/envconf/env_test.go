package envconf_test

import (
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/envconf"
)

func mapEnv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// Good values come back parsed, defaults fill unset variables, and Err is nil.
func TestEnvParses(t *testing.T) {
	env := envconf.New(mapEnv(map[string]string{"A_ADDR": " 127.0.0.1:9 ", "LVL": "debug", "N": "3", "D": "2m", "L": "1s, 5s"}))
	addr := env.ListenAddr("A_ADDR", ":1")
	ns := env.HostPortList("NS", "ns:9876")
	url := env.BaseURL("U", "http://x:1")
	tok := env.Token("T", "t0k")
	cl := env.ClientLogLevel("CL", "warn")
	lvl := env.LogLevel("LVL", "info")
	n := env.MaxReconsume("N", "16")
	d := env.Duration("D", "30s", time.Second)
	list := env.DurationList("L", "")
	none := env.DurationList("UNSET", "")
	dsn := env.Checked("DSN", "sqlite:x", func(string) error { return nil })
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	if addr != "127.0.0.1:9" || ns != "ns:9876" || url != "http://x:1" || tok != "t0k" || cl != "warn" || lvl != slog.LevelDebug ||
		n != 3 || d != 2*time.Minute || !slices.Equal(list, []time.Duration{time.Second, 5 * time.Second}) || none != nil || dsn != "sqlite:x" {
		t.Errorf("got %q %q %q %q %q %v %d %v %v %v %q", addr, ns, url, tok, cl, lvl, n, d, list, none, dsn)
	}
}

// Every bad value is reported, once, by its variable's name.
func TestEnvReportsEveryErrorByName(t *testing.T) {
	bad := map[string]string{"A_ADDR": "x", "NS": ":1", "U": "ftp://x", "T": "a b", "CL": "loud", "LVL": "loud",
		"N": "0", "D": "soon", "SHORT": "10ms", "L": "1s,x", "DSN": "nope"}
	env := envconf.New(mapEnv(bad))
	env.ListenAddr("A_ADDR", ":1")
	env.HostPortList("NS", "ns:9876")
	env.BaseURL("U", "http://x:1")
	env.Token("T", "t0k")
	env.ClientLogLevel("CL", "warn")
	env.LogLevel("LVL", "info")
	env.MaxReconsume("N", "16")
	env.Duration("D", "30s", time.Second)
	env.Duration("SHORT", "30s", time.Second)
	env.DurationList("L", "")
	env.Checked("DSN", "sqlite:x", func(string) error { return errors.New("unsupported") })
	env.Fail(nil)
	env.Fail(errors.New("RULE: broken"))
	err := env.Err()
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	for name := range bad {
		c := 0
		for _, l := range lines {
			if strings.HasPrefix(l, name+"=") || strings.HasPrefix(l, name+":") || strings.HasPrefix(l, name+" ") {
				c++
			}
		}
		if c != 1 {
			t.Errorf("%s is reported %d times in:\n%v", name, c, err)
		}
	}
	if !strings.Contains(err.Error(), "RULE: broken") {
		t.Errorf("Fail's error is missing from %v", err)
	}
}
