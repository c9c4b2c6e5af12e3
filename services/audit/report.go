package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// WriteText prints the report for people: each invariant with pass/fail
// and its offending records, then the verdict.
func (r Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "RocketMart consistency audit at %s\n", r.CheckedAt.Format("2006-01-02 15:04:05Z07:00"))
	if r.Quiescent {
		fmt.Fprintf(w, "quiet after %.1fs: no undecided half messages, no consumer lag, no retries waiting\n", float64(r.WaitedMs)/1000)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	failed := 0
	for _, inv := range r.Invariants {
		mark := "PASS"
		switch {
		case inv.Skipped:
			mark = "SKIP"
		case !inv.Passed:
			mark = "FAIL"
			failed++
		}
		fmt.Fprintf(w, "%s  %d. %s (%d checked)\n", mark, inv.ID, inv.Title, inv.Checked)
		const shown = 20
		for i, v := range inv.Violations {
			if i == shown {
				fmt.Fprintf(w, "      … and %d more\n", len(inv.Violations)-shown)
				break
			}
			fmt.Fprintf(w, "      %s: %s\n", v.Subject, v.Detail)
		}
	}
	if failed == 0 {
		fmt.Fprintf(w, "RESULT: consistent (%d invariants hold)\n", len(r.Invariants))
	} else {
		fmt.Fprintf(w, "RESULT: INCONSISTENT (%d of %d invariants violated)\n", failed, len(r.Invariants))
	}
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
