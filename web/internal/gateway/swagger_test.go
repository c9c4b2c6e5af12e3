package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// swaggerUI imitates a service's gin-swagger UI: a page that loads its
// assets and its spec by relative URLs, and a redirect from /swagger/.
func swaggerUI(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/swagger/", "/swagger":
		http.Redirect(w, r, "/swagger/index.html", http.StatusFound)
	case "/swagger/index.html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<html><head><link rel="stylesheet" href="./swagger-ui.css"></head>`+
			`<body><script src="./swagger-ui-bundle.js"></script><script src="swagger-initializer.js"></script></body></html>`)
	case "/swagger/swagger-ui.css":
		w.Header().Set("Content-Type", "text/css")
		io.WriteString(w, "body{}")
	case "/swagger/swagger-ui-bundle.js", "/swagger/swagger-initializer.js":
		w.Header().Set("Content-Type", "application/javascript")
		io.WriteString(w, `window.ui = SwaggerUIBundle({url: "doc.json"})`)
	case "/swagger/doc.json":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `{"swagger":"2.0","info":{"title":"order","description":"Orders."},"basePath":"/",`+
			`"paths":{"/api/v1/orders":{"get":{"responses":{"200":{"description":"OK","schema":{"$ref":"#/definitions/x"}}}}},`+
			`"/api/v1/orders/{orderNo}/pay":{"post":{}},`+
			`"/api/v1/admin/orders":{"get":{"responses":{"200":{"description":"OK","schema":{"$ref":"#/definitions/adminOnly"}}}}},`+
			`"/images/{file}":{"get":{}}},"definitions":{"x":{"type":"object","properties":{"y":{"$ref":"#/definitions/y"}}},`+
			`"y":{"type":"string"},"adminOnly":{"type":"object"}}}`)
	default:
		http.NotFound(w, r)
	}
}

func TestSwaggerUIWorksUnderThePrefix(t *testing.T) {
	h := newHarness(t, nil, "")
	h.ups["order"].setRespond(swaggerUI)

	resp, page := h.do(t, req{path: "/swagger/order/index.html"})
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("index: %d %s", resp.StatusCode, page)
	}
	// Resolve each relative link the way a browser does and fetch it.
	base, _ := url.Parse(h.srv.URL + "/swagger/order/index.html")
	links := regexp.MustCompile(`(?:href|src)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	// The service's three, and the gateway's: its stylesheet for Swagger
	// UI, the way back to the shop and to /docs.
	if len(links) != 6 {
		t.Fatalf("found %d links in %s", len(links), page)
	}
	for _, want := range []string{`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`href="/css/swagger.css"`, `<a href="/#/" data-testid="swagger-back-to-shop">`, `<a href="/docs"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s: %s", want, page)
		}
	}
	for _, m := range links {
		ref, _ := url.Parse(m[1])
		abs := base.ResolveReference(ref)
		resp, body := h.do(t, req{path: abs.Path})
		if resp.StatusCode != 200 || body == "" {
			t.Errorf("%s (resolved %s): %d", m[1], abs.Path, resp.StatusCode)
		}
	}
	// The initializer's "doc.json" resolves next to the page as well.
	if resp, body := h.do(t, req{path: "/swagger/order/doc.json"}); resp.StatusCode != 200 || !strings.Contains(body, `"swagger":"2.0"`) {
		t.Errorf("doc.json: %d %s", resp.StatusCode, body)
	}
	for _, r := range h.ups["order"].requests() {
		if !strings.HasPrefix(r.Path, "/swagger/") {
			t.Errorf("upstream asked for %s", r.Path)
		}
	}
}

func TestSwaggerRedirectsKeepThePrefix(t *testing.T) {
	h := newHarness(t, nil, "")
	h.ups["cart"].setRespond(swaggerUI)
	for path, want := range map[string]string{
		"/swagger/cart/": "/swagger/cart/index.html", // the service's own redirect, rewritten
		"/swagger/cart":  "/swagger/cart/index.html", // the gateway's
	} {
		resp, _ := h.do(t, req{path: path})
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d Location %q, want 302 %s", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	for _, path := range []string{"/swagger/nope/index.html", "/swagger/nope", "/swagger/cart/../../api/v1/admin/carts/alice"} {
		if resp, _ := h.do(t, req{path: path}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestSwaggerSpecDescribesTheGateway(t *testing.T) {
	h := newHarness(t, nil, "")
	h.ups["order"].setRespond(swaggerUI)
	resp, body := h.do(t, req{path: "/swagger/order/doc.json"})
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if cl, _ := strconv.Atoi(resp.Header.Get("Content-Length")); cl != len(body) {
		t.Errorf("Content-Length %d, body %d bytes", cl, len(body))
	}
	var doc struct {
		BasePath    string                     `json:"basePath"`
		Paths       map[string]json.RawMessage `json:"paths"`
		Definitions map[string]json.RawMessage `json:"definitions"`
		Info        struct{ Description string }
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	want := []string{"/order/orders", "/order/orders/{orderNo}/pay", "/session"}
	if doc.BasePath != "/api" || !slices.Equal(paths, want) {
		t.Errorf("basePath %q paths %v, want /api with %v (no admin route, nothing outside /api/v1)", doc.BasePath, paths, want)
	}
	if doc.Definitions["x"] == nil || doc.Definitions["y"] == nil || !strings.HasPrefix(doc.Info.Description, "**Served through the RocketMart gateway**") || !strings.HasSuffix(doc.Info.Description, ": Orders.") {
		t.Errorf("definitions/info not kept: %s", body)
	}
	if doc.Definitions["adminOnly"] != nil {
		t.Errorf("a definition only the left-out admin route uses is still listed")
	}
	// The commands shown name the gateway as the browser reached it.
	if !strings.Contains(doc.Info.Description, "curl -c rm.jar") || !strings.Contains(doc.Info.Description, h.srv.URL+"/api/session") {
		t.Errorf("the description does not show the sign-in with curl against %s: %s", h.srv.URL, doc.Info.Description)
	}
}

func TestOrigin(t *testing.T) {
	for host, want := range map[string]string{
		"127.0.0.1:8080":        "http://127.0.0.1:8080",
		"shop.example:443":      "http://shop.example:443",
		"[::1]:8080":            "http://[::1]:8080",
		"evil.example/<script>": "http://127.0.0.1:8080",
		"":                      "http://127.0.0.1:8080",
	} {
		if got := origin(&http.Request{Host: host}); got != want {
			t.Errorf("origin(Host %q) = %q, want %q", host, got, want)
		}
	}
}
