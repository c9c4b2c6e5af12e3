package launcher

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Labs are the workshops' exercises, graded against the running shop. A
// labs package implements it and plugs it in with Options.Labs or, when it
// needs the running shop, Shop.SetLabs; the control API serves it under
// /api/v1/labs.
type Labs interface {
	// List describes every lab in lang, in the order a workshop takes them.
	List(lang Lang) []LabInfo
	// Grade checks one lab now, reporting in lang. A name List does not
	// give is ErrUnknownLab.
	Grade(ctx context.Context, name string, lang Lang) (LabReport, error)
}

// Lang is a language the labs speak: the value of the lab routes' lang
// query parameter, and of make lab's -lang.
type Lang string

// The languages, English first: it is the default.
const (
	English Lang = "en"
	Chinese Lang = "zh-CN" // Simplified Chinese
)

// Langs lists the accepted Lang values.
func Langs() []Lang { return []Lang{English, Chinese} }

// ParseLang reads a Lang, naming the accepted values when s is none of
// them. Empty is not a language: callers pick their own default.
func ParseLang(s string) (Lang, error) {
	for _, l := range Langs() {
		if s == string(l) {
			return l, nil
		}
	}
	return "", apperr.New(apperr.Invalid, CodeInvalidLang, "lang must be one of "+acceptedLangs()+"; got \""+s+"\"").
		With("field", "lang").With("accepted", Langs())
}

func acceptedLangs() string {
	names := make([]string, 0, len(Langs()))
	for _, l := range Langs() {
		names = append(names, string(l))
	}
	return strings.Join(names, ", ")
}

// langParam is a lab route's lang query parameter: English when absent.
func langParam(r *http.Request) (Lang, error) {
	q := r.URL.Query()
	if !q.Has("lang") {
		return English, nil
	}
	return ParseLang(q.Get("lang"))
}

// LabInfo describes one lab.
type LabInfo struct {
	Name    string `json:"name"`
	Title   string `json:"title"`
	Summary string `json:"summary,omitempty"`
	// Naive marks a naive twin, whose grade is expected to FAIL: that
	// failure is its lesson.
	Naive bool `json:"naive,omitempty"`
}

// LabReport is one grading: pass or fail, and why.
type LabReport struct {
	Lab     string   `json:"lab"`
	Passed  bool     `json:"passed"`
	Naive   bool     `json:"naive,omitempty"` // a naive twin: FAIL is what it exists to show
	Reasons []string `json:"reasons"`
}

// ErrUnknownLab is Labs.Grade's error for a lab it does not have.
var ErrUnknownLab = errors.New("no such lab")

// SetLabs plugs the labs in (nil takes them out again).
func (s *Shop) SetLabs(l Labs) {
	s.control.opMu.Lock()
	defer s.control.opMu.Unlock()
	s.control.labs = l
}

func (c *control) currentLabs() (Labs, error) {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	if c.labs == nil {
		return nil, apperr.New(apperr.NotFound, CodeLabsNotAvailable, "labs run on a shop started with make workshop (workshop timings); this one was started without -workshop")
	}
	return c.labs, nil
}

// listLabs is GET /api/v1/labs[?lang=en|zh-CN].
func (c *control) listLabs(w http.ResponseWriter, r *http.Request) error {
	lang, err := langParam(r)
	if err != nil {
		return err
	}
	labs, err := c.currentLabs()
	if err != nil {
		return err
	}
	list := labs.List(lang)
	if list == nil {
		list = []LabInfo{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"labs": list})
	return nil
}

// gradeLab is POST /api/v1/labs/{name}/grade[?lang=en|zh-CN]. Grading
// does not hold the busy lock: a lab may stop or crash programs itself.
func (c *control) gradeLab(w http.ResponseWriter, r *http.Request) error {
	lang, err := langParam(r)
	if err != nil {
		return err
	}
	labs, err := c.currentLabs()
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	rep, err := labs.Grade(r.Context(), name, lang)
	if errors.Is(err, ErrUnknownLab) {
		var names []string
		for _, l := range labs.List(lang) {
			names = append(names, l.Name)
		}
		return apperr.New(apperr.NotFound, CodeUnknownLab, "there is no lab called "+name).With("labs", names)
	}
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, apperr.CodeDependencyUnavailable, "grading "+name+" failed: "+err.Error(), err)
	}
	if rep.Reasons == nil {
		rep.Reasons = []string{}
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
