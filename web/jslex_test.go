package web

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A small lexer for the storefront's ES modules: enough of JavaScript to
// tell code from string literals, template literals and comments, so that
// the catalogue test can see which words a view writes itself. It knows
// strings, templates (with their ${…} expressions lexed in turn), regular
// expression literals, comments, numbers, names and punctuators; it is not a
// parser.

type tokenKind int

const (
	tokName tokenKind = iota
	tokPunct
	tokString   // '…' or "…": text holds the decoded value
	tokTemplate // `…`: parts holds the text between the ${…}, exprs their tokens
	tokNumber
	tokRegexp
)

type token struct {
	kind  tokenKind
	text  string
	parts []string
	exprs [][]token
	line  int
}

// punctuators longest first, so "===" is not read as "==" and "=".
var punctuators = []string{"...", "===", "!==", "**=", "&&=", "||=", "??=",
	"=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "**", "<<", ">>"}

// regexpAfter are the tokens after which a slash starts a regular expression
// rather than a division.
var regexpAfter = map[string]bool{"return": true, "typeof": true, "case": true, "do": true, "else": true,
	"in": true, "of": true, "new": true, "delete": true, "void": true, "throw": true, "yield": true, "await": true}

type lexer struct {
	src  string
	pos  int
	line int
}

// lexJS returns src's tokens.
func lexJS(src string) ([]token, error) {
	l := &lexer{src: src, line: 1}
	toks, err := l.lex(false)
	if err != nil {
		return nil, fmt.Errorf("line %d: %w", l.line, err)
	}
	return toks, nil
}

// lex reads tokens up to the end, or with inTemplate up to the } that closes
// a template's ${.
func (l *lexer) lex(inTemplate bool) ([]token, error) {
	var toks []token
	depth := 0
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\n':
			l.line++
			l.pos++
		case c == ' ' || c == '\t' || c == '\r':
			l.pos++
		case strings.HasPrefix(l.src[l.pos:], "//"):
			end := strings.IndexByte(l.src[l.pos:], '\n')
			if end < 0 {
				end = len(l.src) - l.pos
			}
			l.pos += end
		case strings.HasPrefix(l.src[l.pos:], "/*"):
			end := strings.Index(l.src[l.pos+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment")
			}
			l.line += strings.Count(l.src[l.pos:l.pos+2+end], "\n")
			l.pos += end + 4
		case c == '\'' || c == '"':
			s, err := l.quoted(c)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokString, text: s, line: l.line})
		case c == '`':
			tk, err := l.template()
			if err != nil {
				return nil, err
			}
			toks = append(toks, tk)
		case c == '/' && startsRegexp(toks):
			if err := l.regexp(); err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokRegexp, line: l.line})
		case isNameStart(c):
			start := l.pos
			for l.pos < len(l.src) && isNamePart(l.src[l.pos]) {
				l.pos++
			}
			toks = append(toks, token{kind: tokName, text: l.src[start:l.pos], line: l.line})
		case c >= '0' && c <= '9':
			start := l.pos
			for l.pos < len(l.src) && (isNamePart(l.src[l.pos]) || l.src[l.pos] == '.') {
				l.pos++
			}
			toks = append(toks, token{kind: tokNumber, text: l.src[start:l.pos], line: l.line})
		default:
			if c == '{' {
				depth++
			}
			if c == '}' {
				if inTemplate && depth == 0 {
					l.pos++
					return toks, nil
				}
				depth--
			}
			p := string(c)
			for _, q := range punctuators {
				if strings.HasPrefix(l.src[l.pos:], q) {
					p = q
					break
				}
			}
			if c >= utf8.RuneSelf {
				_, size := utf8.DecodeRuneInString(l.src[l.pos:])
				p = l.src[l.pos : l.pos+size]
			}
			l.pos += len(p)
			toks = append(toks, token{kind: tokPunct, text: p, line: l.line})
		}
	}
	if inTemplate {
		return nil, fmt.Errorf("unterminated ${ in a template")
	}
	return toks, nil
}

func isNameStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNamePart(c byte) bool { return isNameStart(c) || (c >= '0' && c <= '9') }

func startsRegexp(toks []token) bool {
	if len(toks) == 0 {
		return true
	}
	last := toks[len(toks)-1]
	switch last.kind {
	case tokName:
		return regexpAfter[last.text]
	case tokPunct:
		return last.text != ")" && last.text != "]" && last.text != "}"
	}
	return false
}

// quoted reads a '…' or "…" string and decodes its escapes.
func (l *lexer) quoted(q byte) (string, error) {
	var b strings.Builder
	l.pos++
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == q:
			l.pos++
			return b.String(), nil
		case c == '\\':
			b.WriteString(l.escape())
		case c == '\n':
			return "", fmt.Errorf("newline in a string")
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return "", fmt.Errorf("unterminated string")
}

// escape decodes the escape at l.pos (a backslash) and moves past it.
func (l *lexer) escape() string {
	l.pos++
	if l.pos >= len(l.src) {
		return ""
	}
	c := l.src[l.pos]
	l.pos++
	switch c {
	case 'n', 'r', 't', 'b', 'f', 'v', '0':
		return " " // white space: no letter
	case '\n':
		l.line++
		return ""
	case 'u', 'x':
		digits := 2
		if c == 'u' {
			digits = 4
		}
		if c == 'u' && l.pos < len(l.src) && l.src[l.pos] == '{' {
			end := strings.IndexByte(l.src[l.pos:], '}')
			if end > 0 {
				n, _ := strconv.ParseUint(l.src[l.pos+1:l.pos+end], 16, 32)
				l.pos += end + 1
				return string(rune(n))
			}
		}
		if l.pos+digits <= len(l.src) {
			if n, err := strconv.ParseUint(l.src[l.pos:l.pos+digits], 16, 32); err == nil {
				l.pos += digits
				return string(rune(n))
			}
		}
	}
	return string(c)
}

// template reads a `…` template: its text parts and each ${…} lexed.
func (l *lexer) template() (token, error) {
	tk := token{kind: tokTemplate, line: l.line}
	var b strings.Builder
	l.pos++
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '`':
			l.pos++
			tk.parts = append(tk.parts, b.String())
			return tk, nil
		case c == '\\':
			b.WriteString(l.escape())
		case strings.HasPrefix(l.src[l.pos:], "${"):
			tk.parts = append(tk.parts, b.String())
			b.Reset()
			l.pos += 2
			expr, err := l.lex(true)
			if err != nil {
				return tk, err
			}
			tk.exprs = append(tk.exprs, expr)
		default:
			if c == '\n' {
				l.line++
			}
			b.WriteByte(c)
			l.pos++
		}
	}
	return tk, fmt.Errorf("unterminated template")
}

// regexp skips a regular expression literal and its flags.
func (l *lexer) regexp() error {
	inClass := false
	for l.pos++; l.pos < len(l.src); l.pos++ {
		switch c := l.src[l.pos]; {
		case c == '\\':
			l.pos++
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case c == '\n':
			return fmt.Errorf("newline in a regular expression")
		case c == '/' && !inClass:
			for l.pos++; l.pos < len(l.src) && isNamePart(l.src[l.pos]); l.pos++ {
			}
			return nil
		}
	}
	return fmt.Errorf("unterminated regular expression")
}
