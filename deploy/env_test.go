package deploy_test

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/deploy/internal/envscan"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
)

// reachable answers whether host:port names something the deployment runs
// (a compose service, a Kubernetes Service).
type reachable func(host string, port int) error

// scanProgram reads what the program in dir (repository-relative) reads
// from its environment. A program without config.go fails the test: the
// deployment cannot be checked against a program that does not exist yet.
func scanProgram(t *testing.T, dir string, set map[string]string) envscan.Program {
	t.Helper()
	prog, err := envscan.Scan(repoPath(dir))
	if errors.Is(err, envscan.ErrNoConfig) {
		t.Fatalf("%s/config.go does not exist (yet): nothing says which variables this program reads, "+
			"so the ones set for it cannot be checked: %v", dir, sortedKeys(set))
	}
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	return prog
}

// checkEnv compares the variables a deployment sets for the program in dir
// with the ones its source reads: nothing set that is never read (a typo or
// a stale setting is silently ignored by the program), nothing left out whose
// default only works on a developer's machine, and every value acceptable to
// the program's own start-up checks.
func checkEnv(t *testing.T, where, dir string, set map[string]string, reach reachable) {
	t.Helper()
	prog := scanProgram(t, dir, set)
	for _, name := range sortedKeys(set) {
		if _, ok := prog.Vars[name]; !ok {
			t.Errorf("%s sets %s, which %s never reads (it reads %v)", where, name, dir, prog.Names())
		}
	}
	for _, name := range prog.Names() {
		v := prog.Vars[name]
		if must, why := v.MustBeSet(); must {
			if _, ok := set[name]; !ok {
				t.Errorf("%s does not set %s, but must: %s (read at %s)", where, name, why, rel(v.Pos))
			}
		}
	}
	for _, name := range sortedKeys(set) {
		if err := checkValue(name, set[name], reach); err != nil {
			t.Errorf("%s: %v", where, err)
		}
	}
	// The programs refuse to listen beyond loopback with the public admin
	// token (envconf.Exposure): a deployment must give them one of its own.
	for _, name := range prog.Names() {
		if !strings.HasSuffix(name, "_ADDR") {
			continue
		}
		addr, ok := set[name]
		if !ok {
			addr = prog.Vars[name].Default
		}
		token, ok := set["ADMIN_TOKEN"]
		if !ok {
			token = prog.Vars["ADMIN_TOKEN"].Default
		}
		if err := envconf.Exposure(name, addr, "ADMIN_TOKEN", token); err != nil {
			t.Errorf("%s: the program would refuse to start: %v", where, err)
		}
	}
}

// checkValue applies the check a RocketMart program applies to a variable
// of that kind at start-up (platform/envconf, platform/database), and checks
// that addresses point at something the deployment runs.
func checkValue(name, value string, reach reachable) error {
	switch {
	case strings.HasSuffix(name, "_ADDR"):
		return envconf.ListenAddr(name, value)
	case strings.HasSuffix(name, "_DB"):
		if err := database.CheckDSN(value); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		cfg, err := database.MySQLConfig(strings.TrimPrefix(value, "mysql://"))
		if !strings.HasPrefix(value, "mysql://") || err != nil {
			return fmt.Errorf("%s=%q: a container needs a MySQL DSN; a SQLite file would live and die with it", name, database.Redact(value))
		}
		return dial(name, cfg.Addr, reach)
	case name == "ROCKETMQ_NAMESERVER":
		if err := envconf.HostPortList(name, value); err != nil {
			return err
		}
		for _, addr := range strings.FieldsFunc(value, func(r rune) bool { return r == ';' || r == ',' }) {
			if err := dial(name, strings.TrimSpace(addr), reach); err != nil {
				return err
			}
		}
	case strings.HasSuffix(name, "_URL") && strings.Contains(value, "://"):
		// A value without a scheme is a switch, such as MINIRMQ_ADMIN_URL=off.
		if err := envconf.BaseURL(name, value); err != nil {
			return err
		}
		u, _ := url.Parse(value)
		return dial(name, u.Host, reach)
	case name == "OTEL_EXPORTER_OTLP_ENDPOINT": // the trace viewer's OTLP/HTTP receiver
		if err := envconf.BaseURL(name, value); err != nil {
			return err
		}
		u, _ := url.Parse(value)
		return dial(name, u.Host, reach)
	case strings.HasSuffix(name, "LOG_LEVEL"):
		_, err := envconf.LogLevel(name, value)
		return err
	case name == "ADMIN_TOKEN" || strings.HasSuffix(name, "_SECRET"):
		return envconf.Token(name, value)
	}
	return nil
}

func dial(name, hostPort string, reach reachable) error {
	host, portText, err := net.SplitHostPort(hostPort)
	if err != nil {
		return fmt.Errorf("%s: %q is not host:port: %w", name, hostPort, err)
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return fmt.Errorf("%s: %s is the container itself, not another service", name, hostPort)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return fmt.Errorf("%s: port of %q: %w", name, hostPort, err)
	}
	if err := reach(host, port); err != nil {
		return fmt.Errorf("%s points at %s: %w", name, hostPort, err)
	}
	return nil
}

// rel shortens a source position to a repository-relative path.
func rel(pos string) string {
	if r, err := filepath.Rel(repoRoot(), pos); err == nil {
		return r
	}
	return pos
}

// composeReach accepts a compose service name and a port its container
// listens on (a ports target or an exposed port).
func composeReach(t *testing.T) reachable {
	p := composeProject(t)
	return func(host string, port int) error {
		svc, ok := p.Services[host]
		if !ok {
			return fmt.Errorf("no compose service is called %q", host)
		}
		for _, pc := range svc.Ports {
			if int(pc.Target) == port {
				return nil
			}
		}
		for _, e := range svc.Expose {
			if e == strconv.Itoa(port) {
				return nil
			}
		}
		return fmt.Errorf("service %s does not list port %d", host, port)
	}
}

func TestComposeEnvMatchesSource(t *testing.T) {
	reach := composeReach(t)
	for _, p := range programs(t) {
		t.Run(p.Service, func(t *testing.T) {
			checkEnv(t, "docker-compose.yml service "+p.Service, p.Dir, p.Env, reach)
		})
	}
}

// TestComposePortsMatchEmbeddedRun: a program listens, is exposed (the
// gateway: published) and is probed on the port its source defaults to, so
// URLs and habits from `make run` carry over.
func TestComposePortsMatchEmbeddedRun(t *testing.T) {
	for _, p := range programs(t) {
		t.Run(p.Service, func(t *testing.T) {
			prog := scanProgram(t, p.Dir, p.Env)
			def, ok := prog.Vars[p.addrVar()]
			if !ok || !def.DefaultKnown {
				t.Fatalf("%s reads no %s with a literal default", p.Dir, p.addrVar())
			}
			want := port(t, p.addrVar()+" default", def.Default)
			if got := port(t, p.addrVar(), p.Env[p.addrVar()]); got != want {
				t.Errorf("%s=%q listens on %d; the embedded run uses %d", p.addrVar(), p.Env[p.addrVar()], got, want)
			}
			if p.Service == gatewayProgram {
				if len(p.Config.Ports) != 1 {
					t.Fatalf("ports = %+v, want exactly one mapping", p.Config.Ports)
				}
				if pc := p.Config.Ports[0]; int(pc.Target) != want || pc.Published != strconv.Itoa(want) {
					t.Errorf("ports: %s:%d, want %d:%d", pc.Published, pc.Target, want, want)
				}
			} else if len(p.Config.Ports) != 0 || len(p.Config.Expose) != 1 || p.Config.Expose[0] != strconv.Itoa(want) {
				t.Errorf("ports %+v, expose %v: want only %d exposed (the gateway is the one published program)", p.Config.Ports, p.Config.Expose, want)
			}
			hc := p.Config.HealthCheck
			wantTest := []string{"CMD", "/healthcheck", fmt.Sprintf("http://127.0.0.1:%d/readyz", want)}
			if hc == nil || strings.Join(hc.Test, " ") != strings.Join(wantTest, " ") {
				t.Errorf("healthcheck = %+v, want test %q", hc, wantTest)
			}
		})
	}
}

// port is the port of listen address addr, read from variable name.
func port(t *testing.T, name, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	n, err2 := strconv.Atoi(p)
	if err != nil || err2 != nil {
		t.Fatalf("%s=%q is not [host]:port", name, addr)
	}
	return n
}
