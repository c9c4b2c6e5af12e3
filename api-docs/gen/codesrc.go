package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"net/http"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// codeUse is one place an error code appears: in an API document or in Go
// source. Status is 0 where the place does not fix one (a constant, a
// comparison, an example).
type codeUse struct {
	code   string
	status int
	where  string
}

// modulePrefix is where every RocketMart import path starts; the rest is the
// directory under the repository root.
const modulePrefix = "github.com/rocketmart/rocketmart/"

// sourceDirs are the programs that answer in the shared error shape. minirmq
// is not among them: it is a stand-alone broker with its own admin API.
var sourceDirs = []string{"services", "web"}

// sourceCodes parses the Go sources (tests excluded) under sourceDirs and
// lists each error code found:
//   - a constant whose name starts with Code;
//   - the code argument of apperr.New and apperr.Wrap, with its kind's status
//     read from apperr's own kind table;
//   - an argument of a same-package function that hands it to apperr.New or
//     apperr.Wrap (such as invalidField), or whose parameter is named code
//     (such as writeError or isKind), with the status of an apperr kind or
//     http.StatusX passed beside it;
//   - a Code field of a composite literal, with the status of its Kind or
//     of the call it is passed to;
//   - the other side of a comparison with a .Code field.
//
// A code argument that names a constant counts as the constant's value, one
// that names a local variable as the string literals assigned to it.
func sourceCodes(root string) ([]codeUse, error) {
	c, err := readSources(root)
	if err != nil {
		return nil, err
	}
	return c.uses, nil
}

// readSources runs the collector over root (see sourceCodes).
func readSources(root string) (*collector, error) {
	c := &collector{root: root, fset: token.NewFileSet(), pkgs: map[string]*srcPkg{}, messages: map[codeStatus][]message{}}
	if err := c.parse(); err != nil {
		return nil, err
	}
	kinds, err := kindStatuses(c.pkgs["services/platform/apperr"])
	if err != nil {
		return nil, err
	}
	c.kinds = kinds
	for _, p := range c.pkgs {
		c.findForwarders(p)
	}
	// In a fixed order: the first message of a code is the one its examples
	// show, and the documents must not change from one run to the next.
	for _, dir := range slices.Sorted(maps.Keys(c.pkgs)) {
		c.collect(c.pkgs[dir])
	}
	return c, nil
}

// codeStatus is an error code answered with one HTTP status.
type codeStatus struct {
	code   string
	status int
}

// srcPkg is one directory's non-test Go files.
type srcPkg struct {
	dir    string
	files  []*ast.File
	consts map[string]constDef      // constants by name
	funcs  map[string]*ast.FuncDecl // functions (not methods) by name
	// forwards maps a function to the parameter it passes to apperr as the
	// code, and that error's status.
	forwards map[string]forward
}

type forward struct{ param, status int }

// constDef is a constant's value expression and the file that declares it
// (whose imports resolve a value such as contracts.CodeOrderCancelled).
type constDef struct {
	value ast.Expr
	file  *ast.File
}

type collector struct {
	root  string
	fset  *token.FileSet
	pkgs  map[string]*srcPkg // by directory relative to root
	kinds map[string]int     // apperr kind name → HTTP status
	uses  []codeUse
	// messages holds, per code and status, the messages written beside it
	// (apperr.New, apperr.Wrap, an ErrorDetail literal) where they are
	// string literals or constants: what an example of that error says.
	messages map[codeStatus][]message
}

// message is one message an error code is written with, and where.
type message struct{ text, where string }

func (c *collector) parse() error {
	for _, dir := range sourceDirs {
		err := filepath.WalkDir(filepath.Join(c.root, dir), func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && (d.Name() == "testdata" || p == filepath.Join(c.root, "services", "minirmq")):
				return filepath.SkipDir
			case d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go"):
				return nil
			}
			f, err := parser.ParseFile(c.fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(c.root, filepath.Dir(p))
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			pkg := c.pkgs[rel]
			if pkg == nil {
				pkg = &srcPkg{dir: rel, consts: map[string]constDef{}, funcs: map[string]*ast.FuncDecl{}, forwards: map[string]forward{}}
				c.pkgs[rel] = pkg
			}
			pkg.files = append(pkg.files, f)
			for _, decl := range f.Decls {
				switch decl := decl.(type) {
				case *ast.FuncDecl:
					if decl.Recv == nil {
						pkg.funcs[decl.Name.Name] = decl
					}
				case *ast.GenDecl:
					if decl.Tok == token.CONST {
						c.consts(pkg, f, decl)
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// consts records decl's constants and reports the string literals among
// them named Code…. One defined as another constant (payment's
// CodeOrderCancelled = contracts.CodeOrderCancelled) counts where that one
// is declared.
func (c *collector) consts(p *srcPkg, f *ast.File, decl *ast.GenDecl) {
	for _, spec := range decl.Specs {
		vs := spec.(*ast.ValueSpec)
		for i, name := range vs.Names {
			if i >= len(vs.Values) {
				continue
			}
			p.consts[name.Name] = constDef{vs.Values[i], f}
			if v, ok := stringLit(vs.Values[i]); ok && isCodeName(name.Name) {
				c.add(v, 0, name.Pos())
			}
		}
	}
}

// isCodeName reports whether a constant's name says it is an error code.
func isCodeName(name string) bool {
	rest, ok := strings.CutPrefix(name, "Code")
	return ok && rest != "" && strings.ToUpper(rest[:1]) == rest[:1]
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func (c *collector) add(code string, status int, pos token.Pos) {
	if code == "" {
		return
	}
	at := c.fset.Position(pos)
	rel, err := filepath.Rel(c.root, at.Filename)
	if err != nil {
		rel = at.Filename
	}
	c.uses = append(c.uses, codeUse{code, status, fmt.Sprintf("%s:%d", filepath.ToSlash(rel), at.Line)})
}

// kindStatuses reads apperr's kind table (Kind.info): the status each case
// returns; kinds the switch does not name (the constants of type Kind) get
// the default's.
func kindStatuses(p *srcPkg) (map[string]int, error) {
	if p == nil || p.funcs == nil {
		return nil, fmt.Errorf("no package services/platform/apperr")
	}
	kinds := map[string]int{}
	var names []string
	defaultStatus := 0
	for _, f := range p.files {
		for _, decl := range f.Decls {
			if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.CONST && len(gd.Specs) > 0 &&
				isIdent(gd.Specs[0].(*ast.ValueSpec).Type, "Kind") {
				for _, spec := range gd.Specs {
					for _, n := range spec.(*ast.ValueSpec).Names {
						names = append(names, n.Name)
					}
				}
			}
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Name.Name != "info" {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				cc, ok := n.(*ast.CaseClause)
				if !ok || len(cc.Body) == 0 {
					return true
				}
				ret, ok := cc.Body[0].(*ast.ReturnStmt)
				if !ok || len(ret.Results) == 0 {
					return true
				}
				status := httpStatus(ret.Results[0])
				if cc.List == nil {
					defaultStatus = status
				}
				for _, e := range cc.List {
					if id, ok := e.(*ast.Ident); ok {
						kinds[id.Name] = status
					}
				}
				return false
			})
		}
	}
	for _, n := range names {
		if _, ok := kinds[n]; !ok && defaultStatus != 0 {
			kinds[n] = defaultStatus
		}
	}
	if len(kinds) < 5 {
		return nil, fmt.Errorf("read %d kinds from apperr's Kind.info; has it moved?", len(kinds))
	}
	return kinds, nil
}

// httpStatus returns the value of http.StatusX, or 0.
func httpStatus(e ast.Expr) int {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || !isIdent(sel.X, "http") {
		return 0
	}
	for status := 100; status < 600; status++ {
		name := strings.NewReplacer(" ", "", "-", "", "'", "").Replace(http.StatusText(status))
		if name != "" && "Status"+name == sel.Sel.Name {
			return status
		}
	}
	return 0
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// apperrCall reports whether call is apperr.New or apperr.Wrap.
func apperrCall(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && isIdent(sel.X, "apperr") && (sel.Sel.Name == "New" || sel.Sel.Name == "Wrap") && len(call.Args) >= 2
}

// kindStatus returns the status of apperr.K, or 0.
func (c *collector) kindStatus(e ast.Expr) int {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || !isIdent(sel.X, "apperr") {
		return 0
	}
	return c.kinds[sel.Sel.Name]
}

// params flattens fn's parameter names.
func params(fn *ast.FuncDecl) []string {
	var names []string
	for _, field := range fn.Type.Params.List {
		for _, n := range field.Names {
			names = append(names, n.Name)
		}
		if len(field.Names) == 0 {
			names = append(names, "")
		}
	}
	return names
}

// findForwarders records p's functions that pass a parameter to apperr as
// the code.
func (c *collector) findForwarders(p *srcPkg) {
	for name, fn := range p.funcs {
		if fn.Body == nil {
			continue
		}
		ps := params(fn)
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !apperrCall(call) {
				return true
			}
			for i, pn := range ps {
				if isIdent(call.Args[1], pn) {
					p.forwards[name] = forward{i, c.kindStatus(call.Args[0])}
				}
			}
			return true
		})
	}
}

// collect walks p's files for code uses.
func (c *collector) collect(p *srcPkg) {
	for _, f := range p.files {
		var fn *ast.FuncDecl
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				fn = n
			case *ast.CallExpr:
				c.call(p, f, fn, n)
			case *ast.CompositeLit:
				c.compositeLit(p, f, fn, n, 0)
			case *ast.BinaryExpr:
				if n.Op == token.EQL || n.Op == token.NEQ {
					for _, side := range [][2]ast.Expr{{n.X, n.Y}, {n.Y, n.X}} {
						if sel, ok := side[0].(*ast.SelectorExpr); ok && sel.Sel.Name == "Code" {
							for _, v := range c.values(p, f, fn, side[1]) {
								c.add(v, 0, n.Pos())
							}
						}
					}
				}
			}
			return true
		})
	}
}

// call records the code argument of a call that carries one.
func (c *collector) call(p *srcPkg, f *ast.File, fn *ast.FuncDecl, call *ast.CallExpr) {
	status := 0
	for _, a := range call.Args {
		if s := c.kindStatus(a); s != 0 {
			status = s
		} else if s := httpStatus(a); s != 0 {
			status = s
		}
	}
	codeArg := -1
	switch {
	case apperrCall(call):
		codeArg = 1
		c.message(p, f, fn, call, status)
	case isLocalFunc(call, p):
		name := call.Fun.(*ast.Ident).Name
		if fw, ok := p.forwards[name]; ok {
			codeArg, status = fw.param, fw.status
		} else {
			for i, pn := range params(p.funcs[name]) {
				if pn == "code" {
					codeArg = i
				}
			}
		}
	}
	if codeArg >= 0 && codeArg < len(call.Args) {
		for _, v := range c.values(p, f, fn, call.Args[codeArg]) {
			c.add(v, status, call.Args[codeArg].Pos())
		}
	}
	for _, a := range call.Args {
		if lit, ok := a.(*ast.CompositeLit); ok {
			c.compositeLit(p, f, fn, lit, status)
		}
	}
}

// message records the message literal of apperr.New(kind, code, "…") or
// apperr.Wrap(kind, code, "…", err) for each value of its code.
func (c *collector) message(p *srcPkg, f *ast.File, fn *ast.FuncDecl, call *ast.CallExpr, status int) {
	if len(call.Args) < 3 || status == 0 {
		return
	}
	c.addMessage(p, f, fn, call.Args[1], call.Args[2], status)
}

// addMessage records the message msg written with the code expression code.
func (c *collector) addMessage(p *srcPkg, f *ast.File, fn *ast.FuncDecl, code, msg ast.Expr, status int) {
	text, ok := c.text(p, f, fn, msg)
	if !ok || text == "" {
		return
	}
	at := c.fset.Position(msg.Pos())
	where, err := filepath.Rel(c.root, at.Filename)
	if err != nil {
		where = at.Filename
	}
	for _, v := range c.values(p, f, fn, code) {
		key := codeStatus{v, status}
		c.messages[key] = append(c.messages[key], message{text, filepath.ToSlash(where)})
	}
}

// text evaluates a string built from literals and constants joined by +,
// such as "the "+HeaderUserID+" header is required".
func (c *collector) text(p *srcPkg, f *ast.File, fn *ast.FuncDecl, e ast.Expr) (string, bool) {
	if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
		x, okX := c.text(p, f, fn, b.X)
		y, okY := c.text(p, f, fn, b.Y)
		return x + y, okX && okY
	}
	if _, ok := e.(*ast.BasicLit); !ok && fn != nil {
		if id, ok := e.(*ast.Ident); ok && p.consts[id.Name].value == nil {
			return "", false // a variable: its value is not known here
		}
	}
	if vs := c.values(p, f, fn, e); len(vs) == 1 {
		return vs[0], true
	}
	return "", false
}

func isLocalFunc(call *ast.CallExpr, p *srcPkg) bool {
	id, ok := call.Fun.(*ast.Ident)
	return ok && p.funcs[id.Name] != nil
}

// compositeLit records a Code field; status is that of the call lit is
// passed to, unless lit has a Kind of its own. A literal is seen twice when
// passed to a call: the pass without a status records nothing.
func (c *collector) compositeLit(p *srcPkg, f *ast.File, fn *ast.FuncDecl, lit *ast.CompositeLit, status int) {
	var code, msg ast.Expr
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		switch {
		case isIdent(kv.Key, "Code"):
			code = kv.Value
		case isIdent(kv.Key, "Message"):
			msg = kv.Value
		case isIdent(kv.Key, "Kind"):
			if s := c.kindStatus(kv.Value); s != 0 {
				status = s
			}
		}
	}
	if code == nil || status == 0 {
		return
	}
	for _, v := range c.values(p, f, fn, code) {
		c.add(v, status, code.Pos())
	}
	if msg != nil {
		c.addMessage(p, f, fn, code, msg, status)
	}
}

// values returns the strings e may hold: a literal, a constant of this or an
// imported RocketMart package, or the literals assigned to a local variable.
func (c *collector) values(p *srcPkg, f *ast.File, fn *ast.FuncDecl, e ast.Expr) []string {
	switch e := e.(type) {
	case *ast.BasicLit:
		if v, ok := stringLit(e); ok {
			return []string{v}
		}
	case *ast.Ident:
		if def, ok := p.consts[e.Name]; ok {
			return c.values(p, def.file, nil, def.value)
		}
		return assigned(fn, e.Name)
	case *ast.SelectorExpr:
		pkgName, ok := e.X.(*ast.Ident)
		if !ok {
			return nil
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			name := path.Base(ip)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			if name != pkgName.Name || !strings.HasPrefix(ip, modulePrefix) {
				continue
			}
			if other := c.pkgs[strings.TrimPrefix(ip, modulePrefix)]; other != nil {
				if def, ok := other.consts[e.Sel.Name]; ok {
					return c.values(other, def.file, nil, def.value)
				}
			}
		}
	}
	return nil
}

// assigned returns the string literals assigned to the variable name in fn.
func assigned(fn *ast.FuncDecl, name string) []string {
	if fn == nil || fn.Body == nil {
		return nil
	}
	var vs []string
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for i, l := range as.Lhs {
			if isIdent(l, name) {
				if v, ok := stringLit(as.Rhs[i]); ok {
					vs = append(vs, v)
				}
			}
		}
		return true
	})
	return vs
}
