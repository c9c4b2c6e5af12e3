// Package envscan finds the environment variables a RocketMart program
// reads, from its source: the string literals passed as the first argument
// to get(NAME, default) (the envconf.Getter pattern), getenv(NAME),
// os.Getenv/os.LookupEnv, and to any local function that forwards its first
// parameter to one of those (order's dur(NAME, default) wraps get), and to
// every method called on an envconf reader (env := envconf.New(getenv);
// env.ListenAddr(NAME, default)). A read named by a row of the services
// table in services/contracts (get(svc.URLVar(), svc.DefaultURL()) in a loop
// over contracts.Services()) counts as a read of that variable of every
// service. The shared settings every service reads through
// env.Base(contracts.MustService(NAME)) are learnt by calling that very
// method for NAME's row on an envconf.Trace, so their names and defaults are
// written once, in platform/envconf. Deploy checks compared with this list
// cannot drift from the code.
package envscan

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
)

// ErrNoConfig reports a program directory without config.go, the file where
// every RocketMart program declares its settings.
var ErrNoConfig = errors.New("no config.go")

// Var is one variable a program reads.
type Var struct {
	Name string
	// Default is the value used when the variable is unset; meaningful only
	// when DefaultKnown (a literal in the source, or none at all: "").
	Default      string
	DefaultKnown bool
	// Pos is where the read is, for messages.
	Pos string
}

// Program is what a program's source says about its environment.
type Program struct {
	Vars map[string]Var
}

// Names returns the variable names, sorted.
func (p Program) Names() []string {
	names := make([]string, 0, len(p.Vars))
	for n := range p.Vars {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// MustBeSet reports whether a deployment has to set v, and why: its default
// only works on one machine (a loopback address, a SQLite file) or there is
// none.
func (v Var) MustBeSet() (bool, string) {
	if !v.DefaultKnown {
		return false, ""
	}
	switch {
	case v.Default == "" && strings.HasSuffix(v.Name, "_FAULTS"):
		return false, "" // no training faults armed: the production setting
	case v.Default == "" && v.Name == "OTEL_EXPORTER_OTLP_ENDPOINT":
		return false, "" // tracing off: a deployment without a trace viewer
	case v.Default == "":
		return true, "it has no default"
	case strings.HasPrefix(v.Default, "sqlite:"):
		return true, fmt.Sprintf("its default %q is a SQLite file inside the container", v.Default)
	case hasLoopback(v.Default):
		return true, fmt.Sprintf("its default %q is a loopback address", v.Default)
	}
	return false, ""
}

// hasLoopback reports whether value names a loopback host: a URL, a
// host:port, or a list of host:port separated by ';' or ','.
func hasLoopback(value string) bool {
	for _, part := range strings.FieldsFunc(value, func(r rune) bool { return r == ';' || r == ',' }) {
		host := strings.TrimSpace(part)
		if u, err := url.Parse(host); err == nil && u.Host != "" {
			host = u.Hostname()
		} else if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if strings.EqualFold(host, "localhost") {
			return true
		}
		if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil && ip.IsLoopback() {
			return true
		}
	}
	return false
}

// Scan reads the non-test Go files of the main package in dir. It fails
// with ErrNoConfig when dir has no config.go.
func Scan(dir string) (Program, error) {
	if _, err := os.Stat(filepath.Join(dir, "config.go")); errors.Is(err, fs.ErrNotExist) {
		return Program{}, fmt.Errorf("%s: %w", dir, ErrNoConfig)
	}
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return Program{}, err
	}
	var files []*ast.File
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return Program{}, err
		}
		files = append(files, f)
	}
	getters := findGetters(files)
	readers := findReaders(files)
	p := Program{Vars: map[string]Var{}}
	consts := stringConsts(files)
	var baseErr error
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if ok && readers[receiverName(call)] && methodName(call) == "Base" && len(call.Args) == 1 {
				vars, err := baseVars(call.Args[0], consts, fset.Position(call.Pos()).String())
				if err != nil && baseErr == nil {
					baseErr = err
				}
				for _, v := range vars {
					if _, seen := p.Vars[v.Name]; !seen {
						p.Vars[v.Name] = v
					}
				}
				return true
			}
			if !ok || !(getters[calleeName(call)] || readers[receiverName(call)]) || len(call.Args) == 0 {
				return true
			}
			pos := fset.Position(call.Pos()).String()
			if vars, ok := tableVars(call, pos); ok {
				for _, v := range vars {
					if _, seen := p.Vars[v.Name]; !seen {
						p.Vars[v.Name] = v
					}
				}
				return true
			}
			name, ok := stringLit(call.Args[0])
			if !ok {
				return true // a wrapper forwarding its parameter; its callers are scanned
			}
			v := Var{Name: name, Pos: pos}
			switch {
			case len(call.Args) == 1:
				v.DefaultKnown = true
			default:
				v.Default, v.DefaultKnown = stringLit(call.Args[1])
			}
			if _, seen := p.Vars[name]; !seen {
				p.Vars[name] = v
			}
			return true
		})
	}
	return p, baseErr
}

// baseVars is what env.Base(contracts.MustService(NAME)) reads: the shared
// settings of NAME's row, found by running envconf's Base for that row on a
// Trace. NAME is a string literal or a constant declared with one.
func baseVars(arg ast.Expr, consts map[string]string, pos string) ([]Var, error) {
	call, ok := arg.(*ast.CallExpr)
	if !ok || !strings.HasSuffix(calleeName(call), "MustService") || len(call.Args) != 1 {
		return nil, fmt.Errorf("%s: env.Base takes contracts.MustService(name), so the scan knows which service's variables it reads", pos)
	}
	name, ok := stringLit(call.Args[0])
	if id, isIdent := call.Args[0].(*ast.Ident); !ok && isIdent {
		name, ok = consts[id.Name]
	}
	row, found := contracts.ServiceByName(name)
	if !ok || !found {
		return nil, fmt.Errorf("%s: MustService's argument is not the name of a row of contracts' services table", pos)
	}
	var out []Var
	envconf.Trace(func(name, def string) {
		out = append(out, Var{Name: name, Default: def, DefaultKnown: true, Pos: pos})
	}).Base(row)
	return out, nil
}

// stringConsts returns the constants declared with a string literal.
func stringConsts(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok {
				for i, id := range vs.Names {
					if i < len(vs.Values) {
						if v, ok := stringLit(vs.Values[i]); ok {
							out[id.Name] = v
						}
					}
				}
			}
			return true
		})
	}
	return out
}

// methodName is "M" for x.M(...), "" otherwise.
func methodName(call *ast.CallExpr) string {
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
		return sel.Sel.Name
	}
	return ""
}

// findGetters returns the callee names that read a variable named by their
// first argument: the usual names, plus every function (declared, or a
// literal assigned to a name) that passes its first parameter as the first
// argument to one of them, found until nothing new turns up.
func findGetters(files []*ast.File) map[string]bool {
	getters := map[string]bool{"get": true, "getenv": true, "os.Getenv": true, "os.LookupEnv": true}
	type fn struct {
		name string
		typ  *ast.FuncType
		body *ast.BlockStmt
	}
	var fns []fn
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch d := n.(type) {
			case *ast.FuncDecl:
				if d.Body != nil && d.Recv == nil {
					fns = append(fns, fn{d.Name.Name, d.Type, d.Body})
				}
			case *ast.AssignStmt:
				for i, rhs := range d.Rhs {
					if lit, ok := rhs.(*ast.FuncLit); ok && i < len(d.Lhs) {
						if id, ok := d.Lhs[i].(*ast.Ident); ok {
							fns = append(fns, fn{id.Name, lit.Type, lit.Body})
						}
					}
				}
			}
			return true
		})
	}
	for changed := true; changed; {
		changed = false
		for _, f := range fns {
			if getters[f.name] || f.typ.Params == nil || len(f.typ.Params.List) == 0 || len(f.typ.Params.List[0].Names) == 0 {
				continue
			}
			first := f.typ.Params.List[0].Names[0].Name
			ast.Inspect(f.body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if ok && getters[calleeName(call)] && len(call.Args) > 0 {
					if id, ok := call.Args[0].(*ast.Ident); ok && id.Name == first {
						getters[f.name], changed = true, true
						return false
					}
				}
				return true
			})
		}
	}
	return getters
}

// findReaders returns the names bound to an envconf reader, r :=
// envconf.New(...): each of its methods reads the variable named by its first
// argument (Err, Fail and the like take no name and are skipped as calls
// without a string literal first).
func findReaders(files []*ast.File) map[string]bool {
	readers := map[string]bool{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if as, ok := n.(*ast.AssignStmt); ok {
				for i, rhs := range as.Rhs {
					call, ok := rhs.(*ast.CallExpr)
					if !ok || calleeName(call) != "envconf.New" || i >= len(as.Lhs) {
						continue
					}
					if id, ok := as.Lhs[i].(*ast.Ident); ok {
						readers[id.Name] = true
					}
				}
			}
			return true
		})
	}
	return readers
}

// receiverName is "r" for r.M(...), "" otherwise.
func receiverName(call *ast.CallExpr) string {
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
		if x, ok := sel.X.(*ast.Ident); ok {
			return x.Name
		}
	}
	return ""
}

// calleeName is "f" for f(...) and "pkg.F" for pkg.F(...).
func calleeName(call *ast.CallExpr) string {
	switch fun := call.Fun.(type) {
	case *ast.Ident:
		return fun.Name
	case *ast.SelectorExpr:
		if x, ok := fun.X.(*ast.Ident); ok {
			return x.Name + "." + fun.Sel.Name
		}
	}
	return ""
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// tableVars reads get(svc.URLVar(), svc.DefaultURL()) (or AddrVar, DBVar,
// with a literal default or none) as a read of that variable of every row
// of contracts.Services(): the programs that name variables through the
// table do so in a loop over all of it, and the scan cannot follow the loop.
func tableVars(call *ast.CallExpr, pos string) ([]Var, bool) {
	method := methodCall(call.Args[0])
	if method != "URLVar" && method != "AddrVar" && method != "DBVar" {
		return nil, false
	}
	var out []Var
	for _, svc := range contracts.Services() {
		v := Var{Pos: pos}
		switch method {
		case "URLVar":
			v.Name = svc.URLVar()
		case "AddrVar":
			v.Name = svc.AddrVar()
		case "DBVar":
			v.Name = svc.DBVar()
		}
		switch {
		case len(call.Args) == 1:
			v.DefaultKnown = true
		case method == "URLVar" && methodCall(call.Args[1]) == "DefaultURL":
			v.Default, v.DefaultKnown = svc.DefaultURL(), true
		default:
			v.Default, v.DefaultKnown = stringLit(call.Args[1])
		}
		out = append(out, v)
	}
	return out, true
}

// methodCall is "M" for x.M() with no arguments.
func methodCall(e ast.Expr) string {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 0 {
		return ""
	}
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
		return sel.Sel.Name
	}
	return ""
}
