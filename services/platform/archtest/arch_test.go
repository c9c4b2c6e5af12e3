// The architecture test: STYLE.md's layout, checked against the source.
//
// Terms are STYLE.md's. A service is a module services/<svc> that is not
// shared (notServices). Under its internal/ a package is an adapter when its
// first path element is a role in adapterRoles (store: the gorm
// implementation; httpapi: gin routes and DTOs; events: producers and
// consumers; remote: clients of other services) or it is listed in
// clientPackages; every other internal package is a domain package
// (entities, rules, use cases, the ports they need). The rules:
//
//  1. A domain package imports only the standard library,
//     services/platform/apperr, services/contracts and the client-free
//     platform packages in domainMayImport: no gin, gorm, rocketmq or
//     svcclient. Every package in domainMayImport must itself import only
//     the standard library and other domainMayImport packages.
//  2. A store package does not import an httpapi package.
//  3. An httpapi package never imports gorm (gorm.io/...).
//  4. Nothing imports another service's internal packages.
//  5. platform never imports a service module.
//  6. contracts imports the standard library only.
//  7. The test helpers (testHelpers: testkit, dbtest, mqtest, servetest,
//     programtest) are imported only by _test.go files and by each other,
//     so no program links package testing.
//
// Rules 1-3 are about what a program links, so they read non-test files;
// rules 4-7 are module boundaries and read test files too. Every failure
// names the file, line and import.
//
// To allow a domain package a new client-free platform package (say a
// transactional-message kit the domain declares events with), add it to
// domainMayImport with the reason; rule 1 then checks that it stays
// client-free. To add an adapter role, add it to adapterRoles.
package archtest

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// prefix is the import path every module in the workspace starts with.
const prefix = "github.com/rocketmart/rocketmart/"

// notServices are the modules under services/ that are shared code or
// separate products, not services.
var notServices = map[string]bool{
	"platform":  true, // shared infrastructure
	"contracts": true, // topics and event payloads
	"minirmq":   true, // the embedded broker, a product of its own
	"audit":     true, // the invariant checks scripts/audit runs
}

// wantServices must all be found, so that a moved tree cannot make the
// test pass by checking nothing.
var wantServices = []string{"cart", "inventory", "logistics", "order", "payment", "points"}

// adapterRoles are the internal/<role> package names that are adapters.
var adapterRoles = map[string]bool{
	"store":   true,
	"httpapi": true,
	"events":  true,
	"remote":  true,
}

// clientPackages are clients of other services not yet named remote
// (service-relative paths). Once a package is renamed, its entry matches
// nothing and may go.
var clientPackages = map[string]bool{
	"inventory/internal/orderclient": true,
	"cart/internal/inventory":        true, // a client of the inventory service, not cart's domain
}

// domainMayImport are the import paths, besides the standard library, that
// a domain package may import, with the reason.
var domainMayImport = map[string]string{
	prefix + "services/platform/apperr": "error kinds the adapters map to statuses",
	prefix + "services/contracts":       "topic names and event payloads",
	prefix + "services/platform/faults": "training fault switches: a domain point (a naive check-back, a naive reservation) asks its Set",
}

// testHelpers are the platform packages that import package testing.
var testHelpers = map[string]bool{
	prefix + "services/platform/testkit":              true,
	prefix + "services/platform/dbtest":               true,
	prefix + "services/platform/mqtest":               true,
	prefix + "services/platform/httpserver/servetest": true,
	prefix + "services/platform/program/programtest":  true,
}

// importLine is one import in one file.
type importLine struct {
	file string // relative to the workspace root
	line int
	path string
}

func (i importLine) String() string { return fmt.Sprintf("%s:%d imports %q", i.file, i.line, i.path) }

// module is one directory with a go.mod.
type module struct {
	dir  string // relative to the workspace root, slash-separated
	path string
}

func TestArchitecture(t *testing.T) {
	root := workspaceRoot(t)
	mods := modules(t, root)
	var services []module
	found := map[string]bool{}
	for _, m := range mods {
		name, ok := strings.CutPrefix(m.dir, "services/")
		if ok && !strings.Contains(name, "/") && !notServices[name] {
			services = append(services, m)
			found[name] = true
		}
	}
	for _, s := range wantServices {
		if !found[s] {
			t.Errorf("service %s not found under services/ in go.work", s)
		}
	}

	for _, m := range mods {
		for _, imp := range imports(t, root, m.dir, true) {
			// Rule 4. The compiler refuses most of these too; this names them.
			for _, s := range services {
				if s.path != m.path && strings.HasPrefix(imp.path+"/", s.path+"/internal/") {
					t.Errorf("%s: %s must not import another service's internal package", imp, m.dir)
				}
			}
			// Rule 7.
			if testHelpers[imp.path] && !strings.HasSuffix(imp.file, "_test.go") && !testHelpers[m.path+strings.TrimPrefix(path.Dir(imp.file), m.dir)] {
				t.Errorf("%s: only tests import the test helper %s", imp, imp.path)
			}
			switch m.dir {
			case "services/platform": // Rule 5.
				for _, s := range services {
					if imp.path == s.path || strings.HasPrefix(imp.path, s.path+"/") {
						t.Errorf("%s: platform must not import a service", imp)
					}
				}
			case "services/contracts": // Rule 6.
				if !isStd(imp.path) {
					t.Errorf("%s: contracts imports the standard library only", imp)
				}
			}
		}
	}

	for _, s := range services {
		name := strings.TrimPrefix(s.dir, "services/")
		domains := 0
		for _, pkg := range internalPackages(t, root, s.dir) {
			role := adapterRole(name, pkg)
			if role == "" {
				domains++
			}
			for _, imp := range imports(t, root, s.dir+"/"+pkg, false) {
				switch {
				case role == "" && !isStd(imp.path) && domainMayImport[imp.path] == "": // Rule 1.
					t.Errorf("%s: domain package %s imports only the standard library, apperr, contracts and archtest's domainMayImport", imp, pkg)
				case role == "store" && isHTTPAPI(imp.path): // Rule 2.
					t.Errorf("%s: a store package must not import httpapi", imp)
				case role == "httpapi" && strings.HasPrefix(imp.path, "gorm.io/"): // Rule 3.
					t.Errorf("%s: httpapi never imports gorm", imp)
				}
			}
		}
		if domains == 0 {
			t.Errorf("%s: no domain package under internal/", s.dir)
		}
	}

	// Rule 1, second half: what a domain package may import stays client-free.
	for path := range domainMayImport {
		dir, ok := strings.CutPrefix(path, prefix)
		if !ok {
			t.Errorf("domainMayImport: %q is not in this workspace", path)
			continue
		}
		for _, imp := range imports(t, root, dir, false) {
			if !isStd(imp.path) && domainMayImport[imp.path] == "" {
				t.Errorf("%s: %s is in domainMayImport, so it imports only the standard library and other domainMayImport packages", imp, dir)
			}
		}
	}
}

// adapterRole returns pkg's adapter role in service svc, or "" for a domain
// package. pkg is relative to the service, like internal/store/sqlite.
func adapterRole(svc, pkg string) string {
	parts := strings.Split(pkg, "/")
	if len(parts) < 2 {
		return ""
	}
	if adapterRoles[parts[1]] {
		return parts[1]
	}
	if clientPackages[svc+"/internal/"+parts[1]] {
		return "remote"
	}
	return ""
}

func isHTTPAPI(path string) bool {
	return strings.HasSuffix(path, "/internal/httpapi") || strings.Contains(path, "/internal/httpapi/")
}

// isStd reports whether path is in the standard library: its first element
// has no dot, as go/build decides.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// workspaceRoot is the nearest directory above this one holding go.work.
func workspaceRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			if os.Getenv("CI") == "true" {
				t.Fatal("no go.work above the test: the architecture test reads the whole workspace")
			}
			t.Skip("no go.work above the test (module built on its own): nothing to check")
		}
		dir = parent
	}
}

// modules lists go.work's use directives with each module's path.
func modules(t *testing.T, root string) []module {
	t.Helper()
	var mods []module
	for _, dir := range lines(t, filepath.Join(root, "go.work")) {
		dir = strings.TrimSpace(dir)
		if !strings.HasPrefix(dir, "./") {
			continue
		}
		dir = strings.TrimPrefix(filepath.ToSlash(dir), "./")
		for _, l := range lines(t, filepath.Join(root, dir, "go.mod")) {
			if p, ok := strings.CutPrefix(l, "module "); ok {
				mods = append(mods, module{dir: dir, path: strings.TrimSpace(p)})
				break
			}
		}
	}
	if len(mods) == 0 {
		t.Fatal("go.work lists no modules")
	}
	return mods
}

func lines(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// internalPackages lists the directories with Go files under svcDir's
// internal/, relative to svcDir.
func internalPackages(t *testing.T, root, svcDir string) []string {
	t.Helper()
	seen := map[string]bool{}
	base := filepath.Join(root, svcDir)
	err := filepath.WalkDir(filepath.Join(base, "internal"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && skipDir(d.Name()) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") {
			rel, err := filepath.Rel(base, filepath.Dir(p))
			if err != nil {
				return err
			}
			seen[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pkgs := make([]string, 0, len(seen))
	for p := range seen {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	return pkgs
}

func skipDir(name string) bool {
	return name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// imports returns the imports of the Go files under dir (relative to root),
// recursively when recursive is set (a whole module), else of the one
// package; test files count only for a whole module. A nested module is
// not part of this one and is skipped.
func imports(t *testing.T, root, dir string, recursive bool) []importLine {
	t.Helper()
	var out []importLine
	fset := token.NewFileSet()
	top := filepath.Join(root, dir)
	err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == top {
				return nil
			}
			if !recursive || skipDir(d.Name()) {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || (!recursive && strings.HasSuffix(p, "_test.go")) {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		for _, s := range f.Imports {
			path, err := strconv.Unquote(s.Path.Value)
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			out = append(out, importLine{file: filepath.ToSlash(rel), line: fset.Position(s.Pos()).Line, path: path})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
