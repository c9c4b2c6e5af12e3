package gateway

import (
	"net/http"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rocketmart/rocketmart/web"
)

func TestStaticFilesAndContentTypes(t *testing.T) {
	h := newHarness(t, nil, "")
	for _, tc := range []struct {
		path, contentType, contains string
	}{
		{"/", "text/html; charset=utf-8", `<main id="main"`},
		{"/index.html", "text/html; charset=utf-8", `<main id="main"`},
		{"/js/app.js", "text/javascript; charset=utf-8", "import"},
		{"/js/views/order.js", "text/javascript; charset=utf-8", "effect-"},
		{"/css/app.css", "text/css; charset=utf-8", ":focus-visible"},
		{"/favicon.svg", "image/svg+xml", "<svg"},
		{"/docs", "text/html; charset=utf-8", `data-testid="swagger-order"`},
	} {
		resp, body := h.do(t, req{path: tc.path})
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.contentType || !strings.Contains(body, tc.contains) {
			t.Errorf("%s: %d %q, body has %q: %v", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.contains, strings.Contains(body, tc.contains))
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", tc.path)
		}
		if strings.HasPrefix(tc.contentType, "text/html") && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("%s: CSP %q", tc.path, resp.Header.Get("Content-Security-Policy"))
		}
	}
}

func TestIndexFallbackAndNotFound(t *testing.T) {
	h := newHarness(t, nil, "")
	resp, body := h.do(t, req{path: "/orders/RM-1"})
	if resp.StatusCode != 200 || !strings.Contains(body, `<main id="main"`) {
		t.Errorf("deep link: %d, want index.html", resp.StatusCode)
	}
	for _, r := range []req{
		{path: "/js/missing.js"},
		{path: "/api/nothing"},
		{path: "/api"},
		{method: "POST", path: "/somewhere"},
	} {
		resp, body := h.do(t, r)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", r.method, r.path, resp.StatusCode)
			continue
		}
		errorCode(t, body)
	}
}

func TestETagRevalidation(t *testing.T) {
	h := newHarness(t, nil, "")
	resp, _ := h.do(t, req{path: "/js/app.js"})
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q Cache-Control %q", etag, resp.Header.Get("Cache-Control"))
	}
	resp, _ = h.do(t, req{path: "/js/app.js", header: map[string]string{"If-None-Match": etag}})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", resp.StatusCode)
	}
}

// Every relative import of every module, and every asset index.html and
// docs.html name, must be an embedded file: a typo would break the page
// with nothing but a console error.
func TestStaticReferencesResolve(t *testing.T) {
	static, err := web.Static()
	if err != nil {
		t.Fatal(err)
	}
	a, err := loadAssets(static)
	if err != nil {
		t.Fatal(err)
	}
	imports := regexp.MustCompile(`(?m)^\s*(?:import|export)[^'"]*from\s+'(\.{1,2}/[^']+)'`)
	refs := regexp.MustCompile(`(?:href|src)="(/[^"#]*\.(?:js|css|svg))"`)
	checked := 0
	for name, f := range a.files {
		switch path.Ext(name) {
		case ".js":
			for _, m := range imports.FindAllStringSubmatch(string(f.body), -1) {
				target := path.Join(path.Dir(name), m[1])
				if !a.has(target) {
					t.Errorf("%s imports %s: no such file (%s)", name, m[1], target)
				}
				checked++
			}
		case ".html":
			for _, m := range refs.FindAllStringSubmatch(string(f.body), -1) {
				if !a.has(strings.TrimPrefix(m[1], "/")) {
					t.Errorf("%s refers to %s: no such file", name, m[1])
				}
				checked++
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d references checked: the patterns no longer match the files", checked)
	}
}

func TestUnknownFileTypeRefused(t *testing.T) {
	fsys := fstest.MapFS{"index.html": {Data: []byte("x")}, "data.bin": {Data: []byte{0}}}
	if _, err := loadAssets(fsys); err == nil || !strings.Contains(err.Error(), "data.bin") {
		t.Errorf("err = %v, want data.bin refused", err)
	}
	if _, err := loadAssets(fstest.MapFS{"app.js": {Data: []byte("x")}}); err == nil {
		t.Error("static files without index.html accepted")
	}
}
