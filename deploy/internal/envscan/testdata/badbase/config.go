package main

import (
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
)

func loadConfig(getenv func(string) string) (envconf.Base, error) {
	env := envconf.New(getenv)
	return env.Base(contracts.MustService("no-such-service")), env.Err()
}
