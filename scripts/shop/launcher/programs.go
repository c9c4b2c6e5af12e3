// Package launcher builds and runs the whole shop as separate local
// processes: minirmq, the six services (and the web gateway), each service
// on its own database, with readiness waits, per-process logs and a clean
// stop. `make run` and the whole-shop tests use it.
package launcher

import "github.com/rocketmart/rocketmart/services/contracts"

// Program is one process of the shop.
type Program struct {
	Name      string // also the binary's name
	Pkg       string // import path built with go build
	Port      int    // default port of the embedded run
	EnvPrefix string // of its own variables: <EnvPrefix>_ADDR …
}

// Broker is minirmq; its admin API listens on BrokerAdminPort.
var Broker = Program{Name: "minirmq", Pkg: "github.com/rocketmart/rocketmart/services/minirmq/cmd/minirmq", Port: 9876}

// BrokerAdminPort is minirmq's admin API port in the embedded run.
const BrokerAdminPort = 9877

// Gateway is the storefront and API gateway, started last.
var Gateway = Program{Name: "web", Pkg: "github.com/rocketmart/rocketmart/web/cmd/gateway", Port: 8080, EnvPrefix: "WEB"}

// services are the six services in the start order of contracts' table.
func services() []Program {
	var out []Program
	for _, s := range contracts.Services() {
		out = append(out, Program{Name: s.Name, Pkg: s.Module, Port: s.Port, EnvPrefix: s.EnvPrefix})
	}
	return out
}

// servers are the programs with an HTTP port: the services, then the
// gateway.
func servers() []Program { return append(services(), Gateway) }

// ServiceNames lists the services in start order.
func ServiceNames() []string { return contracts.ServiceNames() }
