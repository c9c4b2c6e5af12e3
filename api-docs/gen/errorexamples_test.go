package main

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/go-openapi/spec"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// TestErrorExamplesMatchTheOperation reads every error response of the
// committed documents and requires an example in the shared error shape
// whose code the operation can return with that status: a code its
// description names, or the platform's own code for that status on an
// operation with that security (platformCode), and, either way, one the Go
// sources of the service (or of the platform, or of a service it calls, for
// a 4xx it hands on) write with exactly that status. Without per-response
// examples Swagger UI shows the error shape's own example, OUT_OF_STOCK,
// under every status.
func TestErrorExamplesMatchTheOperation(t *testing.T) {
	src, err := readSources("../..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, svc := range contracts.ServiceNames() {
		t.Run(svc, func(t *testing.T) {
			calls, err := callees("../..", svc, contracts.ServiceNames())
			if err != nil {
				t.Fatal(err)
			}
			answers := serviceAnswers(svc, calls, src.uses)
			for _, op := range operations(loadSpec(t, svc).Spec()) {
				for _, status := range slices.Sorted(maps.Keys(op.Responses.StatusCodeResponses)) {
					resp := op.Responses.StatusCodeResponses[status]
					if status < http.StatusBadRequest {
						continue
					}
					where := fmt.Sprintf("%s %s %d", svc, op, status)
					code, msg, err := exampleError(resp.Examples)
					if err != nil {
						t.Errorf("%s: %v", where, err)
						continue
					}
					checked++
					allowed := namedCodes(resp.Description)
					if pc := platformCode(securityNames(op.Operation), status); pc != "" {
						allowed = append(allowed, pc)
					}
					if !slices.Contains(allowed, code) {
						t.Errorf("%s: example code %s is not one the operation returns with %d (its description %q names %v)",
							where, code, status, resp.Description, allowed)
					}
					if !answers(code, status) {
						t.Errorf("%s: example code %s: no source of %s, the platform or a service it calls answers it with %d", where, code, svc, status)
					}
					if msg == "" {
						t.Errorf("%s: example %s has no message", where, code)
					}
				}
			}
		})
	}
	if checked < 200 {
		t.Errorf("checked %d error examples; the documents have about 290", checked)
	}
}

// exampleError returns the code and message of an error response's JSON
// example.
func exampleError(examples map[string]any) (code, message string, err error) {
	ex, ok := examples["application/json"].(map[string]any)
	if !ok {
		return "", "", fmt.Errorf("no application/json example (Swagger UI would show the error shape's own, one code for every status)")
	}
	body, ok := ex["error"].(map[string]any)
	if !ok {
		return "", "", fmt.Errorf("example %v is not the shared error shape", ex)
	}
	code, _ = body["code"].(string)
	message, _ = body["message"].(string)
	if code == "" {
		return "", "", fmt.Errorf("example %v has no code", ex)
	}
	return code, message, nil
}

// TestExampleCode shows the choice on made-up responses: the first named
// code the service answers with that status, else the platform's code.
func TestExampleCode(t *testing.T) {
	answered := map[codeStatus]bool{{"ORDER_NOT_FOUND", 404}: true, {"OUT_OF_STOCK", 409}: true,
		{"USER_REQUIRED", 401}: true, {"INTERNAL", 500}: true}
	answers := func(code string, status int) bool { return answered[codeStatus{code, status}] }
	tests := []struct {
		name, description string
		security          []string
		status            int
		want              string
	}{
		{"named", "ORDER_NOT_FOUND", nil, 404, "ORDER_NOT_FOUND"},
		{"named with another status is skipped", "OUT_OF_STOCK or CART_EMPTY", nil, 404, ""},
		{"the platform's 401 for a user route", "missing or unknown X-User-ID", []string{"UserID"}, 401, "USER_REQUIRED"},
		{"no platform 401 without security", "missing", nil, 401, ""},
		{"500", "", nil, 500, "INTERNAL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := operationWithSecurity(tt.security)
			got, ok := exampleCode(op, tt.status, tt.description, answers)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("exampleCode() = %q, %v, want %q", got, ok, tt.want)
			}
		})
	}
}

func operationWithSecurity(names []string) *spec.Operation {
	op := new(spec.Operation)
	for _, n := range names {
		op.Security = append(op.Security, map[string][]string{n: {}})
	}
	return op
}
