package envscan

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
)

func TestScan(t *testing.T) {
	p, err := Scan("testdata/prog")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"A_ADDR", "A_DB", "A_TIMEOUT", "A_URL", "B_URL", "COMPUTED", "EMPTY", "NS", "OSVAR", "RAW", "REMOTE_NS", "R_ADDR", "R_DB", "TOKEN", "VIA_FUNC"}
	if got := p.Names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Names() = %v\nwant       %v", got, want)
	}

	tests := []struct {
		name        string
		def         string
		known       bool
		mustBeSet   bool
		whyContains string
	}{
		{"A_ADDR", ":8081", true, false, ""},
		{"A_DB", "sqlite:data/a.db", true, true, "SQLite"},
		{"A_URL", "http://127.0.0.1:8083", true, true, "loopback"},
		{"B_URL", "https://localhost/api", true, true, "loopback"},
		{"NS", "10.0.0.1:9876;127.0.0.1:9876", true, true, "loopback"},
		{"REMOTE_NS", "ns-0.ns:9876;ns-1.ns:9876", true, false, ""},
		{"EMPTY", "", true, true, "no default"},
		{"TOKEN", "rocketmart-admin", true, false, ""},
		{"COMPUTED", "", false, false, ""},
		{"A_TIMEOUT", "15m", true, false, ""},
		{"RAW", "", true, true, "no default"},
		{"OSVAR", "", true, true, "no default"},
		{"VIA_FUNC", "", true, true, "no default"},
		{"R_ADDR", ":8086", true, false, ""},
		{"R_DB", "sqlite:data/r.db", true, true, "SQLite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := p.Vars[tt.name]
			if v.Default != tt.def || v.DefaultKnown != tt.known {
				t.Errorf("default = %q (known %v), want %q (known %v)", v.Default, v.DefaultKnown, tt.def, tt.known)
			}
			must, why := v.MustBeSet()
			if must != tt.mustBeSet {
				t.Errorf("MustBeSet() = %v (%s), want %v", must, why, tt.mustBeSet)
			}
			if tt.whyContains != "" && !strings.Contains(why, tt.whyContains) {
				t.Errorf("MustBeSet() reason %q, want it to mention %q", why, tt.whyContains)
			}
		})
	}
}

func TestScanWithoutConfig(t *testing.T) {
	if _, err := Scan("testdata/noconfig"); !errors.Is(err, ErrNoConfig) {
		t.Fatalf("Scan = %v, want ErrNoConfig", err)
	}
	if _, err := Scan("testdata/absent"); !errors.Is(err, ErrNoConfig) {
		t.Fatalf("Scan of a missing directory = %v, want ErrNoConfig", err)
	}
}

// TestScanTableReads: a read named through contracts' table reads that
// variable of every service, with the row's default.
func TestScanTableReads(t *testing.T) {
	p, err := Scan("testdata/table")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Vars) != len(contracts.Services()) {
		t.Errorf("Names() = %v, want one URL variable per service", p.Names())
	}
	for _, svc := range contracts.Services() {
		v, ok := p.Vars[svc.URLVar()]
		if !ok || v.Default != svc.DefaultURL() || !v.DefaultKnown {
			t.Errorf("%s: %+v (found %v), want default %s", svc.URLVar(), v, ok, svc.DefaultURL())
		}
	}
}

// TestScanBase: env.Base(contracts.MustService(name)) reads the shared
// settings of that row, with their defaults, beside the program's own.
func TestScanBase(t *testing.T) {
	p, err := Scan("testdata/base")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"CART_ADDR": "127.0.0.1:8086", "CART_DB": "sqlite:data/cart.db", "ROCKETMQ_NAMESERVER": "127.0.0.1:9876",
		"ROCKETMQ_CLIENT_LOG_LEVEL": "warn", "CART_MAX_RECONSUME": "16", "ADMIN_TOKEN": "rocketmart-admin",
		"LOG_LEVEL": "info", "INVENTORY_URL": "http://127.0.0.1:8083", "CART_FAULTS": "",
		"OTEL_EXPORTER_OTLP_ENDPOINT": "",
	}
	if len(p.Vars) != len(want) {
		t.Errorf("Names() = %v, want %d variables", p.Names(), len(want))
	}
	for name, def := range want {
		if v, ok := p.Vars[name]; !ok || v.Default != def || !v.DefaultKnown {
			t.Errorf("%s: %+v (found %v), want default %q", name, v, ok, def)
		}
	}
}

// A Base read the scan cannot pin to a row fails instead of reading nothing.
func TestScanBaseWithoutARow(t *testing.T) {
	if _, err := Scan("testdata/badbase"); err == nil || !strings.Contains(err.Error(), "services table") {
		t.Fatalf("Scan = %v, want an error about the services table", err)
	}
}
