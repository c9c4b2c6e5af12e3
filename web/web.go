// Package web holds the storefront's static files. They are embedded in the
// gateway binary, so the storefront needs no build step, no CDN and no files
// next to the program: it works offline and in a scratch container.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// Static returns the storefront's files rooted at static/ (index.html,
// docs.html, js/, css/).
func Static() (fs.FS, error) {
	return fs.Sub(static, "static")
}
