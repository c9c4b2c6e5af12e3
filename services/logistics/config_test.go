package main

// The shared settings' checks are platform's (envconf.Base); logistics has
// no variables of its own, so this checks only that it reads its own row.

import "testing"

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadConfigReadsLogisticsRow(t *testing.T) {
	got, err := loadConfig(env(map[string]string{"LOGISTICS_MAX_RECONSUME": "3"}))
	if err != nil || got.Addr != "127.0.0.1:8084" || got.DB != "sqlite:data/logistics.db" || got.MaxReconsume != 3 {
		t.Errorf("loadConfig = %+v, %v; want :8084, sqlite:data/logistics.db and LOGISTICS_MAX_RECONSUME read", got.Base, err)
	}
}

func TestLoadConfigAutoAdvance(t *testing.T) {
	tests := []struct {
		name, raw string
		want      string // the duration, or "error"
	}{
		{"unset: off", "", "0s"},
		{"zero: off", "0", "0s"},
		{"twenty seconds", "20s", "20s"},
		{"too short", "10ms", "error"},
		{"too long", "48h", "error"},
		{"not a duration", "soon", "error"},
	}
	for _, tt := range tests {
		got, err := loadConfig(env(map[string]string{"LOGISTICS_AUTO_ADVANCE": tt.raw}))
		switch {
		case tt.want == "error" && err == nil:
			t.Errorf("%s: loadConfig accepted %q", tt.name, tt.raw)
		case tt.want != "error" && (err != nil || got.AutoAdvance.String() != tt.want):
			t.Errorf("%s: AutoAdvance = %v, %v; want %s", tt.name, got.AutoAdvance, err, tt.want)
		}
	}
}
