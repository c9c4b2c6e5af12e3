// Package errtext gives API errors' human messages in the browser's
// language. The services answer in English, with a stable English code
// (OUT_OF_STOCK); the gateway, which alone talks to browsers, puts the
// storefront's own translation of that code (the error.<CODE> messages of
// static/js/i18n/<lang>.js, the catalogues the pages use) in the message
// when the request's Accept-Language asks for a language it has. The code
// and the details never change, and a code without a translation keeps the
// service's English message.
package errtext

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Languages are the catalogues besides English, the services' own language.
var Languages = []string{"zh-CN"}

// Catalogue holds the error messages of every language but English: language → code → message.
type Catalogue struct {
	messages map[string]map[string]string
}

// Load reads the error.<CODE> messages of each of Languages from the
// storefront's files (js/i18n/<lang>.js).
func Load(static fs.FS) (*Catalogue, error) {
	c := &Catalogue{messages: map[string]map[string]string{}}
	for _, lang := range Languages {
		src, err := fs.ReadFile(static, "js/i18n/"+lang+".js")
		if err != nil {
			return nil, fmt.Errorf("errtext: %w", err)
		}
		msgs, err := parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("errtext: %s.js: %w", lang, err)
		}
		c.messages[lang] = msgs
	}
	return c, nil
}

// parse reads a catalogue module: comments, then "export default" and a
// JSON object. Only its error.<CODE> texts are kept.
func parse(src string) (map[string]string, error) {
	_, body, ok := strings.Cut(src, "export default")
	if !ok {
		return nil, fmt.Errorf("no export default")
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimSpace(body), ";")), &all); err != nil {
		return nil, err
	}
	msgs := map[string]string{}
	for k, raw := range all {
		code, ok := strings.CutPrefix(k, "error.")
		var text string
		if ok && json.Unmarshal(raw, &text) == nil {
			msgs[code] = text
		}
	}
	return msgs, nil
}

// Language returns the language of Languages an Accept-Language header
// prefers, or "" for English (the services' messages as they are): the tag
// with the highest q that is Chinese (any zh: the one Chinese catalogue is
// Simplified) or English decides.
func (c *Catalogue) Language(acceptLanguage string) string {
	type choice struct {
		tag string
		q   float64
	}
	var prefs []choice
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if tag = strings.ToLower(strings.TrimSpace(tag)); tag != "" && q > 0 {
			prefs = append(prefs, choice{tag, q})
		}
	}
	sort.SliceStable(prefs, func(i, j int) bool { return prefs[i].q > prefs[j].q })
	for _, p := range prefs {
		switch {
		case p.tag == "zh" || strings.HasPrefix(p.tag, "zh-"):
			return "zh-CN"
		case p.tag == "en" || strings.HasPrefix(p.tag, "en-"):
			return ""
		}
	}
	return ""
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// Message returns code's message in lang with its {name} placeholders
// filled from details, or ok=false when lang has no message for code or
// details lack a value it names (the English message stays then).
func (c *Catalogue) Message(lang, code string, details map[string]any) (string, bool) {
	text, ok := c.messages[lang][code]
	if !ok {
		return "", false
	}
	complete := true
	out := placeholder.ReplaceAllStringFunc(text, func(m string) string {
		v, found := details[m[1:len(m)-1]]
		switch v := v.(type) {
		case string:
			if found && v != "" {
				return v
			}
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		complete = false
		return m
	})
	return out, complete
}

// Translate rewrites an error body {"error":{"code","message","details"}}
// with the message in lang. Any other body, or a code without a message,
// comes back unchanged.
func (c *Catalogue) Translate(lang string, body []byte) []byte {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return body
	}
	var e map[string]json.RawMessage
	if json.Unmarshal(doc["error"], &e) != nil {
		return body
	}
	var code string
	var details map[string]any
	if json.Unmarshal(e["code"], &code) != nil {
		return body
	}
	if raw, ok := e["details"]; ok && json.Unmarshal(raw, &details) != nil {
		details = nil // not an object: no placeholder can be filled
	}
	msg, ok := c.Message(lang, code, details)
	if !ok {
		return body
	}
	var err error
	if e["message"], err = json.Marshal(msg); err != nil {
		return body
	}
	if doc["error"], err = json.Marshal(e); err != nil {
		return body
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}
