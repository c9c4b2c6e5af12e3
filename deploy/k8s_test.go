package deploy_test

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestK8sKustomization: every manifest file is listed once, and every
// listed one exists.
func TestK8sKustomization(t *testing.T) {
	m := k8sManifests(t)
	k := m.Kustomization
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Errorf("kustomization.yaml: %s %s", k.APIVersion, k.Kind)
	}
	listed := map[string]bool{}
	for _, r := range k.Resources {
		if listed[r] {
			t.Errorf("kustomization.yaml lists %s twice", r)
		}
		listed[r] = true
	}
	for _, f := range m.Files {
		if !listed[f] {
			t.Errorf("deploy/k8s/%s is not in kustomization.yaml's resources", f)
		}
		delete(listed, f)
	}
	for r := range listed {
		t.Errorf("kustomization.yaml lists %s, which is not a manifest in deploy/k8s", r)
	}
	if _, ok := m.Namespaces[k.Namespace]; !ok {
		t.Errorf("kustomization.yaml puts everything in namespace %q, which no manifest creates", k.Namespace)
	}
}

// TestK8sDeployments: one Deployment and one Service per program of the
// compose file, probes on /healthz (liveness, start-up) and /readyz
// (readiness) on the port the program listens on, resources bounded, and
// no root.
func TestK8sDeployments(t *testing.T) {
	m := k8sManifests(t)
	seen := map[string]bool{}
	for _, p := range programs(t) {
		seen[p.Service] = true
		t.Run(p.Service, func(t *testing.T) {
			d, ok := m.Deployments[p.Service]
			if !ok {
				t.Fatalf("deploy/k8s has no Deployment %s", p.Service)
			}
			pod := d.Spec.Template
			if d.Spec.Selector == nil || !subset(d.Spec.Selector.MatchLabels, pod.Labels) || len(d.Spec.Selector.MatchLabels) == 0 {
				t.Errorf("selector %v does not select the pod labels %v", d.Spec.Selector, pod.Labels)
			}
			if len(pod.Spec.Containers) != 1 {
				t.Fatalf("%d containers, want 1", len(pod.Spec.Containers))
			}
			c := pod.Spec.Containers[0]
			if !strings.HasPrefix(c.Image, "rocketmart/"+p.Service+":") {
				t.Errorf("image %q, want rocketmart/%s (what compose builds)", c.Image, p.Service)
			}
			env := m.containerEnv(t, "Deployment "+p.Service, c)
			listen := port(t, p.addrVar(), env[p.addrVar()])
			if len(c.Ports) != 1 || int(c.Ports[0].ContainerPort) != listen {
				t.Fatalf("container ports %+v, want one: %d (%s)", c.Ports, listen, p.addrVar())
			}
			checkProbe(t, "livenessProbe", c.LivenessProbe, "/healthz", c)
			checkProbe(t, "readinessProbe", c.ReadinessProbe, "/readyz", c)
			if c.StartupProbe != nil {
				checkProbe(t, "startupProbe", c.StartupProbe, "/healthz", c)
			}
			checkResources(t, c)
			sc, csc := pod.Spec.SecurityContext, c.SecurityContext
			if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
				t.Errorf("pod securityContext %+v: want runAsNonRoot with a numeric non-root runAsUser", sc)
			}
			if csc == nil || csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem ||
				csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation {
				t.Errorf("container securityContext %+v: want a read-only root and no privilege escalation", csc)
			}
			svc, ok := m.Services[p.Service]
			if !ok {
				t.Fatalf("deploy/k8s has no Service %s", p.Service)
			}
			if len(svc.Spec.Selector) == 0 || !subset(svc.Spec.Selector, pod.Labels) {
				t.Errorf("Service selector %v does not select the pod labels %v", svc.Spec.Selector, pod.Labels)
			}
			if len(svc.Spec.Ports) != 1 || int(svc.Spec.Ports[0].Port) != listen || targetPort(svc.Spec.Ports[0].TargetPort, c) != listen {
				t.Errorf("Service ports %+v, want port %d to the container's %d", svc.Spec.Ports, listen, listen)
			}
		})
	}
	for name := range m.Deployments {
		if !seen[name] {
			t.Errorf("Deployment %s has no program in docker-compose.yml to check it against", name)
		}
	}
}

func checkProbe(t *testing.T, what string, p *corev1.Probe, path string, c corev1.Container) {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Errorf("%s: want an HTTP GET of %s", what, path)
		return
	}
	if p.HTTPGet.Path != path {
		t.Errorf("%s: path %s, want %s", what, p.HTTPGet.Path, path)
	}
	if got, want := targetPort(p.HTTPGet.Port, c), int(c.Ports[0].ContainerPort); got != want {
		t.Errorf("%s: port %s is not the container's port %d", what, p.HTTPGet.Port.String(), want)
	}
}

// targetPort resolves a number or a port name of container c (0: neither).
func targetPort(p intstr.IntOrString, c corev1.Container) int {
	if p.Type == intstr.Int {
		return p.IntValue()
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return int(cp.ContainerPort)
		}
	}
	return 0
}

func checkResources(t *testing.T, c corev1.Container) {
	t.Helper()
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := c.Resources.Requests[r]
		lim, hasLim := c.Resources.Limits[r]
		switch {
		case !hasReq || req.IsZero():
			t.Errorf("container %s: no %s request", c.Name, r)
		case !hasLim || lim.IsZero():
			t.Errorf("container %s: no %s limit", c.Name, r)
		case req.Cmp(lim) > 0:
			t.Errorf("container %s: %s request %s above its limit %s", c.Name, r, req.String(), lim.String())
		}
	}
}

func subset(sub, of map[string]string) bool {
	for k, v := range sub {
		if of[k] != v {
			return false
		}
	}
	return true
}

// k8sReach accepts a Service of the manifests on one of its ports (an
// ExternalName Service on any), and a dotted name as outside the manifests:
// the RocketMQ cluster's pods (rocketmq-namesrv-0.rocketmq-namesrv) or a
// fully qualified host.
func k8sReach(m *manifests) reachable {
	return func(host string, port int) error {
		if strings.Contains(host, ".") {
			return nil
		}
		svc, ok := m.Services[host]
		if !ok {
			return fmt.Errorf("no Service %q in deploy/k8s", host)
		}
		if svc.Spec.Type == corev1.ServiceTypeExternalName {
			return nil
		}
		for _, p := range svc.Spec.Ports {
			if int(p.Port) == port {
				return nil
			}
		}
		return fmt.Errorf("Service %s has no port %d", host, port)
	}
}

// TestK8sEnvMatchesSource applies the compose checks to what each
// Deployment's ConfigMaps, Secrets and env give its program.
func TestK8sEnvMatchesSource(t *testing.T) {
	m := k8sManifests(t)
	reach := k8sReach(m)
	for _, p := range programs(t) {
		t.Run(p.Service, func(t *testing.T) {
			d, ok := m.Deployments[p.Service]
			if !ok || len(d.Spec.Template.Spec.Containers) == 0 {
				t.Fatalf("deploy/k8s has no Deployment %s with a container", p.Service)
			}
			where := "k8s Deployment " + p.Service
			checkEnv(t, where, p.Dir, m.containerEnv(t, where, d.Spec.Template.Spec.Containers[0]), reach)
		})
	}
}

// TestK8sNameServers: every program and the topic Job use one name-server
// list, and it names more than one name server (a cluster, not a laptop).
func TestK8sNameServers(t *testing.T) {
	m := k8sManifests(t)
	lists := map[string][]string{}
	for _, p := range programs(t) {
		d, ok := m.Deployments[p.Service]
		if !ok {
			continue // reported by TestK8sDeployments
		}
		if ns, ok := m.containerEnv(t, p.Service, d.Spec.Template.Spec.Containers[0])["ROCKETMQ_NAMESERVER"]; ok {
			lists[ns] = append(lists[ns], p.Service)
		}
	}
	if job, ok := m.Jobs["rocketmq-topics"]; ok {
		ns := m.containerEnv(t, "Job rocketmq-topics", job.Spec.Template.Spec.Containers[0])["NAMESRV_ADDR"]
		lists[ns] = append(lists[ns], "Job rocketmq-topics")
	}
	if len(lists) != 1 {
		t.Fatalf("name-server lists differ: %v", lists)
	}
	for ns := range lists {
		if n := len(strings.Split(ns, ";")); n < 2 {
			t.Errorf("ROCKETMQ_NAMESERVER=%q names %d name server; a cluster has several", ns, n)
		}
	}
}

// TestK8sTopicJob: the Job runs the mounted script as a verifiable non-root
// user, with bounded resources.
func TestK8sTopicJob(t *testing.T) {
	m := k8sManifests(t)
	job, ok := m.Jobs["rocketmq-topics"]
	if !ok {
		t.Fatal("deploy/k8s has no Job rocketmq-topics")
	}
	spec := job.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(spec.Containers))
	}
	checkResources(t, spec.Containers[0])
	if sc := spec.SecurityContext; sc == nil || sc.RunAsUser == nil || *sc.RunAsUser == 0 || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Errorf("securityContext %+v: want runAsNonRoot and a numeric runAsUser (the image's user is a name)", sc)
	}
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil {
			if _, ok := m.ConfigMaps[v.ConfigMap.Name]; !ok {
				t.Errorf("volume %s: ConfigMap %s does not exist", v.Name, v.ConfigMap.Name)
			}
		}
	}
	if cmd := strings.Join(spec.Containers[0].Command, " "); cmd != "bash /opt/rocketmart/create-topics.sh" {
		t.Errorf("command %q, want the mounted create-topics.sh", cmd)
	}
}
