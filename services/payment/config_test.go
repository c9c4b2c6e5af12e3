package main

// The shared settings' checks are platform's (envconf.Base); payment has no
// variables of its own, so this checks only that it reads its own row.

import "testing"

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadConfigReadsPaymentsRow(t *testing.T) {
	got, err := loadConfig(env(map[string]string{"PAYMENT_MAX_RECONSUME": "3"}))
	if err != nil || got.Addr != "127.0.0.1:8082" || got.DB != "sqlite:data/payment.db" || got.MaxReconsume != 3 {
		t.Errorf("loadConfig = %+v, %v; want :8082, sqlite:data/payment.db and PAYMENT_MAX_RECONSUME read", got.Base, err)
	}
}
