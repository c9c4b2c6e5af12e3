package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-openapi/spec"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// gatewaySpec rewrites the committed document of svc (api-docs/, what the
// service serves at /swagger/doc.json) as the gateway serves it.
func gatewaySpec(t *testing.T, svc string) (service, gateway *spec.Swagger) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "api-docs", svc, "swagger.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := rewriteSpec(raw, svc, "http://127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	service, gateway = new(spec.Swagger), new(spec.Swagger)
	if err := json.Unmarshal(raw, service); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, gateway); err != nil {
		t.Fatal(err)
	}
	return service, gateway
}

type specOp struct {
	method, path string
	op           *spec.Operation
}

func specOps(sw *spec.Swagger) []specOp {
	var ops []specOp
	for path, item := range sw.Paths.Paths {
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodPatch} {
			if op := *operationOf(&item, method); op != nil {
				ops = append(ops, specOp{method, path, op})
			}
		}
	}
	slices.SortFunc(ops, func(a, b specOp) int { return strings.Compare(a.path+" "+a.method, b.path+" "+b.method) })
	return ops
}

// TestGatewaySpecsDescribeTheGateway checks the gateway's version of every
// service's real document: no X-User-ID (nor X-Admin-Token) anywhere, the
// session cookie instead on every operation that needs a caller, with the
// gateway's own 401; no operation that needs the admin token (the gateway
// strips it, so they could only answer 401); the sign-in documented; and
// every error example's code one that the operation answers with that status
// through the gateway.
func TestGatewaySpecsDescribeTheGateway(t *testing.T) {
	for _, svc := range contracts.ServiceNames() {
		t.Run(svc, func(t *testing.T) {
			service, gw := gatewaySpec(t, svc)
			if gw.BasePath != "/api" {
				t.Errorf("basePath %q, want /api", gw.BasePath)
			}
			if len(gw.SecurityDefinitions) != 1 || gw.SecurityDefinitions[sessionScheme] == nil {
				t.Errorf("security definitions %v, want only %s", keys(gw.SecurityDefinitions), sessionScheme)
			} else if s := gw.SecurityDefinitions[sessionScheme]; s.Type != "apiKey" || s.In != "header" || s.Name != "Cookie" {
				t.Errorf("%s is %s in %s named %s, want an apiKey in the Cookie header", sessionScheme, s.Type, s.In, s.Name)
			}
			// Only the introduction, saying the gateway sets it, names X-User-ID.
			rest, err := json.Marshal(struct {
				Paths       *spec.Paths
				Definitions spec.Definitions
				Security    spec.SecurityDefinitions
			}{gw.Paths, gw.Definitions, gw.SecurityDefinitions})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(strings.ToLower(string(rest)), "x-user-id") {
				t.Errorf("the gateway's document speaks of X-User-ID outside its introduction")
			}
			ops := specOps(gw)
			if len(ops) < 4 {
				t.Fatalf("only %d operations", len(ops))
			}
			for _, o := range ops {
				where := o.method + " " + o.path
				rest, ok := strings.CutPrefix(o.path, "/"+svc+"/")
				if o.path != "/session" && (!ok || strings.HasPrefix(rest, "admin/")) {
					t.Errorf("%s: not a route the gateway passes on", where)
				}
				for _, p := range o.op.Parameters {
					if strings.EqualFold(p.Name, "X-User-ID") || strings.EqualFold(p.Name, "X-Admin-Token") {
						t.Errorf("%s: has the %s parameter %s, which the gateway ignores", where, p.In, p.Name)
					}
				}
				for _, req := range o.op.Security {
					for name := range req {
						if name != sessionScheme {
							t.Errorf("%s: security %s, which the gateway does not take", where, name)
						}
					}
				}
				public := o.path == "/session" && o.method != http.MethodGet ||
					ok && isPublic(svc, o.method, strings.Split(rest, "/"))
				if !public && (len(o.op.Security) != 1 || o.op.Security[0][sessionScheme] == nil || len(o.op.Security[0]) != 1) {
					t.Errorf("%s: needs a session but does not say so (security %v)", where, o.op.Security)
				}
				checkErrorExamples(t, where, o.op, public)
			}
			// What the service documents and the gateway leaves out: its
			// admin-token operations and its admin routes.
			var dropped int
			for _, o := range specOps(service) {
				rest, ok := strings.CutPrefix(o.path, "/api/v1/")
				if !ok {
					continue
				}
				_, listed := gw.Paths.Paths["/"+svc+"/"+rest]
				if listed && *operationOf(ptr(gw.Paths.Paths["/"+svc+"/"+rest]), o.method) == nil {
					listed = false
				}
				if admin := needsAdmin(o.op); admin == listed {
					t.Errorf("service %s %s: needs the admin token %v, listed by the gateway %v", o.method, o.path, admin, listed)
				} else if admin {
					dropped++
				}
			}
			if dropped == 0 {
				t.Errorf("the gateway left out none of the service's admin-token operations")
			}
		})
	}
}

// checkErrorExamples requires an example on every error response whose
// code the gateway's or the service's answer with that status can carry:
// one the description names (the services' descriptions name their codes),
// or the platform's 413 BODY_TOO_LARGE and 500 INTERNAL; and through the
// gateway, 401 only with the gateway's session codes.
func checkErrorExamples(t *testing.T, where string, op *spec.Operation, public bool) {
	t.Helper()
	for status, resp := range op.Responses.StatusCodeResponses {
		if status < http.StatusBadRequest {
			continue
		}
		code, err := exampleCode(resp)
		if err != nil {
			t.Errorf("%s %d: %v", where, status, err)
			continue
		}
		named := strings.Contains(resp.Description, code)
		platform := status == http.StatusInternalServerError && code == "INTERNAL" ||
			status == http.StatusRequestEntityTooLarge && code == "BODY_TOO_LARGE"
		if !named && !platform {
			t.Errorf("%s %d: example code %s is not among those the response names (%q)", where, status, code, resp.Description)
		}
		if status == http.StatusUnauthorized && !public && code != "SIGN_IN_REQUIRED" {
			t.Errorf("%s 401: example %s; through the gateway a missing session is SIGN_IN_REQUIRED", where, code)
		}
		if status == http.StatusUnauthorized && strings.Contains(resp.Description, "X-User-ID") {
			t.Errorf("%s 401: speaks of X-User-ID: %q", where, resp.Description)
		}
	}
}

func exampleCode(resp spec.Response) (string, error) {
	ex, _ := resp.Examples["application/json"].(map[string]any)
	body, _ := ex["error"].(map[string]any)
	code, _ := body["code"].(string)
	if code == "" {
		return "", fmt.Errorf("no example in the error shape: %v", resp.Examples)
	}
	return code, nil
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
