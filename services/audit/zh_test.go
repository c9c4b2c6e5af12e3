package audit

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// auditTexts are the English texts found in a package's source: the
// literal format of every inv.fail call and every Invariant Title literal,
// each with where it is; nonLiteral lists fail calls whose format is not a
// constant (the catalogue cannot be checked for those, so they fail too).
type auditTexts struct {
	formats, titles map[string]string // text → file:line
	nonLiteral      []string
}

// scanSource parses the non-test Go files of dir.
func scanSource(t *testing.T, dir string) auditTexts {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	found := auditTexts{formats: map[string]string{}, titles: map[string]string{}}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "fail" || len(n.Args) < 2 {
					return true
				}
				if s, ok := constString(n.Args[1]); ok {
					found.formats[s] = fset.Position(n.Pos()).String()
				} else {
					found.nonLiteral = append(found.nonLiteral, fset.Position(n.Pos()).String())
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Title" {
					if s, ok := constString(n.Value); ok {
						found.titles[s] = fset.Position(n.Pos()).String()
					} else {
						found.nonLiteral = append(found.nonLiteral, fset.Position(n.Pos()).String())
					}
				}
			}
			return true
		})
	}
	return found
}

// constString is the value of a string literal or a + of them.
func constString(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, ok1 := constString(e.X)
		r, ok2 := constString(e.Y)
		return l + r, ok1 && ok2
	case *ast.ParenExpr:
		return constString(e.X)
	}
	return "", false
}

var verbRE = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d*)?(?:\[(\d+)\])?([a-zA-Z%])`)

// verbs maps each argument (1-based) of a format to the verbs that print
// it, following fmt's rules for %[n] indexes; an error for anything fmt
// would complain about that this simple reading cannot follow.
func verbs(format string) (map[int]string, error) {
	out := map[int]string{}
	next := 1
	for _, m := range verbRE.FindAllStringSubmatch(format, -1) {
		if m[3] == "%" {
			continue
		}
		idx := m[1]
		if idx == "" {
			idx = m[2]
		}
		if idx != "" {
			n, err := strconv.Atoi(idx)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("bad index in %q", m[0])
			}
			next = n
		}
		if prev, ok := out[next]; ok && prev != m[3] {
			return nil, fmt.Errorf("argument %d printed as %%%s and %%%s", next, prev, m[3])
		}
		out[next] = m[3]
		next++
	}
	return out, nil
}

// catalogueProblems lists what is wrong with the catalogue for found.
func catalogueProblems(found auditTexts, details, titles map[string]string) []string {
	var problems []string
	for _, where := range found.nonLiteral {
		problems = append(problems, where+": the format or title is not a string literal, so its Chinese cannot be checked")
	}
	for _, en := range slices.Sorted(maps.Keys(found.formats)) {
		where := found.formats[en]
		zh, ok := details[en]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no Chinese for the fail format %q: add it to zhDetails (zh.go)", where, en))
			continue
		}
		ev, err1 := verbs(en)
		zv, err2 := verbs(zh)
		switch {
		case err1 != nil || err2 != nil:
			problems = append(problems, fmt.Sprintf("%s: %q / %q: %v %v", where, en, zh, err1, err2))
		case !maps.Equal(ev, zv):
			problems = append(problems, fmt.Sprintf("%s: the Chinese %q prints the arguments as %v, the English %q as %v", where, zh, zv, en, ev))
		}
	}
	for _, en := range slices.Sorted(maps.Keys(found.titles)) {
		if zh, ok := titles[en]; !ok || zh == "" {
			problems = append(problems, fmt.Sprintf("%s: no Chinese for the title %q: add it to zhTitles (zh.go)", found.titles[en], en))
		}
	}
	return problems
}

// TestEveryAuditTextHasChinese: a check added or reworded without its
// Chinese (or with Chinese printing other arguments) fails here, by name.
func TestEveryAuditTextHasChinese(t *testing.T) {
	found := scanSource(t, ".")
	if len(found.formats) < 60 || len(found.titles) != 10 {
		t.Fatalf("found %d fail formats and %d titles; the scan is broken", len(found.formats), len(found.titles))
	}
	for _, p := range catalogueProblems(found, zhDetails, zhTitles) {
		t.Error(p)
	}
	// No stale entries: the catalogue holds only texts the source uses.
	for en := range zhDetails {
		if _, ok := found.formats[en]; !ok {
			t.Errorf("zhDetails has %q, which no fail call uses", en)
		}
	}
	for en := range zhTitles {
		if _, ok := found.titles[en]; !ok {
			t.Errorf("zhTitles has %q, which no invariant uses", en)
		}
	}
}

// TestCatalogueCheckCatchesPlantedMistakes: a package with a fail format
// missing from the catalogue, one whose Chinese swaps two verbs, one whose
// Chinese drops an argument and a title without Chinese is reported four
// times; a correct reordering with %[n] indexes is not.
func TestCatalogueCheckCatchesPlantedMistakes(t *testing.T) {
	dir := t.TempDir()
	src := `package planted

type Invariant struct{ Title string }

func (inv *Invariant) fail(subject, format string, args ...any) {}

func check() {
	inv := Invariant{Title: "Planted " + "title"}
	inv.fail("order RM-1", "missing %d", 1)
	inv.fail("order RM-1", "swapped %d of %s", 1, "x")
	inv.fail("order RM-1", "dropped %d of %s", 1, "x")
	inv.fail("order RM-1", "reordered %d of %s", 1, "x")
	inv.fail("order RM-1", "ok %s", "x")
}
`
	if err := os.WriteFile(filepath.Join(dir, "planted.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	found := scanSource(t, dir)
	if _, ok := found.titles["Planted title"]; !ok || len(found.formats) != 5 {
		t.Fatalf("scan found %+v", found)
	}
	details := map[string]string{
		"swapped %d of %s":   "%s 的 %d",
		"dropped %d of %s":   "%d 个",
		"reordered %d of %s": "%[2]s 的 %[1]d",
		"ok %s":              "好 %s",
	}
	problems := catalogueProblems(found, details, map[string]string{})
	joined := strings.Join(problems, "\n")
	if len(problems) != 4 {
		t.Fatalf("problems = %d, want 4:\n%s", len(problems), joined)
	}
	for _, want := range []string{`"missing %d"`, `"swapped %d of %s"`, `"dropped %d of %s"`, `"Planted title"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems lack %s:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "reordered") || strings.Contains(joined, `"ok %s"`) {
		t.Errorf("a correct entry was reported:\n%s", joined)
	}
}

// TestCorruptedSnapshotInChinese: the violations of a corrupted snapshot
// carry Chinese subjects and details with the snapshot's values, the
// invariants Chinese titles, and the Chinese text report shows them.
func TestCorruptedSnapshotInChinese(t *testing.T) {
	s := consistent()
	s.Shipments = nil
	s.Ledger[0].Points = 70 // RM-1 credited 70, not 89
	s.Accounts[0] = PointsAccount{UserID: "alice", Balance: 70, LedgerSum: 70}
	s.Stock[0].Sold = 3 // MUG
	invs := Check(s, time.Now())
	want := map[int][]Violation{
		2: {
			{Subject: "order RM-1", SubjectZh: "订单 RM-1", DetailZh: "已支付，但有 0 个发货单"},
			{Subject: "order RM-1", SubjectZh: "订单 RM-1", DetailZh: "给 alice 入账 70 积分，应为给 alice 入账 89 积分"},
			{Subject: "sku MUG", SubjectZh: "商品 MUG", DetailZh: "已售 3 件，已售的库存预留合计 2 件"},
		},
	}
	for _, inv := range invs {
		if inv.TitleZh == "" || inv.TitleZh == inv.Title {
			t.Errorf("invariant %d has no Chinese title: %q", inv.ID, inv.TitleZh)
		}
		for _, w := range want[inv.ID] {
			if !slices.ContainsFunc(inv.Violations, func(v Violation) bool {
				return v.Subject == w.Subject && v.SubjectZh == w.SubjectZh && v.DetailZh == w.DetailZh
			}) {
				t.Errorf("invariant %d lacks %+v; has %+v", inv.ID, w, inv.Violations)
			}
		}
	}
	// English unchanged beside the Chinese.
	if v := invs[1].Violations[0]; v.Detail != "paid, but has 0 shipments" {
		t.Errorf("English detail = %q", v.Detail)
	}
	b, err := json.Marshal(invs[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"titleZh":"每笔已支付订单`, `"subjectZh":"订单 RM-1"`, `"detailZh":"已支付，但有 0 个发货单"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}

	rep := Report{Quiescent: true, WaitedMs: 1200, Notes: []string{"n"}, NotesZh: []string{"说明一"}, Invariants: invs}
	var out strings.Builder
	rep.WriteTextIn(&out, Chinese)
	text := out.String()
	for _, w := range []string{"失败  2. 每笔已支付订单恰有一个发货单", "      订单 RM-1：已支付，但有 0 个发货单", "      商品 MUG：已售 3 件",
		"说明：说明一", "通过  1. ", "1.2 秒后系统静止", fmt.Sprintf("结果：不一致（%d 条不变量中有 2 条被破坏）", len(invs))} {
		if !strings.Contains(text, w) {
			t.Errorf("Chinese report lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "paid, but") || strings.Contains(text, "RESULT") {
		t.Errorf("Chinese report shows English:\n%s", text)
	}
}

// TestRefundStateArgumentInChinese: the order state a refund check passes
// as an argument ("does not exist", "is PAID") comes out in Chinese too.
func TestRefundStateArgumentInChinese(t *testing.T) {
	s := consistent()
	s.Ledger = append(s.Ledger, PointsEntry{UserID: "alice", OrderNo: "RM-1", Reason: reasonOrderRefunded, Points: -89},
		PointsEntry{UserID: "bob", OrderNo: "RM-9", Reason: reasonOrderRefunded, Points: -5})
	var got []string
	for _, inv := range Check(s, time.Now()) {
		if inv.ID == 7 {
			for _, v := range inv.Violations {
				got = append(got, v.SubjectZh+"："+v.DetailZh)
			}
		}
	}
	for _, w := range []string{"订单 RM-1：扣回了 89 积分，但订单状态为 PAID", "订单 RM-9：扣回了 5 积分，但订单不存在"} {
		if !slices.Contains(got, w) {
			t.Errorf("invariant 7 lacks %q; has %q", w, got)
		}
	}
}

func TestSubjectZh(t *testing.T) {
	for en, zh := range map[string]string{
		"order RM-1":             "订单 RM-1",
		"sku RM-MUG-STONE":       "商品 RM-MUG-STONE",
		"user alice":             "用户 alice",
		"user alice, order RM-1": "用户 alice，订单 RM-1",
		"all wallets":            "全部钱包",
		"half 7F00":              "半消息 7F00",
		"dead letter AC1":        "死信 AC1",
		"something unknown":      "something unknown",
	} {
		if got := subjectZh(en); got != zh {
			t.Errorf("subjectZh(%q) = %q, want %q", en, got, zh)
		}
	}
}

func TestWriteTextInEnglishUnchanged(t *testing.T) {
	s := consistent()
	s.Shipments = nil
	rep := Report{Invariants: Check(s, time.Now())}
	var a, b strings.Builder
	rep.WriteText(&a)
	rep.WriteTextIn(&b, English)
	if a.String() != b.String() || !strings.Contains(a.String(), "order RM-1: paid, but has 0 shipments") {
		t.Errorf("English report:\n%s\nvs\n%s", a.String(), b.String())
	}
	if _, err := ParseLang("fr"); err == nil || !strings.Contains(err.Error(), "zh-CN") {
		t.Errorf("ParseLang(fr) = %v", err)
	}
}

// TestGlossaryTerms: where an English text names a checked term of the
// storefront's glossary (web/static/js/i18n/GLOSSARY.md), its Chinese
// uses the term's Chinese, as web's test of its own catalogue requires.
func TestGlossaryTerms(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "web", "static", "js", "i18n", "GLOSSARY.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`^\| ([^|]+?) \| ([^|]+?) \| ✓ \|`)
	checked := 0
	for _, line := range strings.Split(string(b), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		checked++
		term, chinese := strings.ToLower(m[1]), m[2]
		for _, catalogue := range []map[string]string{zhDetails, zhTitles} {
			for en, zh := range catalogue {
				if strings.Contains(strings.ToLower(en), term) && !strings.Contains(zh, chinese) {
					t.Errorf("%q names %q; its Chinese %q should say %s", en, term, zh, chinese)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("GLOSSARY.md has no checked terms")
	}
}

// The command-line tools follow the locale as POSIX programs do: LC_ALL,
// then LC_MESSAGES, then LANG; only Simplified Chinese locales give Chinese.
func TestLocaleLang(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want Lang
	}{
		{nil, English},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, Chinese},
		{map[string]string{"LANG": "zh_SG.GB2312"}, Chinese},
		{map[string]string{"LANG": "C.UTF-8"}, English},
		{map[string]string{"LANG": "zh_TW.UTF-8"}, English}, // Traditional: not this translation
		{map[string]string{"LC_MESSAGES": "zh_Hans@x"}, Chinese},
		{map[string]string{"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, English},
		{map[string]string{"LC_ALL": "zh-CN", "LANG": "en_US.UTF-8"}, Chinese},
		{map[string]string{"LANG": "en_GB.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, Chinese},
	} {
		if got := LocaleLang(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("LocaleLang(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}
