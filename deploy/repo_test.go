package deploy_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// repoRoot is the repository root: this module lives in deploy/.
var repoRoot = sync.OnceValue(func() string {
	abs, err := filepath.Abs("..")
	if err != nil {
		panic(err)
	}
	return abs
})

// repoPath joins a repository-relative path.
func repoPath(rel ...string) string {
	return filepath.Join(append([]string{repoRoot()}, rel...)...)
}

// testAdminToken is the ADMIN_TOKEN the tests give docker compose, which
// requires one (TestComposeNeedsAnAdminToken).
const testAdminToken = "compose-test-token"

// loadCompose loads docker-compose.yml the way `docker compose` does -
// schema validation, interpolation, path resolution - with only
// ADMIN_TOKEN in the environment, so the test sees the defaults a fresh
// checkout runs with.
var loadCompose = sync.OnceValues(func() (*types.Project, error) {
	return loadComposeWith(types.Mapping{"ADMIN_TOKEN": testAdminToken})
})

// loadComposeWith loads docker-compose.yml with env as the shell's
// environment.
func loadComposeWith(env types.Mapping) (*types.Project, error) {
	details := types.ConfigDetails{
		WorkingDir:  repoRoot(),
		ConfigFiles: []types.ConfigFile{{Filename: repoPath("docker-compose.yml")}},
		Environment: env,
	}
	return loader.LoadWithContext(context.Background(), details)
}

func composeProject(t *testing.T) *types.Project {
	t.Helper()
	p, err := loadCompose()
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

// program is a compose service built from this repository's Dockerfile:
// one of RocketMart's Go programs.
type program struct {
	Service string            // compose service name
	Module  string            // build arg MODULE, repository-relative
	Main    string            // build arg MAIN, relative to Module
	Dir     string            // the main package, repository-relative
	Env     map[string]string // what compose sets, interpolated
	Config  types.ServiceConfig
}

// programs lists the compose services that have a build section. Every
// table-driven check starts here, so a program added to compose is checked
// without touching the tests.
func programs(t *testing.T) []program {
	t.Helper()
	p := composeProject(t)
	var out []program
	for name, svc := range p.Services {
		if svc.Build == nil {
			continue
		}
		prog := program{Service: name, Main: ".", Env: map[string]string{}, Config: svc}
		if v := svc.Build.Args["MODULE"]; v != nil {
			prog.Module = *v
		}
		if v := svc.Build.Args["MAIN"]; v != nil {
			prog.Main = *v
		}
		prog.Dir = filepath.ToSlash(filepath.Clean(filepath.Join(prog.Module, prog.Main)))
		for k, v := range svc.Environment {
			if v != nil {
				prog.Env[k] = *v
			}
		}
		out = append(out, prog)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Service < out[j].Service })
	if len(out) == 0 {
		t.Fatal("docker-compose.yml builds no program")
	}
	return out
}

// addrVar is the program's listen-address variable, e.g. ORDER_ADDR.
func (p program) addrVar() string {
	return strings.ToUpper(p.Service) + "_ADDR"
}

// readFile reads a repository file or fails the test.
func readFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(repoPath(rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
