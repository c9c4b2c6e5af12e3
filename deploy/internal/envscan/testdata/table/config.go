package main

import "github.com/rocketmart/rocketmart/services/contracts"

func loadConfig(get func(name, def string) string) map[string]string {
	urls := map[string]string{}
	for _, svc := range contracts.Services() {
		urls[svc.Name] = get(svc.URLVar(), svc.DefaultURL())
	}
	return urls
}
