package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestProbe(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/readyz":
			w.Write([]byte(`{"status":"ok"}`))
		case "/down":
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"checks":{"broker":"dial tcp: connection refused"}}`))
		case "/moved":
			http.Redirect(w, r, "/readyz", http.StatusFound)
		case "/slow":
			<-release
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close: frees the slow handler

	tests := []struct {
		name    string
		url     string
		timeout time.Duration
		wantErr string // "" = healthy
	}{
		{"ready", srv.URL + "/readyz", time.Second, ""},
		{"not ready names the failing check", srv.URL + "/down", time.Second, "503 Service Unavailable: {\"checks\":{\"broker\""},
		{"redirect is not followed", srv.URL + "/moved", time.Second, "302 Found"},
		{"timeout", srv.URL + "/slow", 100 * time.Millisecond, "no answer in time"},
		{"refused", "http://127.0.0.1:1/readyz", time.Second, "GET http://127.0.0.1:1/readyz"},
		{"not a URL", "127.0.0.1:8081/readyz", time.Second, "not an http(s) URL"},
		{"no host", "http:///readyz", time.Second, "not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), tt.timeout)
			defer cancel()
			err := probe(ctx, tt.url)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("probe(%s) = %v, want healthy", tt.url, err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("probe(%s) = healthy, want an error containing %q", tt.url, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("probe(%s) = %v, want it to contain %q", tt.url, err, tt.wantErr)
			}
		})
	}
}
