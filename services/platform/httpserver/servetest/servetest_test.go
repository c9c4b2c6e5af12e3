package servetest

import (
	"net/http"
	"testing"
)

func TestDoAndWantError(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-User-ID") != "alice" {
			http.Error(w, "headers not passed", http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(`{"error":{"code":"ALREADY_PAID","message":"paid"}}`))
	})
	r := Do(h, http.MethodPost, "/pay", `{}`, "X-User-ID", "alice")
	if r.Status != http.StatusConflict || r.Header.Get("Content-Type") == "" || len(r.Body) == 0 {
		t.Fatalf("Do = %+v", r)
	}
	r.WantError(t, http.StatusConflict, "ALREADY_PAID")

	// A mismatch is reported.
	var fake testing.T
	r.WantError(&fake, http.StatusConflict, "OTHER")
	if !fake.Failed() {
		t.Error("WantError accepted the wrong code")
	}
}
