package launcher

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// envMap turns KEY=value lines into a map; a key set twice fails the test,
// since which one a program sees would depend on the order.
func envMap(t *testing.T, env []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if _, dup := out[k]; dup {
			t.Errorf("%s is set twice", k)
		}
		out[k] = v
	}
	return out
}

func TestServiceEnvFollowsTheTable(t *testing.T) {
	s := &Shop{URL: map[string]string{}, NameServer: "127.0.0.1:1", BrokerAdmin: "http://127.0.0.1:2", ControlURL: "http://127.0.0.1:3"}
	for _, p := range servers() {
		s.URL[p.Name] = "http://" + p.Name + ".test"
	}
	opts := Options{DataDir: "d", DB: map[string]string{contracts.ServiceOrder: "mysql://x"}, AdminToken: "tok"}
	for _, svc := range contracts.Services() {
		p := Program{Name: svc.Name, EnvPrefix: svc.EnvPrefix}
		env := envMap(t, s.serviceEnv(opts, p, 1234))
		if got := env[svc.AddrVar()]; got != "127.0.0.1:1234" {
			t.Errorf("%s: %s=%q", svc.Name, svc.AddrVar(), got)
		}
		want := "sqlite:d/" + svc.Name + ".db"
		if svc.Name == contracts.ServiceOrder {
			want = "mysql://x"
		}
		if got := env[svc.DBVar()]; got != want {
			t.Errorf("%s: %s=%q, want %q", svc.Name, svc.DBVar(), got, want)
		}
		for _, other := range contracts.Services() {
			if got := env[other.URLVar()]; got != s.URL[other.Name] {
				t.Errorf("%s: %s=%q, want %q", svc.Name, other.URLVar(), got, s.URL[other.Name])
			}
		}
	}
	web := envMap(t, s.serviceEnv(opts, Gateway, 8080))
	if web["WEB_ADDR"] != "127.0.0.1:8080" || web["ORDER_URL"] != s.URL["order"] || web["CONTROL_URL"] != s.ControlURL {
		t.Errorf("gateway env = %v", web)
	}
	for k := range web {
		if strings.HasSuffix(k, "_DB") {
			t.Errorf("the gateway has no database, but %s is set", k)
		}
	}
}

// TestStartOrder: minirmq first, the gateway last, the services between in
// the table's order (the order service, which calls the others, last of them).
func TestStartOrder(t *testing.T) {
	var got []string
	for _, p := range append([]Program{Broker}, servers()...) {
		got = append(got, p.Name)
	}
	want := append(append([]string{"minirmq"}, contracts.ServiceNames()...), "web")
	if !slices.Equal(got, want) {
		t.Errorf("start order %v, want %v", got, want)
	}
	if names := contracts.ServiceNames(); names[len(names)-1] != contracts.ServiceOrder {
		t.Errorf("services start in order %v; the order service must come last", names)
	}
}

func TestDatabasesFromEnvironment(t *testing.T) {
	env := map[string]string{
		"ORDER_DB":   "mysql://rm:secret@tcp(127.0.0.1:3306)/rm_order",
		"POINTS_DB":  "sqlite:/tmp/points.db",
		"PAYMENT_DB": "",
		"WEB_DB":     "mysql://nobody@tcp(x)/y", // the gateway has no database
	}
	got := Databases(func(k string) string { return env[k] })
	want := map[string]string{"order": env["ORDER_DB"], "points": env["POINTS_DB"]}
	if !maps.Equal(got, want) {
		t.Errorf("Databases = %v, want %v", got, want)
	}
	if err := CheckOrderInstances(2, got); err != nil {
		t.Errorf("two order instances on MySQL refused: %v", err)
	}
	if err := CheckOrderInstances(2, map[string]string{}); !errors.Is(err, ErrTwoOrdersOnSQLite) {
		t.Errorf("two order instances on SQLite: %v", err)
	}
}
