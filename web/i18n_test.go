package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The storefront's catalogues (static/js/i18n/*.js): the same keys in every
// language, every key used, every key a view names present, the glossary's
// terms kept, and no words written in a view (i18nscan_test.go).

var languages = []string{"en", "zh-CN"}

// message is a catalogue value: one text, or a count's forms ("one", "other").
type message map[string]string

func loadCatalogue(t *testing.T, lang string) map[string]message {
	t.Helper()
	src := readStatic(t, "js/i18n/"+lang+".js")
	body, ok := strings.CutPrefix(strings.TrimSpace(src[strings.Index(src, "export default"):]), "export default")
	if !ok {
		t.Fatalf("%s.js: no export default", lang)
	}
	dec := json.NewDecoder(strings.NewReader(strings.TrimSuffix(strings.TrimSpace(body), ";")))
	var raw []json.RawMessage
	keys := []string{}
	if _, err := dec.Token(); err != nil {
		t.Fatalf("%s.js: %v", lang, err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatalf("%s.js: %v", lang, err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s.js: key %v: %v", lang, k, err)
		}
		keys, raw = append(keys, k.(string)), append(raw, v)
	}
	cat := map[string]message{}
	for i, k := range keys {
		if _, dup := cat[k]; dup {
			t.Errorf("%s.js: key %q twice", lang, k)
		}
		var s string
		if json.Unmarshal(raw[i], &s) == nil {
			cat[k] = message{"": s}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(raw[i], &forms); err != nil {
			t.Fatalf("%s.js: %q is neither a text nor {\"one\", \"other\"}: %v", lang, k, err)
		}
		cat[k] = forms
	}
	return cat
}

func readStatic(t *testing.T, name string) string {
	t.Helper()
	files, err := Static()
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(files, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

func placeholders(m message) []string {
	set := map[string]bool{}
	for _, text := range m {
		for _, p := range placeholder.FindAllStringSubmatch(text, -1) {
			set[p[1]] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func TestCataloguesMatch(t *testing.T) {
	en := loadCatalogue(t, "en")
	for _, lang := range languages[1:] {
		other := loadCatalogue(t, lang)
		for k, m := range en {
			o, ok := other[k]
			if !ok {
				t.Errorf("%s.js has no %q (en: %q)", lang, k, m)
				continue
			}
			if got, want := placeholders(o), placeholders(m); !slices.Equal(got, want) {
				t.Errorf("%s.js %q has placeholders %v, en has %v", lang, k, got, want)
			}
			if _, plural := o[""]; !plural && o["other"] == "" {
				t.Errorf("%s.js %q: a count's message needs an \"other\" form", lang, k)
			}
		}
		for k := range other {
			if _, ok := en[k]; !ok {
				t.Errorf("%s.js has %q, which en.js has not", lang, k)
			}
		}
	}
	for k, m := range en {
		for form, text := range m {
			if strings.TrimSpace(text) == "" {
				t.Errorf("en.js %q %s is empty", k, form)
			}
		}
		if _, plural := m[""]; !plural && (m["one"] == "" || m["other"] == "") {
			t.Errorf("en.js %q: a count's message needs \"one\" and \"other\"", k)
		}
	}
}

// jsModules returns every module of the storefront but the catalogues, with its tokens.
func jsModules(t *testing.T) map[string][]token {
	t.Helper()
	files, err := Static()
	if err != nil {
		t.Fatal(err)
	}
	mods := map[string][]token{}
	err = fs.WalkDir(files, "js", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") || strings.HasPrefix(path, "js/i18n/") {
			return err
		}
		toks, err := lexJS(readStatic(t, path))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		mods[path] = toks
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return mods
}

func TestEveryKeyIsUsedAndExists(t *testing.T) {
	en := loadCatalogue(t, "en")
	literals := map[string]bool{}
	var patterns []string
	for path, toks := range jsModules(t) {
		keyUses(toks, literals, &patterns)
		for i, tk := range toks {
			if (tk.text == "t" || tk.text == "tx") && at(toks, i+1).text == "(" && at(toks, i-1).text != "." {
				if arg := at(toks, i+2); arg.kind == tokString {
					if _, ok := en[arg.text]; !ok {
						t.Errorf("%s:%d: t(%q): no such key in en.js", path, arg.line, arg.text)
					}
				}
			}
		}
	}
	for _, page := range []string{"index.html", "docs.html"} {
		keys, untranslated := htmlKeys(t, readStatic(t, page))
		for _, k := range keys {
			literals[k] = true
			if _, ok := en[k]; !ok {
				t.Errorf("%s: data-i18n %q: no such key in en.js", page, k)
			}
		}
		for _, text := range untranslated {
			t.Errorf("%s shows %q without a data-i18n key", page, text)
		}
	}
	codes := goStringLiterals(t)
	for k := range en {
		code, isError := strings.CutPrefix(k, "error.")
		used := literals[k] || (isError && codes[code]) || slices.ContainsFunc(patterns, func(p string) bool {
			return regexp.MustCompile(p).MatchString(k)
		})
		if !used {
			t.Errorf("en.js %q is used nowhere (error.<CODE> keys: no Go source answers CODE)", k)
		}
	}
	for _, p := range patterns {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(en)), regexp.MustCompile(p).MatchString) {
			t.Errorf("t(`…`) pattern %s matches no key", p)
		}
	}
}

func TestNoHardCodedWords(t *testing.T) {
	for path, toks := range jsModules(t) {
		for _, f := range hardCodedWords(toks) {
			t.Errorf("%s:%d: %q (%s): put it in the catalogues and use t()", path, f.line, f.text, f.why)
		}
	}
}

// TestHardCodedWordsCheck plants words where a view shows them, and keys
// where it should, to show what the check finds.
func TestHardCodedWordsCheck(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		found     int
	}{
		{"a child of h", `h('p', {}, 'Your cart is empty.')`, 1},
		{"a lower-case child", `h('em', {}, 'no longer sold')`, 1},
		{"a template child", "h('p', {}, `${n} items`)", 1},
		{"a child in a branch", "h('p', {}, ok ? t('a.b') : `failed`)", 1},
		{"an array of children", `h('p', {}, [money(c), ' each'])`, 1},
		{"textContent", `el.textContent = cond ? 'Saved' : '';`, 1},
		{"announce", "announce(`Added ${n} to your cart.`)", 1},
		{"replaceChildren", `note.replaceChildren('press ', go, '.')`, 1},
		{"an aria-label", `h('button', { type: 'button', 'aria-label': 'close' }, '×')`, 1},
		{"a table of labels", `const labels = { PAID: 'Paid' };`, 1},
		{"Chinese", `fieldMessage(a, b, '请输入')`, 1},
		{"keys and punctuation", "h('p', { class: 'muted small', 'data-testid': 'x' }, t('a.b'), ' · ', money(c), `${a} → ${b}`)", 0},
		{"a key in textContent", `el.textContent = t('x.y', { n });`, 0},
		{"a compared literal", `setText(x, s === 'PAID' ? t('a') : '')`, 0},
		{"technical names", `api(path, { headers: { 'Idempotency-Key': k } }); if (e.name === 'AbortError') x();`, 0},
		{"regexp and division", `const r = /Added (\d+)/; const q = a / 2; h('p', {}, t('k'))`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			toks, err := lexJS(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if got := hardCodedWords(toks); len(got) != tc.found {
				t.Errorf("found %v, want %d finding(s)", got, tc.found)
			}
		})
	}
}

// TestGlossaryTerms: where an English message names a checked term of
// static/js/i18n/GLOSSARY.md, its Chinese message uses the term's Chinese.
func TestGlossaryTerms(t *testing.T) {
	en, zh := loadCatalogue(t, "en"), loadCatalogue(t, "zh-CN")
	row := regexp.MustCompile(`^\| ([^|]+?) \| ([^|]+?) \| ✓ \|`)
	checked := 0
	for _, line := range strings.Split(readStatic(t, "js/i18n/GLOSSARY.md"), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		checked++
		term, chinese := strings.ToLower(m[1]), m[2]
		for k, msg := range en {
			if !strings.Contains(strings.ToLower(strings.Join(slices.Collect(maps.Values(msg)), " ")), term) {
				continue
			}
			if zhText := strings.Join(slices.Collect(maps.Values(zh[k])), " "); !strings.Contains(zhText, chinese) {
				t.Errorf("%q names %q; its Chinese %q should say %s", k, term, zhText, chinese)
			}
		}
	}
	if checked == 0 {
		t.Fatal("GLOSSARY.md has no checked terms")
	}
}
