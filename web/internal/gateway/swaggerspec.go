package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/go-openapi/spec"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/web/internal/session"
)

// The security schemes: the services' documents name their callers'
// headers; the gateway's names its session cookie instead.
const (
	serviceUserScheme  = "UserID"     // X-User-ID, which the gateway sets itself
	serviceAdminScheme = "AdminToken" // X-Admin-Token, which the gateway strips
	sessionScheme      = "Session"
)

// errorRef is the shared error shape in every service's document.
const errorRef = "#/definitions/httpserver.ErrorResponse"

// rewriteSpec turns a service's OpenAPI 2 document into one that describes
// what the gateway does with the same calls, so that "Try it out" in the
// proxied Swagger UI, and the curl command it shows, call the gateway:
//
//   - basePath /api: the service's /api/v1/<rest> becomes /<service>/<rest>,
//     and the gateway's own sign-in, /session, is added beside them;
//   - left out: what the gateway never passes on: anything outside /api/v1,
//     admin routes, and every operation that needs the admin token (the
//     service-to-service calls such as inventory's reservations and
//     payment's charges, which the gateway answers only with 401 because it
//     strips X-Admin-Token);
//   - X-User-ID is gone, as a parameter and as a security scheme: the
//     gateway sets it from the session cookie. Operations that need a
//     caller name the Session scheme (the Cookie header, rm_session=…) and
//     answer the gateway's own 401s; every operation may answer the
//     gateway's 503 when the service is down.
//
// origin ("http://127.0.0.1:8080") is the gateway as the browser reached
// it, for the sign-in commands in the description. The service's own
// Swagger UI, on its port, still documents everything as the service sees it.
func rewriteSpec(raw []byte, service, origin string) ([]byte, error) {
	var doc spec.Swagger
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if doc.Paths == nil {
		return nil, fmt.Errorf("no paths")
	}
	if doc.Info == nil {
		doc.Info = &spec.Info{}
	}
	kept := map[string]spec.PathItem{}
	for path, item := range doc.Paths.Paths {
		rest, ok := strings.CutPrefix(path, "/api/v1/")
		if !ok || strings.HasPrefix(rest, "admin/") {
			continue
		}
		segs := strings.Split(rest, "/")
		listed := false
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodPatch} {
			op := operationOf(&item, method)
			if *op == nil {
				continue
			}
			if needsAdmin(*op) {
				*op = nil
				continue
			}
			gatewayOperation(*op, service, isPublic(service, method, segs))
			listed = true
		}
		if listed {
			kept["/"+service+"/"+rest] = item
		}
	}
	for path, item := range sessionPaths() {
		kept[path] = item
	}
	doc.Paths.Paths = kept
	if err := pruneDefinitions(&doc); err != nil {
		return nil, err
	}
	doc.BasePath = "/api"
	doc.Host = ""
	doc.Schemes = nil
	doc.SecurityDefinitions = spec.SecurityDefinitions{sessionScheme: sessionSecurity(origin)}
	intro := gatewayIntro(service, origin)
	if own := strings.TrimSpace(doc.Info.Description); own != "" {
		intro += "\n\n**The " + service + " service** (as it describes itself on its own port): " + own
	}
	doc.Info.Description = intro
	return json.Marshal(&doc)
}

// definitionRef finds the $refs in a JSON document.
var definitionRef = regexp.MustCompile(`"#/definitions/([^"]+)"`)

// pruneDefinitions drops the definitions that only the left-out operations
// used: the Swagger UI would list them as models of operations that are
// not there.
func pruneDefinitions(doc *spec.Swagger) error {
	used := map[string]bool{}
	todo, err := json.Marshal(doc.Paths)
	if err != nil {
		return err
	}
	for len(todo) > 0 {
		var next []byte
		for _, m := range definitionRef.FindAllSubmatch(todo, -1) {
			name := string(m[1])
			if used[name] {
				continue
			}
			used[name] = true
			def, ok := doc.Definitions[name]
			if !ok {
				continue
			}
			b, err := json.Marshal(def)
			if err != nil {
				return err
			}
			next = append(next, b...)
		}
		todo = next
	}
	for name := range doc.Definitions {
		if !used[name] {
			delete(doc.Definitions, name)
		}
	}
	return nil
}

// operationOf returns the field of item that holds method's operation.
func operationOf(item *spec.PathItem, method string) **spec.Operation {
	switch method {
	case http.MethodGet:
		return &item.Get
	case http.MethodPut:
		return &item.Put
	case http.MethodPost:
		return &item.Post
	case http.MethodDelete:
		return &item.Delete
	default:
		return &item.Patch
	}
}

// needsAdmin reports whether op needs the admin token, which the gateway
// never passes on: through the gateway it can only answer 401.
func needsAdmin(op *spec.Operation) bool {
	for _, req := range op.Security {
		if _, ok := req[serviceAdminScheme]; ok {
			return true
		}
	}
	return slices.ContainsFunc(op.Parameters, func(p spec.Parameter) bool {
		return p.In == "header" && strings.EqualFold(p.Name, httpserver.HeaderAdminToken)
	})
}

// gatewayOperation rewrites op as the gateway answers it: no X-User-ID,
// the session instead (unless public: the catalogue), and the gateway's own
// errors.
func gatewayOperation(op *spec.Operation, service string, public bool) {
	op.Parameters = slices.DeleteFunc(op.Parameters, func(p spec.Parameter) bool {
		return p.In == "header" && strings.EqualFold(p.Name, httpserver.HeaderUserID)
	})
	op.Security = nil
	if op.Responses == nil {
		op.Responses = &spec.Responses{}
	}
	if op.Responses.StatusCodeResponses == nil {
		op.Responses.StatusCodeResponses = map[int]spec.Response{}
	}
	responses := op.Responses.StatusCodeResponses
	if public {
		// The catalogue is served without a session, and the service
		// needs no caller for it.
		delete(responses, http.StatusUnauthorized)
	} else {
		op.Security = []map[string][]string{{sessionScheme: {}}}
		responses[http.StatusUnauthorized] = errorResponse(
			"SIGN_IN_REQUIRED: no session cookie (sign in with POST /api/session); INVALID_SESSION or SESSION_EXPIRED: "+
				"the cookie is no longer valid (the answer clears it). The gateway answers these before calling the service.",
			"SIGN_IN_REQUIRED", "sign in to do this")
	}
	unavailable := "DEPENDENCY_UNAVAILABLE: the gateway could not reach the " + service + " service"
	if r, ok := responses[http.StatusServiceUnavailable]; ok {
		r.Description += "; or " + unavailable
		responses[http.StatusServiceUnavailable] = r
	} else {
		responses[http.StatusServiceUnavailable] = errorResponse(unavailable,
			"DEPENDENCY_UNAVAILABLE", "the "+service+" service did not answer; try again in a moment")
	}
}

// errorResponse is an error response in the shared shape with one example.
func errorResponse(description, code, message string) spec.Response {
	r := spec.NewResponse().WithDescription(description).WithSchema(spec.RefSchema(errorRef))
	r.Examples = map[string]any{"application/json": map[string]any{
		"error": map[string]any{"code": code, "message": message},
	}}
	return *r
}

// sessionSecurity is the Session scheme: the storefront's cookie, sent as a
// Cookie header. Swagger 2.0 has no cookie location; a header named Cookie
// makes the curl command Swagger UI shows carry it. (A browser never lets
// a page set that header, so in this page the browser's own cookie goes
// instead: sign in first.)
func sessionSecurity(origin string) *spec.SecurityScheme {
	s := spec.APIKeyAuth("Cookie", "header")
	s.Description = "The session cookie, as `" + session.CookieName + "=<value>`. Get one from the gateway's sign-in, " +
		"which answers with `Set-Cookie: " + session.CookieName + "=<value>; …`:\n\n" +
		"    curl -si -H 'Content-Type: application/json' -d '{\"userId\":\"alice\"}' " + origin + "/api/session | grep -i '^set-cookie'\n\n" +
		"Paste `" + session.CookieName + "=<value>` (up to the first `;`) here: the curl commands below then carry it " +
		"as `-H 'Cookie: …'`. Try it out in this page uses the browser's own cookie (sign in with POST /session below, " +
		"or in the shop), whatever is typed here."
	return s
}

// gatewayIntro is what the gateway's document says about itself.
func gatewayIntro(service, origin string) string {
	users := make([]string, 0, len(contracts.DemoUsers))
	for _, u := range contracts.DemoUsers {
		users = append(users, u.ID)
	}
	return "**Served through the RocketMart gateway** ([back to the shop](/) · [all API docs](/docs)). " +
		"Calls go to `/api/" + service + "/…` and act as the user of the session cookie `" + session.CookieName +
		"`; the gateway sets the services' `X-User-ID` from it and ignores any sent by the caller.\n\n" +
		"Sign in first (demo users: " + strings.Join(users, ", ") + "; no password):\n\n" +
		"- here: **POST /session** below (Try it out) signs this browser in, as does the shop's sign-in;\n" +
		"- with curl, keep the cookie in a jar and pass it on:\n\n" +
		"      curl -c rm.jar -H 'Content-Type: application/json' -d '{\"userId\":\"alice\"}' " + origin + "/api/session\n" +
		"      curl -b rm.jar " + origin + "/api/order/orders\n\n" +
		"  or put the cookie into **Authorize** (Session) and the curl commands shown here carry it.\n\n" +
		"Admin endpoints and the service-to-service ones that need `X-Admin-Token` are not reachable through the gateway " +
		"and are not listed: they are for the services and operators, on each service's own port " +
		"(its Swagger UI at `/swagger/index.html` there documents them, and the `X-User-ID` header the services trust)."
}

// sessionPaths documents the gateway's sign-in, /api/session.
func sessionPaths() map[string]spec.PathItem {
	users := make([]any, 0, len(contracts.DemoUsers))
	for _, u := range contracts.DemoUsers {
		users = append(users, u.ID)
	}
	request := new(spec.Schema).Typed("object", "").WithRequired("userId").
		SetProperty("userId", *spec.StringProperty().WithEnum(users...).WithExample("alice").
			WithDescription("a demo user"))
	answer := new(spec.Schema).Typed("object", "").
		SetProperty("userId", *spec.StringProperty().WithExample("alice")).
		SetProperty("name", *spec.StringProperty().WithExample("Alice Rich")).
		SetProperty("expiresAt", *spec.DateTimeProperty().WithExample("2026-11-21T21:04:05Z"))
	tags := []string{"session (the gateway's sign-in)"}
	signIn := spec.NewOperation("gatewaySignIn").WithSummary("Sign in as a demo user").
		WithDescription("Answers with `Set-Cookie: "+session.CookieName+"=…` (HttpOnly, 12 hours), the session every "+
			"other call here needs except the catalogue. A browser keeps it; curl keeps it with `-c rm.jar` and sends it "+
			"with `-b rm.jar`. There is no password: the demo users are public.").
		WithTags(tags...).WithConsumes("application/json").WithProduces("application/json").
		AddParam(spec.BodyParam("body", request).WithDescription("who signs in").AsRequired()).
		RespondsWith(http.StatusOK, spec.NewResponse().WithDescription("signed in; the cookie is set").WithSchema(answer)).
		RespondsWith(http.StatusBadRequest, ptr(errorResponse("INVALID_JSON or VALIDATION (details.field: userId)",
			"VALIDATION", "userId is required"))).
		RespondsWith(http.StatusUnauthorized, ptr(errorResponse("UNKNOWN_USER: not a demo user",
			"UNKNOWN_USER", "there is no demo user mallory")))
	who := spec.NewOperation("gatewaySession").WithSummary("Who is signed in").
		WithTags(tags...).WithProduces("application/json").
		RespondsWith(http.StatusOK, spec.NewResponse().WithDescription("the session's user").WithSchema(answer)).
		RespondsWith(http.StatusUnauthorized, ptr(errorResponse("SIGN_IN_REQUIRED, INVALID_SESSION or SESSION_EXPIRED",
			"SIGN_IN_REQUIRED", "sign in to do this")))
	signOut := spec.NewOperation("gatewaySignOut").WithSummary("Sign out (clears the cookie)").
		WithTags(tags...).WithProduces("application/json").
		RespondsWith(http.StatusNoContent, spec.NewResponse().WithDescription("signed out"))
	who.Security = []map[string][]string{{sessionScheme: {}}}
	item := spec.PathItem{}
	item.Post, item.Get, item.Delete = signIn, who, signOut
	return map[string]spec.PathItem{"/session": item}
}

func ptr[T any](v T) *T { return &v }
