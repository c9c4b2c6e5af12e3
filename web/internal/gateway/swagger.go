package gateway

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// maxSpec bounds the OpenAPI document the gateway rewrites.
const maxSpec = 8 << 20

// swaggerRoot sends /swagger/<service> to the UI's page.
func (g *Gateway) swaggerRoot(c *gin.Context) {
	svc := c.Param("service")
	if _, ok := g.proxies[svc]; !ok {
		notFound(c)
		return
	}
	c.Redirect(http.StatusFound, "/swagger/"+svc+"/index.html")
}

// proxySwagger maps /swagger/<service>/<rest> to <service>/swagger/<rest>.
// The services' Swagger UI pages load their assets and doc.json by relative
// URLs, so they work under the extra prefix unchanged.
func (g *Gateway) proxySwagger(c *gin.Context) {
	svc, rest := c.Param("service"), c.Param("rest")
	if _, ok := g.proxies[svc]; !ok {
		notFound(c)
		return
	}
	if rest != "/" {
		if _, ok := segments(rest); !ok {
			notFound(c)
			return
		}
	}
	g.forward(c, &target{service: svc, route: routeSwagger, path: "/swagger" + rest,
		rawPath: rawSuffix(c.Request.URL, "/swagger/"+svc, "/swagger")})
}

func isSpec(path string) bool { return strings.HasSuffix(path, "/doc.json") }

// isPage reports whether path is the Swagger UI's page.
func isPage(path string) bool { return path == "/swagger/index.html" }

// rewritten reports whether fixSwagger rewrites the body at path, which it
// must then receive unencoded.
func rewritten(path string) bool { return isSpec(path) || isPage(path) }

// fixSwagger adjusts a Swagger UI response for the prefix: absolute
// redirects into /swagger/ get the service's prefix, the OpenAPI document
// is rewritten to describe the gateway's routes (see rewriteSpec), and the
// page gets the shop's bar and phone layout (see decoratePage).
func (g *Gateway) fixSwagger(resp *http.Response, t *target) error {
	if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "/swagger/") {
		resp.Header.Set("Location", "/swagger/"+t.service+strings.TrimPrefix(loc, "/swagger"))
	}
	if !rewritten(t.path) || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" {
		return nil
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxSpec+1))
	closeErr := resp.Body.Close()
	if err != nil || closeErr != nil || len(raw) > maxSpec {
		return fmt.Errorf("gateway: read the %s Swagger %s: %v %v", t.service, t.path, err, closeErr)
	}
	var out []byte
	if isSpec(t.path) {
		out, err = rewriteSpec(raw, t.service, origin(t.gc.Request))
	} else {
		out, err = decoratePage(raw, t.service)
	}
	if err != nil {
		g.log.Warn("gateway: Swagger response left as served", "service", t.service, "path", t.path, "error", err)
		out = raw
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.ContentLength = int64(len(out))
	resp.Header.Set("Content-Length", strconv.Itoa(len(out)))
	return nil
}

// decoratePage adds to the service's Swagger UI page what the shop's pages
// have: a viewport for phones (gin-swagger's page has none, so a phone
// shows it at desktop width, unreadably small), the shop's stylesheet for
// Swagger UI (static/css/swagger.css: the layout at 390 px) and a bar
// linking back to the shop and to /docs.
func decoratePage(page []byte, service string) ([]byte, error) {
	const head, endHead, body = "<head>", "</head>", "<body>"
	s := string(page)
	if !strings.Contains(s, head) || !strings.Contains(s, endHead) || !strings.Contains(s, body) {
		return nil, fmt.Errorf("no %s, %s or %s in the page", head, endHead, body)
	}
	s = strings.Replace(s, head, head+"\n  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", 1)
	s = strings.Replace(s, endHead, "  <link rel=\"stylesheet\" href=\"/css/swagger.css\">\n"+endHead, 1)
	s = strings.Replace(s, body, body+"\n"+`<nav class="rm-docs-bar" aria-label="RocketMart" data-testid="swagger-bar">`+
		`<a href="/#/" data-testid="swagger-back-to-shop">&larr; Back to the shop</a>`+
		`<a href="/docs" data-testid="swagger-all-docs">All API docs</a>`+
		`<span>The `+html.EscapeString(service)+` API through the gateway: sign in first (POST /session below)</span></nav>`, 1)
	return []byte(s), nil
}

// origin is the gateway as the browser reached it, "http://127.0.0.1:8080",
// for the commands the document shows; a Host header with anything but a
// host name or address and a port gives the embedded run's address.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" || strings.IndexFunc(host, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".:-[]", c))
	}) >= 0 {
		host = "127.0.0.1:8080"
	}
	return scheme + "://" + host
}
