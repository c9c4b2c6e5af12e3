package deploy_test

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
)

// TestComposePublishesOnlyTheGateway: the services trust X-User-ID and
// RocketMQ has no authentication here, so the gateway is the one port open
// beyond the host; the broker, its dashboard and MySQL are published on the
// host's loopback only, for tools and a service run on the host.
func TestComposePublishesOnlyTheGateway(t *testing.T) {
	p := composeProject(t)
	gateway := false
	for name, svc := range p.Services {
		for _, pc := range svc.Ports {
			switch {
			case name == gatewayProgram && pc.HostIP == "":
				gateway = true
			case pc.HostIP != "127.0.0.1":
				t.Errorf("%s publishes %s:%d on %q; only %s may be published beyond the host (give others 127.0.0.1)",
					name, pc.Published, pc.Target, pc.HostIP, gatewayProgram)
			}
		}
	}
	if !gateway {
		t.Errorf("%s is not published: the storefront would be unreachable", gatewayProgram)
	}
}

// TestComposeNeedsAnAdminToken: the containers listen on every interface,
// where the programs refuse the public default token; compose asks for one
// up front instead of starting seven containers that exit.
func TestComposeNeedsAnAdminToken(t *testing.T) {
	_, err := loadComposeWith(types.Mapping{})
	if err == nil || !strings.Contains(err.Error(), "ADMIN_TOKEN") {
		t.Fatalf("docker-compose.yml loads without ADMIN_TOKEN (err %v); want it required", err)
	}
	for _, p := range programs(t) {
		if got := p.Env["ADMIN_TOKEN"]; got != testAdminToken {
			t.Errorf("%s: ADMIN_TOKEN=%q, want the shell's (%q)", p.Service, got, testAdminToken)
		}
	}
}

// TestK8sNothingLeavesTheCluster: every Service is reached inside the
// cluster only (an Ingress in front of web is the operator's choice).
func TestK8sNothingLeavesTheCluster(t *testing.T) {
	m := k8sManifests(t)
	for name, svc := range m.Services {
		switch svc.Spec.Type {
		case "", corev1.ServiceTypeClusterIP, corev1.ServiceTypeExternalName:
		default:
			t.Errorf("Service %s is of type %s: it would be reachable from outside the cluster", name, svc.Spec.Type)
		}
	}
}
