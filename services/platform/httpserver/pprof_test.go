package httpserver_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
)

// The profiles are there for the admin and for nobody else.
func TestPprofBehindTheAdminToken(t *testing.T) {
	srv := httpserver.New(httpserver.Config{ServiceName: "pprof-test"}, nil)
	srv.MountPprof("secret")
	h := srv.Handler()

	servetest.RunHostile(t, h, nil, []servetest.Hostile{
		{Name: "index without token", Path: "/debug/pprof/", Headers: []string{}, Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "heap with a wrong token", Path: "/debug/pprof/heap", Headers: []string{"X-Admin-Token", "guess"}, Status: 403, Code: "INVALID_ADMIN_TOKEN"},
		{Name: "CPU profile as a user", Path: "/debug/pprof/profile?seconds=1", Headers: []string{"X-User-ID", "alice"}, Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
	}, nil)

	admin := []string{"X-Admin-Token", "secret"}
	if r := servetest.Do(h, http.MethodGet, "/debug/pprof/", "", admin...); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "goroutine") {
		t.Errorf("index: %d %.200s", r.Status, r.Body)
	}
	if r := servetest.Do(h, http.MethodGet, "/debug/pprof/goroutine?debug=1", "", admin...); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "goroutine profile:") {
		t.Errorf("goroutine profile: %d %.200s", r.Status, r.Body)
	}
	// A CPU profile is a gzipped protocol buffer.
	if r := servetest.Do(h, http.MethodGet, "/debug/pprof/profile?seconds=1", "", admin...); r.Status != http.StatusOK || !bytes.HasPrefix(r.Body, []byte{0x1f, 0x8b}) {
		t.Errorf("CPU profile: %d, %d bytes", r.Status, len(r.Body))
	}
}
