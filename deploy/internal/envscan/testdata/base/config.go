package main

import (
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
)

const serviceName = "cart"

type config struct {
	envconf.Base
	InventoryURL string
}

func loadConfig(getenv func(string) string) (config, error) {
	env := envconf.New(getenv)
	c := config{
		Base:         env.Base(contracts.MustService(serviceName)),
		InventoryURL: env.BaseURL("INVENTORY_URL", "http://127.0.0.1:8083"),
	}
	return c, env.Err()
}
