package main

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-openapi/spec"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// An error code is UPPER_SNAKE. A bad value of a field is INVALID_<FIELD>
// (never BAD_<FIELD> or <FIELD>_INVALID), a missing one <FIELD>_REQUIRED
// (never MISSING_<FIELD>), and each code has one HTTP status wherever it is
// answered. contracts holds the codes services agree on, apperr the ones the
// platform answers with; a service names its own where it matches or reuses
// them.

// pendingRenames are code literals in files another change owns for now:
// each entry is "path: CODE" → the code it becomes. The test fails on any
// entry that no longer matches, so the list cannot outlive the rename.
var pendingRenames = map[string]string{}

// TestErrorCodes reads every error code in the API documents (the codes
// named in each error response's description and example, and the error
// shape's example)
// and in the Go sources of the services and the gateway (see sourceCodes),
// and fails, naming each place, on a code outside the scheme, a code with
// two statuses, or two spellings of one idea.
func TestErrorCodes(t *testing.T) {
	var uses []codeUse
	for _, svc := range contracts.ServiceNames() {
		uses = append(uses, docCodes(svc, loadSpec(t, svc).Spec())...)
	}
	src, err := sourceCodes("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(src) < 50 {
		t.Fatalf("found %d codes in the Go sources; the collector is broken", len(src))
	}
	uses = append(uses, src...)
	for _, problem := range codeProblems(uses, pendingRenames) {
		t.Error(problem)
	}
}

var upperSnake = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)

// docCodes lists the codes one API document names: those in the description
// and the example of each error response (with that response's status) and
// the examples and enums of the error shape's code.
func docCodes(svc string, sw *spec.Swagger) []codeUse {
	file := "api-docs/" + svc + "/swagger.json"
	var uses []codeUse
	for _, op := range operations(sw) {
		if op.Responses == nil {
			continue
		}
		for _, status := range slices.Sorted(maps.Keys(op.Responses.StatusCodeResponses)) {
			resp := op.Responses.StatusCodeResponses[status]
			if resp.Schema == nil || resp.Schema.Ref.String() != errorSchema {
				continue
			}
			for _, code := range namedCodes(resp.Description) {
				uses = append(uses, codeUse{code, status, fmt.Sprintf("%s: %s %d", file, op, status)})
			}
			if code, _, err := exampleError(resp.Examples); err == nil {
				uses = append(uses, codeUse{code, status, fmt.Sprintf("%s: %s %d example", file, op, status)})
			}
		}
	}
	if detail, ok := sw.Definitions["httpserver.ErrorDetail"]; ok {
		code := detail.Properties["code"]
		values := code.Enum
		if code.Example != nil {
			values = append(values, code.Example)
		}
		for _, v := range values {
			if s, ok := v.(string); ok {
				uses = append(uses, codeUse{s, 0, file + ": httpserver.ErrorDetail.code"})
			}
		}
	}
	return uses
}

// idea names what a code says, so that two spellings of it meet:
// BAD_X, X_INVALID and INVALID_X are "invalid X"; MISSING_X and X_REQUIRED
// are "X required"; UNKNOWN_X and X_NOT_FOUND are "X not found".
func idea(code string) string {
	for _, r := range []struct{ prefix, suffix, idea string }{
		{"BAD_", "", "invalid "}, {"INVALID_", "", "invalid "}, {"", "_INVALID", "invalid "},
		{"MISSING_", "", "required "}, {"", "_REQUIRED", "required "},
		{"UNKNOWN_", "", "not found "}, {"", "_NOT_FOUND", "not found "},
	} {
		if r.prefix != "" && strings.HasPrefix(code, r.prefix) && len(code) > len(r.prefix) {
			return r.idea + strings.TrimPrefix(code, r.prefix)
		}
		if r.suffix != "" && strings.HasSuffix(code, r.suffix) && len(code) > len(r.suffix) {
			return r.idea + strings.TrimSuffix(code, r.suffix)
		}
	}
	return code
}

// schemeError says how code breaks the scheme, or "" if it follows it.
func schemeError(code string) string {
	switch {
	case !upperSnake.MatchString(code):
		return "is not UPPER_SNAKE"
	case strings.HasPrefix(code, "BAD_"):
		return "is not the scheme: write INVALID_" + strings.TrimPrefix(code, "BAD_")
	case strings.HasSuffix(code, "_INVALID"):
		return "is not the scheme: write INVALID_" + strings.TrimSuffix(code, "_INVALID")
	case strings.HasPrefix(code, "MISSING_"):
		return "is not the scheme: write " + strings.TrimPrefix(code, "MISSING_") + "_REQUIRED"
	}
	return ""
}

// codeProblems applies the three rules to uses. pending exempts a use from
// all three while its file is owned by another change.
func codeProblems(uses []codeUse, pending map[string]string) []string {
	var problems []string
	used := map[string]bool{}
	statuses := map[string]map[int][]string{} // code → status → places
	spellings := map[string]map[string][]string{}
	for _, u := range uses {
		file, _, _ := strings.Cut(u.where, ":")
		if key := file + ": " + u.code; pending[key] != "" {
			used[key] = true
			continue
		}
		if why := schemeError(u.code); why != "" {
			problems = append(problems, fmt.Sprintf("%s: %s %s", u.where, u.code, why))
		}
		if u.status != 0 {
			if statuses[u.code] == nil {
				statuses[u.code] = map[int][]string{}
			}
			statuses[u.code][u.status] = append(statuses[u.code][u.status], u.where)
		}
		id := idea(u.code)
		if spellings[id] == nil {
			spellings[id] = map[string][]string{}
		}
		spellings[id][u.code] = append(spellings[id][u.code], u.where)
	}
	for _, code := range slices.Sorted(maps.Keys(statuses)) {
		if byStatus := statuses[code]; len(byStatus) > 1 {
			var parts []string
			for _, status := range slices.Sorted(maps.Keys(byStatus)) {
				parts = append(parts, fmt.Sprintf("%d at %s", status, strings.Join(byStatus[status], ", ")))
			}
			problems = append(problems, fmt.Sprintf("%s has %d statuses: %s", code, len(byStatus), strings.Join(parts, "; ")))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(spellings)) {
		if byCode := spellings[id]; len(byCode) > 1 {
			var parts []string
			for _, code := range slices.Sorted(maps.Keys(byCode)) {
				parts = append(parts, fmt.Sprintf("%s at %s", code, strings.Join(byCode[code], ", ")))
			}
			problems = append(problems, fmt.Sprintf("%q is spelt %d ways: %s", id, len(byCode), strings.Join(parts, "; ")))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(pending)) {
		if !used[key] {
			problems = append(problems, fmt.Sprintf("pendingRenames: %s is gone (now %s?); remove the entry", key, pending[key]))
		}
	}
	return problems
}

// TestCodeProblems shows each rule failing on a made-up case.
func TestCodeProblems(t *testing.T) {
	tests := []struct {
		name string
		uses []codeUse
		want string
	}{
		{"outside the scheme", []codeUse{{"BAD_SKU", 400, "a.go:1"}}, "a.go:1: BAD_SKU is not the scheme: write INVALID_SKU"},
		{"suffix outside the scheme", []codeUse{{"SKU_INVALID", 400, "a.go:1"}}, "a.go:1: SKU_INVALID is not the scheme: write INVALID_SKU"},
		{"two statuses", []codeUse{{"UNKNOWN_USER", 401, "a.go:1"}, {"UNKNOWN_USER", 404, "b.go:2"}}, "UNKNOWN_USER has 2 statuses: 401 at a.go:1; 404 at b.go:2"},
		{"two spellings", []codeUse{{"UNKNOWN_CART", 404, "a.go:1"}, {"CART_NOT_FOUND", 404, "b.go:2"}}, `"not found CART" is spelt 2 ways: CART_NOT_FOUND at b.go:2; UNKNOWN_CART at a.go:1`},
		{"stale exemption", nil, "pendingRenames: x.go: BAD_X is gone (now INVALID_X?); remove the entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := codeProblems(tt.uses, map[string]string{"x.go: BAD_X": "INVALID_X"})
			if !slices.Contains(got, tt.want) {
				t.Errorf("codeProblems() = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
