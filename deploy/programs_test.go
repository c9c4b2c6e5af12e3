package deploy_test

import (
	"strconv"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// gatewayProgram is the one compose program that is not a service of
// contracts' table.
const gatewayProgram = "web"

// TestComposeBuildsTheServicesTable: docker compose (and through
// TestK8sDeployments, Kubernetes) runs exactly the services of the table in
// services/contracts, each built from its folder and exposed on its port,
// so a row added there without its deploy entries fails here.
func TestComposeBuildsTheServicesTable(t *testing.T) {
	built := map[string]program{}
	for _, p := range programs(t) {
		built[p.Service] = p
		if _, ok := contracts.ServiceByName(p.Service); !ok && p.Service != gatewayProgram {
			t.Errorf("docker-compose.yml builds %s, which is not in contracts' table", p.Service)
		}
	}
	for _, svc := range contracts.Services() {
		p, ok := built[svc.Name]
		if !ok {
			t.Errorf("the %s service has no program in docker-compose.yml", svc.Name)
			continue
		}
		if p.Dir != svc.Dir() {
			t.Errorf("%s: compose builds %s, the table says %s", svc.Name, p.Dir, svc.Dir())
		}
		if len(p.Config.Ports) != 0 || len(p.Config.Expose) != 1 || p.Config.Expose[0] != strconv.Itoa(svc.Port) {
			t.Errorf("%s: compose publishes %+v and exposes %v; want port %d (the table's) exposed to the other containers only",
				svc.Name, p.Config.Ports, p.Config.Expose, svc.Port)
		}
	}
}
