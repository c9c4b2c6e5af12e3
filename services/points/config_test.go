package main

// The shared settings' checks are platform's (envconf.Base); points has no
// variables of its own, so this checks only that it reads its own row.

import "testing"

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadConfigReadsPointsRow(t *testing.T) {
	got, err := loadConfig(env(map[string]string{"POINTS_MAX_RECONSUME": "3"}))
	if err != nil || got.Addr != "127.0.0.1:8085" || got.DB != "sqlite:data/points.db" || got.MaxReconsume != 3 {
		t.Errorf("loadConfig = %+v, %v; want :8085, sqlite:data/points.db and POINTS_MAX_RECONSUME read", got.Base, err)
	}
}
