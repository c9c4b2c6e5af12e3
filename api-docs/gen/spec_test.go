package main

import (
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-openapi/loads"
	"github.com/go-openapi/spec"
	"github.com/go-openapi/strfmt"
	"github.com/go-openapi/validate"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// The committed documents are what every service serves at /swagger/doc.json,
// so these tests read them, not a fresh generation: TestDocsMatchCode already
// proves the two are the same.

// loadSpec reads and parses api-docs/<svc>/swagger.json.
func loadSpec(t *testing.T, svc string) *loads.Document {
	t.Helper()
	doc, err := loads.Spec(filepath.Join("..", svc, "swagger.json"))
	if err != nil {
		t.Fatalf("%s: %v", svc, err)
	}
	return doc
}

// operation is one method of one path of a document.
type operation struct {
	method, path string
	*spec.Operation
}

func (o operation) String() string { return strings.ToUpper(o.method) + " " + o.path }

// operations lists the document's operations in a stable order.
func operations(sw *spec.Swagger) []operation {
	var ops []operation
	for path, item := range sw.Paths.Paths {
		for method, op := range map[string]*spec.Operation{
			"get": item.Get, "put": item.Put, "post": item.Post, "delete": item.Delete,
			"options": item.Options, "head": item.Head, "patch": item.Patch,
		} {
			if op != nil {
				ops = append(ops, operation{method, path, op})
			}
		}
	}
	slices.SortFunc(ops, func(a, b operation) int { return strings.Compare(a.String(), b.String()) })
	return ops
}

// TestSpecsValidate runs go-openapi's Swagger 2.0 validator over every
// document: the document against the Swagger 2.0 JSON schema (which is what
// forbids swag's example(...) on non-body parameters: Swagger 2.0 has no such
// field, so the annotations use extensions(x-example=...), which Swagger UI
// reads), every $ref resolves, path parameters match the path templates,
// operation ids are unique, and every default and example value conforms to
// its schema (a date-time example must be RFC 3339). Warnings, such as a
// definition nothing refers to, fail the test too.
func TestSpecsValidate(t *testing.T) {
	for _, svc := range contracts.ServiceNames() {
		t.Run(svc, func(t *testing.T) {
			doc := loadSpec(t, svc)
			v := validate.NewSpecValidator(doc.Schema(), strfmt.Default)
			v.SetContinueOnErrors(true)
			errs, warns := v.Validate(doc)
			for _, err := range errs.Errors {
				t.Errorf("api-docs/%s/swagger.json is not valid Swagger 2.0: %v", svc, err)
			}
			for _, err := range warns.Errors {
				t.Errorf("api-docs/%s/swagger.json: validator warning: %v", svc, err)
			}
		})
	}
}

// TestSpecsMediaTypes checks what the validator cannot know: the services
// speak JSON. An operation with a body consumes application/json, and every
// operation produces application/json, if only for its errors.
func TestSpecsMediaTypes(t *testing.T) {
	const jsonType = "application/json"
	for _, svc := range contracts.ServiceNames() {
		t.Run(svc, func(t *testing.T) {
			sw := loadSpec(t, svc).Spec()
			for _, op := range operations(sw) {
				produces := op.Produces
				if produces == nil {
					produces = sw.Produces
				}
				if !slices.Contains(produces, jsonType) {
					t.Errorf("%s %s: produces %v, want %s (errors are JSON)", svc, op, produces, jsonType)
				}
				consumes := op.Consumes
				if consumes == nil {
					consumes = sw.Consumes
				}
				for _, p := range op.Parameters {
					if p.In == "body" && !slices.Contains(consumes, jsonType) {
						t.Errorf("%s %s: takes body %q but consumes %v, want %s", svc, op, p.Name, consumes, jsonType)
					}
				}
			}
		})
	}
}

// TestSpecsDocumentErrors requires every operation to document its errors,
// each in the shared httpserver.ErrorResponse shape:
//   - at least one 4xx: every route checks its caller (X-User-ID, the admin
//     token) or its input, or looks something up that may not exist. The one
//     route that takes nothing at all, the public catalogue
//     (GET /api/v1/products: no identity, no parameters, no body), is
//     listed in noClientErrors: it answers 200, or 500 when the store fails.
//   - a 500: every handler answers through httpserver.WriteError and the
//     panic recovery, which turn any unexpected failure (a database error, a
//     bug) into 500 INTERNAL, so every operation can return it.
//
// A "default" response is not accepted in place of these: it says nothing
// about which statuses a client must handle.
func TestSpecsDocumentErrors(t *testing.T) {
	noClientErrors := map[string]bool{"inventory GET /api/v1/products": true}
	for _, svc := range contracts.ServiceNames() {
		t.Run(svc, func(t *testing.T) {
			sw := loadSpec(t, svc).Spec()
			if _, ok := sw.Definitions[strings.TrimPrefix(errorSchema, "#/definitions/")]; !ok {
				t.Fatalf("%s: no definition %s", svc, errorSchema)
			}
			ops := operations(sw)
			if len(ops) == 0 {
				t.Fatalf("%s: the document has no operations", svc)
			}
			for _, op := range ops {
				if op.Responses == nil {
					t.Errorf("%s %s: no responses", svc, op)
					continue
				}
				if op.Responses.Default != nil {
					t.Errorf("%s %s: has a default response; document the statuses instead", svc, op)
				}
				var has4xx, has500 bool
				for code, resp := range op.Responses.StatusCodeResponses {
					if code < http.StatusBadRequest {
						continue
					}
					has4xx = has4xx || code < http.StatusInternalServerError
					has500 = has500 || code == http.StatusInternalServerError
					if resp.Schema == nil || resp.Schema.Ref.String() != errorSchema {
						t.Errorf("%s %s: %d response is not the shared error shape %s", svc, op, code, errorSchema)
					}
				}
				if !has4xx && !noClientErrors[svc+" "+op.String()] {
					t.Errorf("%s %s: documents no 4xx error (@Failure 4xx {object} httpserver.ErrorResponse)", svc, op)
				}
				if has4xx && noClientErrors[svc+" "+op.String()] {
					t.Errorf("%s %s: documents a 4xx now; remove it from noClientErrors", svc, op)
				}
				if !has500 {
					t.Errorf("%s %s: documents no 500 (@Failure 500 {object} httpserver.ErrorResponse)", svc, op)
				}
			}
		})
	}
}

// TestSpecsParametersHaveExamples requires every path, query and header
// parameter to show a value Swagger UI can prefill: an x-example (swag's
// extensions(x-example=...); Swagger 2.0 forbids "example" on these), an
// enum or a default. Each also needs a description.
func TestSpecsParametersHaveExamples(t *testing.T) {
	for _, svc := range contracts.ServiceNames() {
		t.Run(svc, func(t *testing.T) {
			sw := loadSpec(t, svc).Spec()
			for _, op := range operations(sw) {
				for _, p := range op.Parameters {
					if p.Description == "" {
						t.Errorf("%s %s: %s parameter %q has no description", svc, op, p.In, p.Name)
					}
					if p.In == "body" {
						continue // its schema is checked by TestSpecsHaveExamples
					}
					_, hasExample := p.Extensions.GetString("x-example")
					if !hasExample && len(p.Enum) == 0 && p.Default == nil {
						t.Errorf("%s %s: %s parameter %q has no x-example, enum or default", svc, op, p.In, p.Name)
					}
				}
			}
		})
	}
}

// TestSpecsDescribeTheCaller: each service's own document describes the
// headers the service trusts (the gateway's version replaces them with its
// session cookie, see web/internal/gateway): the UserID scheme is the
// X-User-ID header, AdminToken the X-Admin-Token header, and every
// operation names one of them, except the public catalogue.
func TestSpecsDescribeTheCaller(t *testing.T) {
	public := map[string]bool{
		"inventory GET /api/v1/products": true, "inventory GET /api/v1/products/{sku}": true,
		"inventory GET /images/{file}": true,
	}
	for _, svc := range contracts.ServiceNames() {
		t.Run(svc, func(t *testing.T) {
			sw := loadSpec(t, svc).Spec()
			for scheme, header := range map[string]string{"UserID": "X-User-ID", "AdminToken": "X-Admin-Token"} {
				s := sw.SecurityDefinitions[scheme]
				if s == nil || s.Type != "apiKey" || s.In != "header" || s.Name != header {
					t.Errorf("%s: security scheme %s is %+v, want the %s header", svc, scheme, s, header)
				}
			}
			for _, op := range operations(sw) {
				names := securityNames(op.Operation)
				switch {
				case public[svc+" "+op.String()] && len(names) > 0:
					t.Errorf("%s %s: public, but names %v; remove it from the public list", svc, op, names)
				case !public[svc+" "+op.String()] && len(names) != 1:
					t.Errorf("%s %s: names the callers %v, want one of UserID, AdminToken", svc, op, names)
				}
			}
		})
	}
}
