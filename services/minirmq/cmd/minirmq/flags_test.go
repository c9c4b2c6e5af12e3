package main

import (
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/minirmq"
)

// TestFaultsAndTokenSettings: -faults / MINIRMQ_FAULTS and -admin-token /
// ADMIN_TOKEN, a flag winning over its variable, and errors that name
// where the bad setting came from and the bad item.
func TestFaultsAndTokenSettings(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		env        map[string]string
		wantErr    []string // substrings; nil = valid
		wantToken  string
		wantFaults string
	}{
		{name: "defaults", wantToken: minirmq.DefaultAdminToken},
		{name: "from the environment",
			env:       map[string]string{"ADMIN_TOKEN": "t0k", "MINIRMQ_FAULTS": "deliver.points-order-paid=pause"},
			wantToken: "t0k", wantFaults: "deliver.points-order-paid=pause"},
		{name: "flags win",
			args:      []string{"-admin-token", "flag-tok", "-faults", "check-back=drop,count=2"},
			env:       map[string]string{"ADMIN_TOKEN": "env-tok", "MINIRMQ_FAULTS": "deliver=pause"},
			wantToken: "flag-tok", wantFaults: "check-back=drop,count=2"},
		{name: "bad item in MINIRMQ_FAULTS",
			env:     map[string]string{"MINIRMQ_FAULTS": "deliver=pause;check-back=drop,count=5000"},
			wantErr: []string{"MINIRMQ_FAULTS", `item "check-back=drop,count=5000"`, "count"}},
		{name: "bad item in -faults",
			args:    []string{"-faults", "deliver.bad group=pause"},
			env:     map[string]string{"MINIRMQ_FAULTS": "deliver=pause"},
			wantErr: []string{"-faults", `item "deliver.bad group=pause"`, "point"}},
		{name: "bad ADMIN_TOKEN",
			env:     map[string]string{"ADMIN_TOKEN": "has space"},
			wantErr: []string{"ADMIN_TOKEN", "admin token"}},
		{name: "beyond loopback with the default token",
			args:    []string{"-listen", ":9876"},
			wantErr: []string{"-listen", `":9876"`, "ADMIN_TOKEN", "public default", "127.0.0.1"}},
		{name: "admin API beyond loopback with the default token",
			args:    []string{"-admin", "0.0.0.0:9877"},
			wantErr: []string{"-admin", `"0.0.0.0:9877"`, "ADMIN_TOKEN"}},
		{name: "beyond loopback with a token of one's own",
			args: []string{"-listen", ":9876", "-admin", "0.0.0.0:9877"}, env: map[string]string{"ADMIN_TOKEN": "t0k"},
			wantToken: "t0k"},
		{name: "localhost with the default token",
			args: []string{"-listen", "localhost:9876", "-admin", "[::1]:9877"}, wantToken: minirmq.DefaultAdminToken},
		{name: "empty -admin-token",
			args:    []string{"-admin-token", ""},
			wantErr: []string{"-admin-token", "admin token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-memory"}, tc.args...)
			cfg, _, err := parseFlags(args, func(k string) string { return tc.env[k] })
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("parseFlags(%q) accepted; want an error naming %q", args, tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %q", err, w)
					}
				}
				return
			}
			if err != nil || cfg.AdminToken != tc.wantToken || cfg.Faults != tc.wantFaults {
				t.Errorf("parseFlags(%q) = token %q faults %q err %v; want %q %q", args, cfg.AdminToken, cfg.Faults, err, tc.wantToken, tc.wantFaults)
			}
		})
	}
}
