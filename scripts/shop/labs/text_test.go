package labs

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

// Every lab's title, goals and places to look are in both languages.
func TestCatalogueSpeaksBoth(t *testing.T) {
	for _, l := range All() {
		all := append([]Text{l.Title}, l.Learn...)
		all = append(all, l.Look...)
		for _, x := range all {
			for _, p := range textProblems(x.En, x.Zh) {
				t.Errorf("lab %s: %q / %q: %s", l.Name, x.En, x.Zh, p)
			}
		}
	}
}

// Every text the labs and make lab say — narration, checks, their details,
// errors — is written as a Text literal in both languages, with the same
// arguments; asIs is only for texts without words. Read from the source,
// since most of them are said only while a lab runs.
func TestEveryTextInBothLanguages(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	cmd, _ := filepath.Glob("../lab/*.go")
	found := 0
	for _, f := range append(files, cmd...) {
		if strings.HasSuffix(f, "_test.go") || f == "text.go" { // text.go builds Texts from Texts
			continue
		}
		n, problems := checkSourceTexts(t, f, nil)
		found += n
		for _, p := range problems {
			t.Error(p)
		}
	}
	// A walker that stopped finding them would pass vacuously.
	if found < 150 {
		t.Errorf("found %d texts; the labs say far more (has the Text literal's shape changed?)", found)
	}
}

// The check above fails on each kind of planted mistake.
func TestTextCheckCatchesMistakes(t *testing.T) {
	for _, c := range []struct {
		name, src, want string
	}{
		{"empty Chinese", `var a = Text{"the order is paid", ""}`, "empty"},
		{"untranslated", `var a = Text{"the order is paid", "the order is paid"}`, "no Chinese"},
		{"keyed, untranslated", `var a = labs.Text{En: "order %s placed", Zh: "order %s placed"}`, "no Chinese"},
		{"a lost argument", `func f(r *Run) { r.Say(Text{"order %s placed by %s", "订单 %s 已下单"}, no, user) }`, "arguments"},
		{"another verb", `var a = Text{"%d check-backs", "%s 次事务回查"}`, "arguments"},
		{"in a list", `var a = []Text{{"the order is paid", "订单已支付"}, {"the broker checked back", ""}}`, "empty"},
		{"in a map", `var a = map[string]Text{"x": {"rolled back", ""}}`, "empty"},
		{"not a literal", `var a = Text{msg, "订单"}`, "literal"},
		{"words as is", `var a = asIs("got %d")`, "words"},
		{"another term", `var a = Text{"the broker checked back", "Broker 检查了事务状态"}`, "回查"},
		{"another term for the queue", `var a = Text{"it went to the dead-letter queue", "它进入了死信主题"}`, "死信队列"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, problems := checkSourceTexts(t, "planted.go", []byte("package labs\n"+c.src+"\n"))
			if !strings.Contains(strings.Join(problems, "\n"), c.want) {
				t.Errorf("problems %q, want one saying %q", problems, c.want)
			}
		})
	}
	_, problems := checkSourceTexts(t, "fine.go", []byte(`package labs
var a = []Text{{"%d answers in %s.log", "%[2]s.log 中有 %[1]d 次回答"}, {"%s — %s", "%s——%s"}}
var b = asIs("%d %s")`))
	if len(problems) > 0 {
		t.Errorf("a correct source: %q", problems)
	}
}

// checkSourceTexts finds the Text literals and asIs calls of one Go file
// (src, or the file itself when src is nil) and returns how many it found
// and what is wrong with them.
func checkSourceTexts(t *testing.T, name string, src []byte) (int, []string) {
	t.Helper()
	fset := token.NewFileSet()
	var file any // nil: read the file name
	if src != nil {
		file = src
	}
	f, err := parser.ParseFile(fset, name, file, 0)
	if err != nil {
		t.Fatal(err)
	}
	var (
		found    int
		problems []string
	)
	report := func(n ast.Node, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), fmt.Sprintf(format, args...)))
	}
	check := func(lit *ast.CompositeLit) {
		found++
		en, zh, ok := textFields(lit)
		if !ok {
			report(lit, "a Text must be two string literals, En and Zh, so that this test can read them")
			return
		}
		for _, p := range textProblems(en, zh) {
			report(lit, "%q / %q: %s", en, zh, p)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			switch typ := n.Type.(type) {
			case *ast.ArrayType:
				if isText(typ.Elt) {
					for _, e := range n.Elts {
						if lit, ok := e.(*ast.CompositeLit); ok && lit.Type == nil {
							check(lit)
						}
					}
				}
			case *ast.MapType:
				if isText(typ.Value) {
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if lit, ok := kv.Value.(*ast.CompositeLit); ok && lit.Type == nil {
								check(lit)
							}
						}
					}
				}
			default:
				if isText(n.Type) {
					check(n)
				}
			}
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "asIs" && len(n.Args) == 1 {
				found++
				s, ok := stringLit(n.Args[0])
				if !ok || hasWords(s) {
					report(n, "asIs(%s) has words to translate: write a Text", s)
				}
			}
		}
		return true
	})
	return found, problems
}

func isText(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "Text"
	case *ast.SelectorExpr:
		return e.Sel.Name == "Text"
	}
	return false
}

// textFields reads Text{"en", "zh"} or Text{En: "en", Zh: "zh"}.
func textFields(lit *ast.CompositeLit) (en, zh string, ok bool) {
	if len(lit.Elts) != 2 {
		return "", "", false
	}
	vals := map[string]ast.Expr{"En": lit.Elts[0], "Zh": lit.Elts[1]}
	for _, e := range lit.Elts {
		if kv, isKV := e.(*ast.KeyValueExpr); isKV {
			if k, isIdent := kv.Key.(*ast.Ident); isIdent {
				vals[k.Name] = kv.Value
			}
		}
	}
	en, okEn := stringLit(vals["En"])
	zh, okZh := stringLit(vals["Zh"])
	return en, zh, okEn && okZh
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// textProblems says what is wrong with one text: a language missing, the
// Chinese not Chinese, or the two taking different arguments.
func textProblems(en, zh string) []string {
	var out []string
	if en == "" || zh == "" {
		out = append(out, "a language is empty")
	}
	if hasWords(en) && !strings.ContainsFunc(zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		out = append(out, "no Chinese in the Chinese text")
	}
	if a, b := formatArgs(en), formatArgs(zh); !slices.Equal(a, b) {
		out = append(out, fmt.Sprintf("the languages take different arguments: %v and %v", a, b))
	}
	prose := quoted.ReplaceAllString(en, "") // log lines are quoted as they are
	for _, g := range glossary {
		if g.en.MatchString(prose) && !strings.Contains(zh, g.zh) {
			out = append(out, fmt.Sprintf("%q is %s in RocketMQ's Chinese documentation (the glossary)", g.en.FindString(prose), g.zh))
		}
	}
	return out
}

// glossary is the terms the Chinese must use where the English has them,
// as RocketMQ's own Chinese documentation does (the storefront's
// web/static/js/i18n/GLOSSARY.md lists the same). Lower-case only: COMMIT
// and ROLLBACK are the protocol's words, the same in both languages.
var glossary = []struct {
	en *regexp.Regexp
	zh string
}{
	{regexp.MustCompile(`half message`), "半消息"},
	{regexp.MustCompile(`check-backs?|checks? back|checked back`), "回查"},
	{regexp.MustCompile(`local (transaction|commit)`), "本地事务"},
	{regexp.MustCompile(`idempoten`), "幂等"},
	{regexp.MustCompile(`dead[- ]letter`), "死信"},
	{regexp.MustCompile(`dead-letter queue`), "死信队列"},
	{regexp.MustCompile(`consumer group|group's`), "消费者组"},
	{regexp.MustCompile(`producer group`), "生产者组"},
	{regexp.MustCompile(`\bcommit(s|ted)?\b`), "提交"},
	{regexp.MustCompile(`\brolls?\b.*\bback\b|rolled[- ]back|rollback`), "回滚"},
	{regexp.MustCompile(`\bretr(y|ies|ied)\b`), "重试"},
	{regexp.MustCompile(`message trace`), "消息轨迹"},
	{regexp.MustCompile(`\breplay`), "重新投递"},
	{regexp.MustCompile(`deliver`), "投递"},
	{regexp.MustCompile(`invariant`), "不变量"},
	{regexp.MustCompile(`naive twin`), "朴素版本"},
}

var (
	verb   = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z%])`)
	word   = regexp.MustCompile(`[a-z]{2,}`)
	quoted = regexp.MustCompile(`"[^"]*"`)
)

// hasWords reports whether s has English words (lower-case ones: codes
// such as PAID and FAULT_INJECTED are the same in both languages).
func hasWords(s string) bool { return word.MatchString(verb.ReplaceAllString(s, "")) }

// formatArgs lists the arguments a format uses, as "n:verb", sorted:
// fmt's numbering, explicit [n] indexes included.
func formatArgs(format string) []string {
	var out []string
	arg := 1
	for _, m := range verb.FindAllStringSubmatch(format, -1) {
		if m[2] == "%" {
			continue
		}
		if m[1] != "" {
			arg, _ = strconv.Atoi(m[1])
		}
		out = append(out, fmt.Sprintf("%d:%s", arg, m[2]))
		arg++
	}
	slices.Sort(out)
	return out
}

// A run narrates, checks and lists in the language it was asked for.
func TestRunSpeaksItsLanguage(t *testing.T) {
	for _, c := range []struct {
		lang      launcher.Lang
		say, what string
	}{
		{launcher.English, "  · order RM-1 placed", "the broker checked back"},
		{launcher.Chinese, "  · 订单 RM-1 已下单", "Broker 发起了事务回查"},
	} {
		var out strings.Builder
		r := &Run{lang: c.lang, out: &out}
		r.Say(Text{"order %s placed", "订单 %s 已下单"}, "RM-1")
		r.Check(checkedBack, false, checkBacks, 0)
		if got := strings.TrimSpace(out.String()); got != strings.TrimSpace(c.say) {
			t.Errorf("%s: Say wrote %q, want %q", c.lang, got, c.say)
		}
		if len(r.checks) != 1 || r.checks[0].What != c.what {
			t.Errorf("%s: checks %+v, want %q", c.lang, r.checks, c.what)
		}
		list := ForControl(nil, nil).List(c.lang)
		if len(list) != len(catalogue) || list[0].Title != catalogue[0].Title.In(c.lang) || list[0].Summary == "" {
			t.Errorf("%s: List()[0] = %+v", c.lang, list[0])
		}
	}
}

// Both trainer guides, English and Chinese, have a row for every lab and
// link to each other.
func TestGuidesListEveryLab(t *testing.T) {
	for guide, twin := range map[string]string{"README.md": "README.zh-CN.md", "README.zh-CN.md": "README.md"} {
		b, err := os.ReadFile(guide)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for _, l := range All() {
			if !strings.Contains(text, "| `"+l.Name+"` |") {
				t.Errorf("%s has no row for the lab %s", guide, l.Name)
			}
		}
		if !strings.Contains(text, "]("+twin+")") {
			t.Errorf("%s does not link to %s", guide, twin)
		}
	}
}

// A report prints in its own language, verdict and notes included.
func TestReportWritesItsLanguage(t *testing.T) {
	rep := Report{Lab: "x", Title: "朴素版本：没有幂等认领的消费者", Naive: true, Preexisting: 1,
		Checks: []Check{{What: "余额与流水一致", Detail: "余额 28，流水 14"}}}
	for _, c := range []struct {
		lang launcher.Lang
		want []string
	}{
		{launcher.English, []string{"FAIL — ", "  FAIL 余额与流水一致: 余额 28", "note: the audit found 1 violation", "This is a naive twin"}},
		{launcher.Chinese, []string{"失败（FAIL） — ", "  FAIL 余额与流水一致：余额 28", "注意：审计发现 1 处违规", "这是朴素版本"}},
	} {
		rep.Lang = c.lang
		var out strings.Builder
		rep.WriteText(&out)
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: the report does not say %q:\n%s", c.lang, w, out.String())
			}
		}
	}
}
