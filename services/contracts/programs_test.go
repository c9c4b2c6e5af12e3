package contracts

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The table is checked against the source it describes, so a row that
// drifts from its service's folder fails here rather than in a demo.

// servicesDir is services/, seen from this package's directory.
const servicesDir = ".."

func TestServicesTableIsConsistent(t *testing.T) {
	names, ports, prefixes := map[string]bool{}, map[int]string{}, map[string]string{}
	for _, s := range Services() {
		if names[s.Name] {
			t.Errorf("service %q has two rows", s.Name)
		}
		names[s.Name] = true
		if other, dup := ports[s.Port]; dup {
			t.Errorf("%s and %s both default to port %d", other, s.Name, s.Port)
		}
		ports[s.Port] = s.Name
		if other, dup := prefixes[s.EnvPrefix]; dup {
			t.Errorf("%s and %s share the env prefix %s", other, s.Name, s.EnvPrefix)
		}
		prefixes[s.EnvPrefix] = s.Name
		if s.Port <= 0 || s.Port > 65535 {
			t.Errorf("%s: port %d", s.Name, s.Port)
		}
		if got, ok := ServiceByName(s.Name); !ok || got.Name != s.Name {
			t.Errorf("ServiceByName(%q) = %v, %v", s.Name, got, ok)
		}
	}
	if got, want := ServiceNames(), namesOf(Services()); !slices.Equal(got, want) {
		t.Errorf("ServiceNames() = %v, want %v", got, want)
	}
	if _, ok := ServiceByName("nope"); ok {
		t.Error("ServiceByName found a service that does not exist")
	}
}

// modulePath reads the module line of a go.mod: enough for these files,
// and it keeps contracts free of dependencies outside the standard library.
func modulePath(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

func namesOf(ss []Service) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}

func TestServicesReturnsACopy(t *testing.T) {
	got := Services()
	got[0].Name = "changed"
	got[0].Consumes[0].Group = "changed"
	again := Services()
	if again[0].Name == "changed" || again[0].Consumes[0].Group == "changed" {
		t.Fatal("changing what Services returned changed the table")
	}
}

// TestServicesMatchTheirFolders: each row names a folder with the program's
// main.go and config.go, the module path in its go.mod, and a config.go
// that reads its shared settings (listen address, database, …) through
// this row.
func TestServicesMatchTheirFolders(t *testing.T) {
	for _, s := range Services() {
		t.Run(s.Name, func(t *testing.T) {
			dir := filepath.Join(servicesDir, s.Name)
			for _, f := range []string{"main.go", "config.go"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("no %s: %v", f, err)
				}
			}
			gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err != nil {
				t.Fatal(err)
			}
			if got := modulePath(gomod); got != s.Module {
				t.Errorf("go.mod says module %q, the table %q", got, s.Module)
			}
			// The shared settings (AddrVar, DBVar, …) are read through the
			// row: config.go must ask for its own.
			if got := ownRow(t, filepath.Join(dir, "config.go")); got != s.Name {
				t.Errorf("config.go reads the shared settings of %q (MustService(...)), want %q", got, s.Name)
			}
		})
	}
}

// TestRowDefaults: the shared variables a row names, with the defaults of
// the embedded run.
func TestRowDefaults(t *testing.T) {
	s := MustService(ServicePayment)
	got := []string{s.AddrVar(), s.DefaultAddr(), s.DBVar(), s.DefaultDB(), s.MaxReconsumeVar(), s.URLVar(), s.DefaultURL()}
	want := []string{"PAYMENT_ADDR", "127.0.0.1:8082", "PAYMENT_DB", "sqlite:data/payment.db", "PAYMENT_MAX_RECONSUME", "PAYMENT_URL", "http://127.0.0.1:8082"}
	if !slices.Equal(got, want) {
		t.Errorf("payment's row gives %q, want %q", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustService of a name without a row did not panic")
		}
	}()
	MustService("nope")
}

// ownRow returns the service name config.go passes to MustService: a
// string literal, or a constant declared in the file with one.
func ownRow(t *testing.T, file string) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	var arg ast.Expr
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if i < len(n.Values) {
					if v, ok := stringLit(n.Values[i]); ok {
						consts[id.Name] = v
					}
				}
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "MustService" && len(n.Args) == 1 {
				arg = n.Args[0]
			}
		}
		return true
	})
	if id, ok := arg.(*ast.Ident); ok {
		return consts[id.Name]
	}
	v, _ := stringLit(arg)
	return v
}

// TestServiceURLDefaultsMatchTheTable: a service that calls another one
// defaults to the address the table gives it.
func TestServiceURLDefaultsMatchTheTable(t *testing.T) {
	for _, caller := range Services() {
		defaults := envDefaults(t, filepath.Join(servicesDir, caller.Name, "config.go"))
		for _, callee := range Services() {
			if got, ok := defaults[callee.URLVar()]; ok && got != callee.DefaultURL() {
				t.Errorf("%s: %s defaults to %q, the table says %q", caller.Name, callee.URLVar(), got, callee.DefaultURL())
			}
		}
	}
}

// envDefaults returns the calls in file of the shape f("NAME", "default"):
// how every config.go reads a variable with its default.
func envDefaults(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 2 {
			return true
		}
		name, ok1 := stringLit(call.Args[0])
		def, ok2 := stringLit(call.Args[1])
		if ok1 && ok2 {
			out[name] = def
		}
		return true
	})
	return out
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// TestConsumesMatchesTheCode: the consumer groups a service's code names
// (contracts.Consumer... outside tests) are the ones its row lists, every
// group constant belongs to exactly one row, and each group is paired with
// the topic its name says (ConsumerInventoryOrderPaid: TopicOrderPaid).
func TestConsumesMatchesTheCode(t *testing.T) {
	consts := constNames(t)
	owner := map[string]string{}
	for _, s := range Services() {
		var listed []string
		for _, sub := range s.Consumes {
			group, topic := consts[sub.Group], consts[sub.Topic]
			if !strings.HasPrefix(group, "Consumer") || !strings.HasPrefix(topic, "Topic") {
				t.Errorf("%s consumes %+v: not a contracts Topic/Consumer constant pair", s.Name, sub)
				continue
			}
			want := "Consumer" + exported(s.Name) + strings.TrimPrefix(topic, "Topic")
			if group != want {
				t.Errorf("%s: group %s is paired with %s; by its name it should be %s", s.Name, group, topic, want)
			}
			if prev, dup := owner[group]; dup {
				t.Errorf("group %s is listed by %s and %s", group, prev, s.Name)
			}
			owner[group] = s.Name
			listed = append(listed, group)
		}
		used := groupsUsedIn(t, filepath.Join(servicesDir, s.Name))
		slices.Sort(listed)
		if !slices.Equal(used, listed) {
			t.Errorf("%s's code consumes %v, its row lists %v", s.Name, used, listed)
		}
	}
	for _, name := range consts {
		if strings.HasPrefix(name, "Consumer") && owner[name] == "" {
			t.Errorf("%s belongs to no service's row", name)
		}
	}
}

func exported(name string) string { return strings.ToUpper(name[:1]) + name[1:] }

// constNames maps the value of every string constant of this package's
// non-test files to its name.
func constNames(t *testing.T) map[string]string {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, d := range f.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, id := range vs.Names {
						if i < len(vs.Values) {
							if v, ok := stringLit(vs.Values[i]); ok {
								out[v] = id.Name
							}
						}
					}
				}
			}
		}
	}
	return out
}

// groupsUsedIn lists, sorted and once each, the contracts.Consumer...
// constants named by the non-test Go files under dir.
func groupsUsedIn(t *testing.T, dir string) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Consumer") {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "contracts" {
					seen[sel.Sel.Name] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(seen))
	for g := range seen {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}
