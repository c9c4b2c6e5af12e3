package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Lang is the language of the report's text form.
type Lang string

// The languages, English first: it is the default.
const (
	English Lang = "en"
	Chinese Lang = "zh-CN" // Simplified Chinese
)

// ParseLang reads a Lang ("en" or "zh-CN"), naming both when s is neither.
func ParseLang(s string) (Lang, error) {
	switch l := Lang(s); l {
	case English, Chinese:
		return l, nil
	}
	return "", fmt.Errorf("lang must be one of %s, %s; got %q", English, Chinese, s)
}

// LocaleLang is the language the locale asks for, for the command-line
// tools (make audit, make lab): the first of LC_ALL, LC_MESSAGES and LANG
// that is set decides (POSIX's order), and only a Simplified Chinese locale
// (zh_CN, zh_SG, zh_Hans…, or plain zh) gives Chinese; everything else, C
// and POSIX included, gives English.
func LocaleLang(getenv func(string) string) Lang {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		loc := getenv(v)
		if loc == "" {
			continue
		}
		loc, _, _ = strings.Cut(loc, ".") // zh_CN.UTF-8
		loc, _, _ = strings.Cut(loc, "@")
		switch strings.ReplaceAll(loc, "-", "_") {
		case "zh", "zh_CN", "zh_SG", "zh_Hans", "zh_Hans_CN", "zh_Hans_SG":
			return Chinese
		}
		return English
	}
	return English
}

// reportWords are WriteTextIn's own words in each language.
type reportWords struct {
	heading, quiet, note, pass, fail, skip, checked, more, consistent, inconsistent string
}

var wordsIn = map[Lang]reportWords{
	English: {
		heading: "RocketMart consistency audit at %s\n",
		quiet:   "quiet after %.1fs: no undecided half messages, no consumer lag, no retries waiting\n",
		note:    "note: %s\n",
		pass:    "PASS", fail: "FAIL", skip: "SKIP",
		checked:      "%s  %d. %s (%d checked)\n",
		more:         "      … and %d more\n",
		consistent:   "RESULT: consistent (%d invariants hold)\n",
		inconsistent: "RESULT: INCONSISTENT (%d of %d invariants violated)\n",
	},
	Chinese: {
		heading: "RocketMart 一致性审计，时间 %s\n",
		quiet:   "%.1f 秒后系统静止：没有未决的半消息，没有消费堆积，没有等待重试的消息\n",
		note:    "说明：%s\n",
		pass:    "通过", fail: "失败", skip: "跳过",
		checked:      "%s  %d. %s（检查了 %d 条）\n",
		more:         "      … 另有 %d 条\n",
		consistent:   "结果：一致（%d 条不变量全部成立）\n",
		inconsistent: "结果：不一致（%[2]d 条不变量中有 %[1]d 条被破坏）\n",
	},
}

// WriteText prints the report for people in English: each invariant with
// pass/fail and its offending records, then the verdict.
func (r Report) WriteText(w io.Writer) { r.WriteTextIn(w, English) }

// WriteTextIn prints the report for people in lang (English for an
// unknown one): the titles, subjects, details and notes in that language.
func (r Report) WriteTextIn(w io.Writer, lang Lang) {
	words, ok := wordsIn[lang]
	if !ok {
		lang, words = English, wordsIn[English]
	}
	zh := lang == Chinese
	fmt.Fprintf(w, words.heading, r.CheckedAt.Format("2006-01-02 15:04:05Z07:00"))
	if r.Quiescent {
		fmt.Fprintf(w, words.quiet, float64(r.WaitedMs)/1000)
	}
	notes := r.Notes
	if zh && len(r.NotesZh) == len(r.Notes) {
		notes = r.NotesZh
	}
	for _, n := range notes {
		fmt.Fprintf(w, words.note, n)
	}
	failed := 0
	for _, inv := range r.Invariants {
		mark := words.pass
		switch {
		case inv.Skipped:
			mark = words.skip
		case !inv.Passed:
			mark = words.fail
			failed++
		}
		fmt.Fprintf(w, words.checked, mark, inv.ID, pick(zh, inv.Title, inv.TitleZh), inv.Checked)
		const shown = 20
		for i, v := range inv.Violations {
			if i == shown {
				fmt.Fprintf(w, words.more, len(inv.Violations)-shown)
				break
			}
			if zh {
				fmt.Fprintf(w, "      %s：%s\n", pick(zh, v.Subject, v.SubjectZh), pick(zh, v.Detail, v.DetailZh))
			} else {
				fmt.Fprintf(w, "      %s: %s\n", v.Subject, v.Detail)
			}
		}
	}
	if failed == 0 {
		fmt.Fprintf(w, words.consistent, len(r.Invariants))
	} else {
		fmt.Fprintf(w, words.inconsistent, failed, len(r.Invariants))
	}
}

// pick is zhText when zh and it is set, else en (a report built by hand,
// or decoded from an older audit, may lack the Chinese).
func pick(zh bool, en, zhText string) string {
	if zh && zhText != "" {
		return zhText
	}
	return en
}

// Handler serves GET with the report as JSON: 200 whether or not the
// invariants hold (the body says), 503 when a service cannot be read.
func Handler(cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodGet {
			w.WriteHeader(http.StatusMethodNotAllowed)
			json.NewEncoder(w).Encode(errorBody("METHOD_NOT_ALLOWED", "use GET"))
			return
		}
		rep, err := Run(r.Context(), cfg)
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			json.NewEncoder(w).Encode(errorBody("AUDIT_UNAVAILABLE", "the audit could not read every service: "+err.Error()))
			return
		}
		json.NewEncoder(w).Encode(rep)
	})
}

func errorBody(code, msg string) map[string]any {
	return map[string]any{"error": map[string]string{"code": code, "message": msg}}
}
