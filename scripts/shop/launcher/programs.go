// Package launcher builds and runs the whole shop as separate local
// processes: minirmq, the six services (and the web gateway), each service
// on its own database, with readiness waits, per-process logs and a clean
// stop. `make run` and the whole-shop tests use it.
package launcher

import "slices"

// Program is one process of the shop.
type Program struct {
	Name string // also the binary's name and the env prefix (ORDER_ADDR …)
	Pkg  string // import path built with go build
	Port int    // default port of the embedded run
}

// Broker is minirmq; its admin API listens on BrokerAdminPort.
var Broker = Program{Name: "minirmq", Pkg: "github.com/rocketmart/rocketmart/services/minirmq/cmd/minirmq", Port: 9876}

// BrokerAdminPort is minirmq's admin API port in the embedded run.
const BrokerAdminPort = 9877

// Services are started in this order; the order service last, since it is
// the one the storefront calls first and it calls the others.
var Services = []Program{
	{Name: "inventory", Pkg: "github.com/rocketmart/rocketmart/services/inventory", Port: 8083},
	{Name: "payment", Pkg: "github.com/rocketmart/rocketmart/services/payment", Port: 8082},
	{Name: "cart", Pkg: "github.com/rocketmart/rocketmart/services/cart", Port: 8086},
	{Name: "logistics", Pkg: "github.com/rocketmart/rocketmart/services/logistics", Port: 8084},
	{Name: "points", Pkg: "github.com/rocketmart/rocketmart/services/points", Port: 8085},
	{Name: "order", Pkg: "github.com/rocketmart/rocketmart/services/order", Port: 8081},
}

// Gateway is the storefront and API gateway, started last.
var Gateway = Program{Name: "web", Pkg: "github.com/rocketmart/rocketmart/web/cmd/gateway", Port: 8080}

// servers are the programs with an HTTP port: the services, then the
// gateway.
func servers() []Program { return append(slices.Clone(Services), Gateway) }

// ServiceNames lists the services in start order.
func ServiceNames() []string {
	out := make([]string, len(Services))
	for i, p := range Services {
		out[i] = p.Name
	}
	return out
}
