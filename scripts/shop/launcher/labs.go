package launcher

import (
	"context"
	"errors"
	"net/http"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Labs are the workshops' exercises, graded against the running shop. A
// labs package implements it and plugs it in with Options.Labs or, when it
// needs the running shop, Shop.SetLabs; the control API serves it under
// /api/v1/labs.
type Labs interface {
	// List describes every lab, in the order a workshop takes them.
	List() []LabInfo
	// Grade checks one lab now. A name List does not give is ErrUnknownLab.
	Grade(ctx context.Context, name string) (LabReport, error)
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

// listLabs is GET /api/v1/labs.
func (c *control) listLabs(w http.ResponseWriter, _ *http.Request) error {
	labs, err := c.currentLabs()
	if err != nil {
		return err
	}
	list := labs.List()
	if list == nil {
		list = []LabInfo{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"labs": list})
	return nil
}

// gradeLab is POST /api/v1/labs/{name}/grade. Grading does not hold the
// busy lock: a lab may stop or crash programs itself.
func (c *control) gradeLab(w http.ResponseWriter, r *http.Request) error {
	labs, err := c.currentLabs()
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	rep, err := labs.Grade(r.Context(), name)
	if errors.Is(err, ErrUnknownLab) {
		var names []string
		for _, l := range labs.List() {
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
