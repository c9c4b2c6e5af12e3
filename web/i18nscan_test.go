package web

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// The static check behind TestNoHardCodedWords: a view that writes words of
// its own instead of t(…) shows them in English to a Chinese page. It reads
// every token of a module (jslex_test.go) and reports
//
//   - text positions holding a literal with a letter in it: the children of
//     h(tag, attrs, …children), the arguments of announce, heading,
//     setFormError, the text argument of setText, fieldMessage and
//     setPayMessage, anything passed to .append, .prepend and
//     .replaceChildren, the value assigned to .textContent, and the
//     aria-label, title, placeholder and alt of an h() attribute object.
//     A literal counts when it is the argument itself or a branch of it
//     (a ? 'x' : 'y', a || 'x', a template's text); one inside a nested call
//     (t('key'), money(…)) belongs to that call, one compared (=== 'PAID')
//     is not shown. Punctuation such as ' · ',
//     ' → ' or '✓' has no letter and passes;
//   - anywhere, a literal that reads like prose: a capitalised word
//     ("Paid", "Add to cart") or Chinese characters, so a table of labels
//     kept in a view is found too. Header and error names (Idempotency-Key,
//     AbortError) are allowed by name.
//
// What it cannot see: a lower-case word kept in a table and passed through
// a variable ({PAID: 'paid'}), or words built from data. Keep words in the
// catalogue and pass keys around instead.

// textFrom is, for each function that shows text, the first argument that is text.
var textFrom = map[string]int{"h": 2, "announce": 0, "heading": 0, "setFormError": 0, "setText": 1, "fieldMessage": 2, "setPayMessage": 1}

// textMethods are DOM methods whose every argument is shown.
var textMethods = map[string]bool{"append": true, "prepend": true, "replaceChildren": true}

// visibleAttributes are the h() attributes people read or hear.
var visibleAttributes = map[string]bool{"aria-label": true, "title": true, "placeholder": true, "alt": true}

// technicalWords are capitalised literals that are names, not prose.
var technicalWords = map[string]bool{"Idempotency-Key": true, "Content-Type": true, "Accept": true,
	"Accept-Language": true, "X-Admin-Token": true, "AbortError": true, "ApiError": true}

// comparisons: a literal beside one is compared, not shown.
var comparisons = map[string]bool{"===": true, "!==": true, "==": true, "!=": true}

var capitalisedWord = regexp.MustCompile(`(^|[^A-Za-z])[A-Z][a-z]+`)

// finding is one hard-coded word.
type finding struct {
	line    int
	text    string
	why     string
	literal string // the whole literal the text is in
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

func readsLikeProse(s string) bool {
	if technicalWords[s] {
		return false
	}
	return capitalisedWord.MatchString(s) || strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// hardCodedWords returns the findings in one module's tokens, one per literal.
func hardCodedWords(toks []token) []finding {
	var all []finding
	scanTokens(toks, &all)
	seen := map[string]bool{}
	var out []finding
	for _, f := range all {
		if k := fmt.Sprint(f.line, "\x00", f.literal); !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

// literalOf names a literal token by its whole text, so that two findings
// in one literal count once.
func literalOf(tk token) string {
	return tk.text + strings.Join(tk.parts, "${…}")
}

func scanTokens(toks []token, out *[]finding) {
	for i, tk := range toks {
		switch tk.kind {
		case tokString:
			if readsLikeProse(tk.text) {
				*out = append(*out, finding{tk.line, tk.text, "prose in a literal", literalOf(tk)})
			}
		case tokTemplate:
			for _, p := range tk.parts {
				if readsLikeProse(p) {
					*out = append(*out, finding{tk.line, p, "prose in a template", literalOf(tk)})
				}
			}
			for _, e := range tk.exprs {
				scanTokens(e, out)
			}
		case tokName:
			next := at(toks, i+1)
			afterDot := at(toks, i-1).text == "."
			if next.text == "(" {
				from, isText := textFrom[tk.text]
				if afterDot {
					from, isText = 0, textMethods[tk.text]
				}
				if isText {
					args := arguments(toks, i+1)
					for j := from; j < len(args); j++ {
						visibleLiterals(args[j], "text argument of "+tk.text, out)
					}
					if tk.text == "h" && !afterDot && len(args) > 1 {
						attributeLiterals(args[1], out)
					}
				}
			}
			if tk.text == "textContent" && afterDot && next.text == "=" {
				visibleLiterals(untilStatementEnd(toks, i+2), "assigned to textContent", out)
			}
		}
	}
}

func at(toks []token, i int) token {
	if i < 0 || i >= len(toks) {
		return token{}
	}
	return toks[i]
}

// arguments splits the call whose "(" is toks[open] into its arguments.
func arguments(toks []token, open int) [][]token {
	var args [][]token
	depth, start := 0, open+1
	for i := open; i < len(toks); i++ {
		switch toks[i].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				if i > start {
					args = append(args, toks[start:i])
				}
				return args
			}
		case ",":
			if depth == 1 {
				args = append(args, toks[start:i])
				start = i + 1
			}
		}
	}
	return args
}

func untilStatementEnd(toks []token, from int) []token {
	depth := 0
	for i := from; i < len(toks); i++ {
		switch toks[i].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			if depth == 0 {
				return toks[from:i]
			}
			depth--
		case ";":
			if depth == 0 {
				return toks[from:i]
			}
		}
	}
	return toks[from:]
}

// visibleLiterals reports the literals with letters at the top of expr:
// the expression itself or a branch of it, not inside a nested call or
// object. Array brackets are looked into: an array of children is children.
func visibleLiterals(expr []token, why string, out *[]finding) {
	depth := 0
	for i, tk := range expr {
		switch {
		case tk.kind == tokPunct && (tk.text == "(" || tk.text == "{"):
			depth++
		case tk.kind == tokPunct && (tk.text == ")" || tk.text == "}"):
			depth--
		case depth > 0, comparisons[at(expr, i-1).text], comparisons[at(expr, i+1).text]:
		case tk.kind == tokString && hasLetter(tk.text):
			*out = append(*out, finding{tk.line, tk.text, why, literalOf(tk)})
		case tk.kind == tokTemplate:
			for _, p := range tk.parts {
				if hasLetter(p) {
					*out = append(*out, finding{tk.line, p, why, literalOf(tk)})
				}
			}
			for _, e := range tk.exprs {
				visibleLiterals(e, why, out)
			}
		}
	}
}

// attributeLiterals checks the visible attributes of an h() attribute object.
func attributeLiterals(obj []token, out *[]finding) {
	if len(obj) < 2 || obj[0].text != "{" {
		return
	}
	for _, entry := range arguments(obj, 0) {
		if len(entry) > 2 && entry[1].text == ":" && visibleAttributes[entry[0].text] {
			visibleLiterals(entry[2:], "the "+entry[0].text+" attribute", out)
		}
	}
}
