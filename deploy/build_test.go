package deploy_test

import (
	"go/parser"
	"go/token"
	"go/version"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/rocketmart/rocketmart/deploy/internal/dockerfile"
)

// modulePrefix is the path prefix of every RocketMart module.
const modulePrefix = "github.com/rocketmart/rocketmart/"

// TestComposeBuilds checks each program's image recipe without Docker: the
// build context is the repository root, the Dockerfile exists, MODULE is
// the program's module and MAIN its main package, every COPY source exists
// and survives the ignore file, the copied directories hold every module the
// go.mod's replace lines point at (the build runs with GOWORK=off), and the
// builder's Go is new enough.
func TestComposeBuilds(t *testing.T) {
	for _, p := range programs(t) {
		t.Run(p.Service, func(t *testing.T) {
			b := p.Config.Build
			if b.Context != repoRoot() {
				t.Errorf("build context = %s, want the repository root %s (the shared modules live there)", b.Context, repoRoot())
			}
			dfPath := filepath.Join(b.Context, b.Dockerfile)
			df, err := dockerfile.ParseFile(dfPath)
			if err != nil {
				t.Fatalf("Dockerfile: %v", err)
			}
			args := df.ArgDefaults()
			for k, v := range b.Args {
				if _, declared := args[k]; !declared {
					t.Errorf("build arg %s is not declared by an ARG in %s", k, b.Dockerfile)
				}
				if v != nil {
					args[k] = *v
				}
			}
			if p.Module == "" {
				t.Fatal("build arg MODULE is not set")
			}
			mod := readModule(t, p.Module)
			if want := modulePrefix + p.Module; mod.Module.Mod.Path != want {
				t.Errorf("%s/go.mod declares module %s, want %s", p.Module, mod.Module.Mod.Path, want)
			}
			if path.Base(p.Module) != p.Service {
				t.Errorf("service %s builds module %s: name them alike", p.Service, p.Module)
			}
			checkMainPackage(t, p)
			if goVer := args["GO_VERSION"]; mod.Go != nil && version.Compare("go"+goVer, "go"+mod.Go.Version) < 0 {
				t.Errorf("the builder's GO_VERSION %s is older than %s/go.mod's go %s", goVer, p.Module, mod.Go.Version)
			}
			copied := checkCopies(t, df, args, b.Dockerfile)
			checkReplacesCopied(t, p.Module, mod, copied)
			if !copiesTo(df, "/healthcheck") {
				t.Errorf("%s puts no /healthcheck into the image; the compose healthcheck runs it", b.Dockerfile)
			}
		})
	}
}

func readModule(t *testing.T, dir string) *modfile.File {
	t.Helper()
	file := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(repoPath(file))
	if err != nil {
		t.Fatalf("build arg MODULE=%s: %v", dir, err)
	}
	mod, err := modfile.Parse(file, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if mod.Module == nil {
		t.Fatalf("%s has no module line", file)
	}
	return mod
}

// checkMainPackage: MAIN names a directory of package main.
func checkMainPackage(t *testing.T, p program) {
	t.Helper()
	files, _ := filepath.Glob(repoPath(p.Dir, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly)
		if err == nil && ast.Name.Name == "main" {
			return
		}
	}
	var mains []string
	filepath.WalkDir(repoPath(p.Module), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(p) == "main.go" {
			mains = append(mains, rel(filepath.Dir(p)))
		}
		return nil
	})
	t.Errorf("build args MODULE=%s MAIN=%s: %s holds no package main (main.go found in: %v)", p.Module, p.Main, p.Dir, mains)
}

// checkCopies expands every COPY/ADD from the build context and returns the
// repository-relative paths it copies.
func checkCopies(t *testing.T, df *dockerfile.File, args map[string]string, name string) []string {
	t.Helper()
	ignored := ignoredTopLevel(t, name)
	copies, err := df.ContextCopies()
	if err != nil {
		t.Fatal(err)
	}
	var copied []string
	for _, c := range copies {
		for _, src := range c.Sources {
			expanded, err := dockerfile.Expand(src, args)
			if err != nil {
				t.Errorf("%s:%d: %v", name, c.Line, err)
				continue
			}
			clean := path.Clean(expanded)
			matches, _ := filepath.Glob(repoPath(clean))
			if len(matches) == 0 {
				t.Errorf("%s:%d: COPY source %s (%s) does not exist in the build context", name, c.Line, src, clean)
			}
			if top := strings.SplitN(clean, "/", 2)[0]; ignored[top] {
				t.Errorf("%s:%d: COPY source %s is excluded by %s.dockerignore", name, c.Line, clean, name)
			}
			for _, m := range matches {
				copied = append(copied, rel(m))
			}
		}
	}
	return copied
}

// ignoredTopLevel reads <Dockerfile>.dockerignore, which holds top-level
// names only (so that this check can be exact).
func ignoredTopLevel(t *testing.T, dockerfileName string) map[string]bool {
	t.Helper()
	ignored := map[string]bool{}
	data, err := os.ReadFile(repoPath(dockerfileName + ".dockerignore"))
	if err != nil {
		return ignored
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.ContainsAny(line, "/*?[!") {
			t.Errorf("%s.dockerignore: %q: keep to top-level names so deploy's check stays exact", dockerfileName, line)
		}
		ignored[line] = true
	}
	return ignored
}

// checkReplacesCopied: with GOWORK=off, a module builds only if every
// directory its replace lines name is in the image, and every RocketMart
// module it requires is replaced (there is nothing to download them from).
func checkReplacesCopied(t *testing.T, module string, mod *modfile.File, copied []string) {
	t.Helper()
	replaced := map[string]bool{}
	for _, r := range mod.Replace {
		if r.New.Version != "" {
			continue // replaced by another module version, not a directory
		}
		replaced[r.Old.Path] = true
		dir := filepath.ToSlash(filepath.Clean(filepath.Join(module, r.New.Path)))
		if !covered(dir, copied) {
			t.Errorf("%s/go.mod replaces %s with %s, which the Dockerfile does not copy", module, r.Old.Path, dir)
		}
	}
	for _, r := range mod.Require {
		if strings.HasPrefix(r.Mod.Path, modulePrefix) && !replaced[r.Mod.Path] {
			t.Errorf("%s/go.mod requires %s without a replace line: a GOWORK=off build cannot find it", module, r.Mod.Path)
		}
	}
}

func covered(dir string, copied []string) bool {
	for _, c := range copied {
		if dir == c || strings.HasPrefix(dir, c+"/") {
			return true
		}
	}
	return false
}

// copiesTo reports whether a COPY (from any stage) writes dest.
func copiesTo(df *dockerfile.File, dest string) bool {
	for _, ins := range df.Instructions {
		if ins.Command == "COPY" && len(ins.Args) >= 2 && ins.Args[len(ins.Args)-1] == dest {
			return true
		}
	}
	return false
}
