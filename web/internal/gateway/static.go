package gateway

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// contentTypes is the whole list of file types the storefront ships. The
// operating system's MIME table is not consulted: on some machines it maps
// .js to a type browsers refuse for ES modules.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".json": "application/json; charset=utf-8",
	".ico":  "image/x-icon",
	".txt":  "text/plain; charset=utf-8",
	".md":   "text/markdown; charset=utf-8", // the catalogues' glossary
}

// contentSecurityPolicy allows the storefront only its own scripts, styles,
// images and API: no inline script, nothing from other origins.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// asset is one embedded file, read once at start-up.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// assets are the storefront's files by path ("js/app.js").
type assets struct {
	files map[string]asset
}

// loadAssets reads every file of fsys. A file without a known content type
// fails start-up rather than being served with a guessed one.
func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string]asset{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := contentTypes[path.Ext(name)]
		if !ok {
			return fmt.Errorf("gateway: static file %s has no known content type", name)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		a.files[name] = asset{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("gateway: load static files: %w", err)
	}
	if _, ok := a.files["index.html"]; !ok {
		return nil, fmt.Errorf("gateway: the static files have no index.html")
	}
	return a, nil
}

// serve writes one asset. Files are not fingerprinted, so browsers must
// revalidate (cheap: the ETag answers 304) to see a new release at once.
func (a *assets) serve(c *gin.Context, name string) {
	f, ok := a.files[name]
	if !ok {
		notFound(c)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if strings.HasSuffix(name, ".html") {
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
	}
	http.ServeContent(c.Writer, c.Request, name, time.Time{}, bytes.NewReader(f.body))
}

// static serves the storefront for every path no route claims: the file
// when it exists, index.html for extension-less paths (so a deep link or a
// reload still opens the app), and the JSON 404 for API paths and missing
// files.
func (g *Gateway) static(c *gin.Context) {
	p := c.Request.URL.Path
	readOnly := c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead
	if !readOnly || p == "/api" || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/swagger/") || strings.HasPrefix(p, "/images/") {
		notFound(c)
		return
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	switch {
	case name == "":
		name = "index.html"
	case g.assets.has(name):
	case path.Ext(name) == "":
		name = "index.html"
	}
	g.assets.serve(c, name)
}

func (a *assets) has(name string) bool {
	_, ok := a.files[name]
	return ok
}
