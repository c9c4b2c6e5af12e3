package main

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/go-openapi/spec"
)

// errorSchema is the one error shape every endpoint answers with
// (platform/httpserver.ErrorResponse, written only by httpserver.WriteError).
const errorSchema = "#/definitions/httpserver.ErrorResponse"

// docCode finds codes in a response description such as
// "OUT_OF_STOCK (details.short lists the SKUs) or CART_EMPTY".
var docCode = regexp.MustCompile(`(?:^|[\s,(;])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})(?:$|[\s,):;])`)

// namedCodes lists the codes a response description names, in order.
func namedCodes(description string) []string {
	var codes []string
	for _, m := range docCode.FindAllStringSubmatch(description, -1) {
		codes = append(codes, m[1])
	}
	return codes
}

// platformCode is the code the platform itself answers with status on an
// operation guarded by security (the names of its security requirements),
// whatever the handler does: httpserver.RequireUser (401 USER_REQUIRED),
// RequireAdmin (401 ADMIN_TOKEN_REQUIRED, 403 INVALID_ADMIN_TOKEN), the body
// limit (413 BODY_TOO_LARGE) and WriteError's 500 INTERNAL. "" if none.
func platformCode(security []string, status int) string {
	switch {
	case status == http.StatusInternalServerError:
		return "INTERNAL"
	case status == http.StatusRequestEntityTooLarge:
		return "BODY_TOO_LARGE"
	case status == http.StatusUnauthorized && slices.Contains(security, "UserID"):
		return "USER_REQUIRED"
	case status == http.StatusUnauthorized && slices.Contains(security, "AdminToken"):
		return "ADMIN_TOKEN_REQUIRED"
	case status == http.StatusForbidden && slices.Contains(security, "AdminToken"):
		return "INVALID_ADMIN_TOKEN"
	}
	return ""
}

// securityNames flattens an operation's security requirements.
func securityNames(op *spec.Operation) []string {
	var names []string
	for _, req := range op.Security {
		names = append(names, slices.Sorted(maps.Keys(req))...)
	}
	return names
}

// exampleCode picks the code an error response's example shows: the first
// code its description names that the Go sources answer with that status,
// or else the platform's own code for the status (platformCode). answered
// reports whether the service answers code with status (serviceAnswers).
func exampleCode(op *spec.Operation, status int, description string, answered func(code string, status int) bool) (string, bool) {
	for _, code := range namedCodes(description) {
		if answered(code, status) {
			return code, true
		}
	}
	if code := platformCode(securityNames(op), status); code != "" && answered(code, status) {
		return code, true
	}
	return "", false
}

// errorExample is the body of an error response: the shared shape.
func errorExample(code, message string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": message}}
}

// exampleMessage is what the example of code says: a message the sources
// write beside it (svc's own first, then the platform's, then any), or the
// text the description gives it ("CODE: text"), or the status's name.
func exampleMessage(svc, code string, status int, description string, messages map[codeStatus][]message) string {
	msgs := messages[codeStatus{code, status}]
	for _, prefix := range []string{"services/" + svc + "/", "services/platform/", ""} {
		for _, m := range msgs {
			if strings.HasPrefix(m.where, prefix) {
				return m.text
			}
		}
	}
	if _, rest, ok := strings.Cut(description, code+": "); ok {
		rest, _, _ = strings.Cut(rest, ";")
		return strings.TrimSpace(rest)
	}
	return strings.ToLower(http.StatusText(status))
}

// serviceAnswers returns whether svc answers code with status: whether the
// sources of svc or of the platform it is built on (which answers for every
// service: identity, body limits, 500s, the fault and journal routes) write
// code with that status, or, for a 4xx, whether a service svc calls writes
// it (platform/svcclient hands a callee's 4xx on with its code: order
// answers inventory's 404 UNKNOWN_SKU and payment's 402 INSUFFICIENT_FUNDS).
func serviceAnswers(svc string, callees []string, uses []codeUse) func(code string, status int) bool {
	answered := map[codeStatus]bool{}
	for _, u := range uses {
		if u.status == 0 {
			continue
		}
		own := strings.HasPrefix(u.where, "services/"+svc+"/") || strings.HasPrefix(u.where, "services/platform/")
		relayed := u.status < http.StatusInternalServerError && slices.ContainsFunc(callees, func(callee string) bool {
			return strings.HasPrefix(u.where, "services/"+callee+"/")
		})
		if own || relayed {
			answered[codeStatus{u.code, u.status}] = true
		}
	}
	return func(code string, status int) bool { return answered[codeStatus{code, status}] }
}

// callees lists the services among services whose URL svc's configuration
// reads (services/<svc>/config.go names "<SERVICE>_URL"): the ones it calls.
func callees(root, svc string, services []string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(root, "services", svc, "config.go"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, other := range services {
		if other != svc && bytes.Contains(b, []byte(`"`+strings.ToUpper(other)+`_URL"`)) {
			out = append(out, other)
		}
	}
	return out, nil
}

// addErrorExamples gives every error response of svc's document sw (svc
// calls the services calls) an example
// ("examples": {"application/json": …}) in the shared error shape whose code
// is one the operation answers with that status. Without them Swagger UI
// shows the error shape's own example, one code for every status. A
// response for which no code can be found is an error naming it: write the
// code into its @Failure description.
func addErrorExamples(svc string, calls []string, sw *spec.Swagger, src *collector) error {
	isAnswered := serviceAnswers(svc, calls, src.uses)
	var missing []string
	for _, path := range slices.Sorted(maps.Keys(sw.Paths.Paths)) {
		item := sw.Paths.Paths[path]
		for _, mo := range []struct {
			method string
			op     *spec.Operation
		}{{"GET", item.Get}, {"PUT", item.Put}, {"POST", item.Post}, {"DELETE", item.Delete}, {"PATCH", item.Patch}} {
			if mo.op == nil || mo.op.Responses == nil {
				continue
			}
			for status, resp := range mo.op.Responses.StatusCodeResponses {
				if status < http.StatusBadRequest || resp.Schema == nil || resp.Schema.Ref.String() != errorSchema {
					continue
				}
				code, ok := exampleCode(mo.op, status, resp.Description, isAnswered)
				if !ok {
					missing = append(missing, fmt.Sprintf("%s %s %d %q", mo.method, path, status, resp.Description))
					continue
				}
				resp.Examples = map[string]any{
					"application/json": errorExample(code, exampleMessage(svc, code, status, resp.Description, src.messages)),
				}
				mo.op.Responses.StatusCodeResponses[status] = resp
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("no error code the sources answer with that status is named in these responses "+
			"(write it into the @Failure description): %s", strings.Join(missing, "; "))
	}
	return nil
}
