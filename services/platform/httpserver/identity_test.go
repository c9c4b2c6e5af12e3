package httpserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

func TestRequireUserAndAdmin(t *testing.T) {
	srv, _ := newServer(t, httpserver.Config{})
	known := func(id string) bool { return id == "alice" }
	srv.Router().GET("/me", httpserver.RequireUser(known), func(c *gin.Context) {
		c.String(http.StatusOK, httpserver.UserID(c))
	})
	srv.Router().GET("/admin", httpserver.RequireAdmin("s3cret"), func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	noToken := httpserver.New(httpserver.Config{}, nil)
	noToken.Router().GET("/admin", httpserver.RequireAdmin(""), func(c *gin.Context) { c.String(http.StatusOK, "ok") })

	tests := []struct {
		name     string
		h        http.Handler
		path     string
		header   []string
		status   int
		code     string
		wantBody string
	}{
		{"user ok", srv.Handler(), "/me", []string{httpserver.HeaderUserID, "alice"}, 200, "", "alice"},
		{"user missing", srv.Handler(), "/me", nil, 401, "USER_REQUIRED", ""},
		{"user unknown", srv.Handler(), "/me", []string{httpserver.HeaderUserID, "mallory"}, 401, "UNKNOWN_USER", ""},
		{"admin ok", srv.Handler(), "/admin", []string{httpserver.HeaderAdminToken, "s3cret"}, 200, "", "ok"},
		{"admin missing", srv.Handler(), "/admin", nil, 401, "ADMIN_TOKEN_REQUIRED", ""},
		{"admin wrong", srv.Handler(), "/admin", []string{httpserver.HeaderAdminToken, "s3cre"}, 403, "INVALID_ADMIN_TOKEN", ""},
		{"empty configured token admits nobody", noToken.Handler(), "/admin", []string{httpserver.HeaderAdminToken, "x"}, 403, "INVALID_ADMIN_TOKEN", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, tt.h, http.MethodGet, tt.path, nil, tt.header...)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d (%s)", rec.Code, tt.status, rec.Body)
			}
			if tt.code != "" {
				if got := decodeError(t, rec).Error.Code; got != tt.code {
					t.Errorf("code = %q, want %q", got, tt.code)
				}
				return
			}
			if got := rec.Body.String(); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
		})
	}
}

func TestMountSwagger(t *testing.T) {
	srv, _ := newServer(t, httpserver.Config{})
	spec := []byte(`{"swagger":"2.0","info":{"title":"t"}}`)
	srv.MountSwagger(spec)
	// A second server in the same process must not clash (swag's registry would panic).
	httpserver.New(httpserver.Config{}, nil).MountSwagger(spec)

	rec := do(t, srv.Handler(), http.MethodGet, "/swagger/doc.json", nil)
	if rec.Code != 200 || rec.Body.String() != string(spec) {
		t.Errorf("doc.json: %d %q", rec.Code, rec.Body)
	}
	rec = do(t, srv.Handler(), http.MethodGet, "/swagger/index.html", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "swagger-ui") {
		t.Errorf("index.html: %d %.200q", rec.Code, rec.Body)
	}
	rec = do(t, srv.Handler(), http.MethodGet, "/swagger/", nil)
	if rec.Code != 302 || rec.Header().Get("Location") != "/swagger/index.html" {
		t.Errorf("/swagger/: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}
