package svcclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

func TestCall(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		json.NewDecoder(r.Body).Decode(&in)
		in["user"] = r.Header.Get(httpserver.HeaderUserID)
		in["token"] = r.Header.Get(httpserver.HeaderAdminToken)
		json.NewEncoder(w).Encode(in)
	})
	mux.HandleFunc("GET /short", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(`{"error":{"code":"OUT_OF_STOCK","message":"short","details":{"sku":"A"}}}`))
	})
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"error":{"code":"INTERNAL","message":"internal error"}}`))
	})
	mux.HandleFunc("GET /html", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`<html>nope</html>`))
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := svcclient.New(srv.URL+"/", "tok", 200*time.Millisecond)
	ctx := context.Background()

	var out map[string]any
	if err := c.Call(ctx, http.MethodPost, "/echo", "alice", map[string]any{"n": 1}, &out); err != nil {
		t.Fatal(err)
	}
	if out["n"] != 1.0 || out["user"] != "alice" || out["token"] != "tok" {
		t.Errorf("echo = %v", out)
	}

	err := c.Call(ctx, http.MethodGet, "/short", "", nil, nil)
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Conflict || e.Code != "OUT_OF_STOCK" || e.Details["sku"] != "A" {
		t.Errorf("409: %#v", err)
	}
	if svcclient.IsUnavailable(err) {
		t.Error("a 409 is not unavailability")
	}

	for _, path := range []string{"/boom", "/html", "/slow"} {
		err := c.Call(ctx, http.MethodGet, path, "", nil, nil)
		if !svcclient.IsUnavailable(err) || apperr.KindOf(err) != apperr.Unavailable {
			t.Errorf("%s: %v, want Unavailable", path, err)
		}
	}

	down := svcclient.New("http://127.0.0.1:1", "", time.Second)
	if err := down.Call(ctx, http.MethodGet, "/x", "", nil, nil); !svcclient.IsUnavailable(err) {
		t.Errorf("down: %v", err)
	}
	if errors.Is(err, context.Canceled) {
		t.Error("unexpected cancel")
	}
}

// An answer over the limit is an error that says so, not a cut-off JSON;
// WithMaxResponse raises the limit for one client.
func TestMaxResponse(t *testing.T) {
	big := `{"items":"` + strings.Repeat("x", svcclient.DefaultMaxResponse) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(big)) }))
	defer srv.Close()
	c := svcclient.New(srv.URL, "", time.Minute)
	var out struct{ Items string }
	err := c.Call(context.Background(), http.MethodGet, "/list", "", nil, &out)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("an answer over the limit: %v, want an error naming the limit", err)
	}
	if err := c.WithMaxResponse(int64(len(big))).Call(context.Background(), http.MethodGet, "/list", "", nil, &out); err != nil || len(out.Items) != svcclient.DefaultMaxResponse {
		t.Errorf("with the limit raised: %v, %d bytes", err, len(out.Items))
	}
}

// TestConcurrentCallsReuseConnections holds a burst of calls in the server
// until all have arrived, twice: the second burst must find the first's
// connections idle in the pool instead of dialling new ones (with
// http.DefaultTransport's two idle connections per host it dialled six).
func TestConcurrentCallsReuseConnections(t *testing.T) {
	const burst = 8
	arrived := make(chan struct{}, burst)
	release := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		w.Write([]byte(`{}`))
	}))
	var dialled atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dialled.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := svcclient.New(srv.URL, "", 5*time.Second)

	for round := 1; round <= 2; round++ {
		release = make(chan struct{})
		errs := make(chan error, burst)
		for range burst {
			go func() { errs <- c.Call(t.Context(), http.MethodGet, "/", "", nil, nil) }()
		}
		for range burst {
			<-arrived
		}
		close(release)
		for range burst {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if got := dialled.Load(); got != burst {
			t.Fatalf("after burst %d: %d connections dialled, want %d (the first burst's, reused)", round, got, burst)
		}
	}
}
