package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// fixSwagger adjusts a Swagger UI response for the prefix: absolute
// redirects into /swagger/ get the service's prefix, and the OpenAPI
// document is rewritten to describe the gateway's routes (see rewriteSpec).
func (g *Gateway) fixSwagger(resp *http.Response, t *target) error {
	if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "/swagger/") {
		resp.Header.Set("Location", "/swagger/"+t.service+strings.TrimPrefix(loc, "/swagger"))
	}
	if !isSpec(t.path) || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" {
		return nil
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxSpec+1))
	closeErr := resp.Body.Close()
	if err != nil || closeErr != nil || len(raw) > maxSpec {
		return fmt.Errorf("gateway: read the %s OpenAPI document: %v %v", t.service, err, closeErr)
	}
	out, err := rewriteSpec(raw, t.service)
	if err != nil {
		g.log.Warn("gateway: OpenAPI document left as served", "service", t.service, "error", err)
		out = raw
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.ContentLength = int64(len(out))
	resp.Header.Set("Content-Length", strconv.Itoa(len(out)))
	return nil
}

// rewriteSpec turns a service's OpenAPI 2 document into one for the
// gateway, so "Try it out" in the proxied Swagger UI calls the gateway as
// the signed-in user: basePath becomes /api/<service>, paths lose their
// /api/v1 prefix, and operations the gateway does not proxy (admin routes,
// anything outside /api/v1) are left out. The service's own Swagger UI still
// documents everything.
func rewriteSpec(raw []byte, service string) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	var paths map[string]json.RawMessage
	if err := json.Unmarshal(doc["paths"], &paths); err != nil {
		return nil, fmt.Errorf("paths: %w", err)
	}
	kept := make(map[string]json.RawMessage, len(paths))
	for p, ops := range paths {
		rest, ok := strings.CutPrefix(p, "/api/v1/")
		if !ok || strings.HasPrefix(rest, "admin/") {
			continue
		}
		kept["/"+rest] = ops
	}
	var info map[string]any
	if err := json.Unmarshal(doc["info"], &info); err != nil {
		return nil, fmt.Errorf("info: %w", err)
	}
	desc, _ := info["description"].(string)
	info["description"] = strings.TrimSpace(desc + "\n\nServed through the RocketMart gateway: calls go to /api/" + service +
		"/... and act as the user signed in to the storefront (an X-User-ID typed here is ignored). " +
		"Admin endpoints are not reachable through the gateway.")
	set := func(key string, v any) error {
		b, err := json.Marshal(v)
		doc[key] = b
		return err
	}
	for key, v := range map[string]any{"paths": kept, "info": info, "basePath": "/api/" + service} {
		if err := set(key, v); err != nil {
			return nil, err
		}
	}
	delete(doc, "host")
	delete(doc, "schemes")
	return json.Marshal(doc)
}
