package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Where the catalogue test finds the keys in use: the modules' literals and
// t(`…${x}`) patterns, the pages' data-i18n attributes, and the error codes
// the Go sources answer with.

// keyUses walks tokens for what they name: every literal (a key passed
// around, as in signInPrompt('signin.forCart')) and, for t(`a.${x}`), the
// pattern of keys the template can make.
func keyUses(toks []token, literals map[string]bool, patterns *[]string) {
	for i, tk := range toks {
		switch tk.kind {
		case tokString:
			literals[tk.text] = true
		case tokTemplate:
			if len(tk.exprs) == 0 {
				literals[tk.parts[0]] = true
			} else if fn := at(toks, i-2).text; at(toks, i-1).text == "(" && (fn == "t" || fn == "tx") {
				quoted := make([]string, len(tk.parts))
				for j, p := range tk.parts {
					quoted[j] = regexp.QuoteMeta(p)
				}
				*patterns = append(*patterns, "^"+strings.Join(quoted, `[\w-]+`)+"$")
			}
			for _, e := range tk.exprs {
				keyUses(e, literals, patterns)
			}
		}
	}
}

// htmlKeys returns the data-i18n and data-i18n-label keys of a page, and
// the texts it shows that carry neither.
func htmlKeys(t *testing.T, page string) (keys, untranslated []string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *html.Node, keyed bool)
	walk = func(n *html.Node, keyed bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "head", "noscript", "script", "style":
				return
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "data-i18n":
					keys, keyed = append(keys, a.Val), true
				case "data-i18n-label":
					keys = append(keys, a.Val)
				case "translate":
					keyed = keyed || a.Val == "no"
				case "aria-label", "title", "alt", "placeholder":
					if hasLetter(a.Val) && !slices.ContainsFunc(n.Attr, func(b html.Attribute) bool { return b.Key == "data-i18n-label" }) {
						untranslated = append(untranslated, a.Key+"="+a.Val)
					}
				}
			}
		}
		if n.Type == html.TextNode && !keyed && hasLetter(n.Data) {
			untranslated = append(untranslated, strings.TrimSpace(n.Data))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, keyed)
		}
	}
	walk(doc, false)
	return keys, untranslated
}

// goStringLiterals returns the UPPER_SNAKE string literals of the shop's Go
// sources (services, scripts and this module, tests left out): the error
// codes an error.<CODE> message may translate.
func goStringLiterals(t *testing.T) map[string]bool {
	t.Helper()
	code := regexp.MustCompile(`"([A-Z][A-Z0-9_]+)"`)
	found := map[string]bool{}
	for _, dir := range []string{"../services", "../scripts", "."} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range code.FindAllStringSubmatch(string(b), -1) {
				found[m[1]] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return found
}
