package servetest

import (
	"net/http"
	"testing"
)

// refuser answers 401 USER_REQUIRED without X-User-ID, else 400 BAD_JSON.
var refuser = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("X-User-ID") == "" {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":{"code":"USER_REQUIRED","message":"who?"}}`))
		return
	}
	w.WriteHeader(http.StatusBadRequest)
	w.Write([]byte(`{"error":{"code":"BAD_JSON","message":"` + r.Method + `"}}`))
})

func TestRunHostile(t *testing.T) {
	var defaulted, after int
	RunHostile(t, refuser, func(Hostile) []string {
		defaulted++
		return []string{"X-User-ID", "alice"}
	}, []Hostile{
		{Name: "defaults apply to nil headers", Method: http.MethodPost, Path: "/x", Body: `{`, Status: 400, Code: "BAD_JSON"},
		{Name: "method defaults to GET", Path: "/x", Status: 400, Code: "BAD_JSON"},
		{Name: "an empty slice sends no headers", Path: "/x", Headers: []string{}, Status: 401, Code: "USER_REQUIRED"},
	}, func(t *testing.T) { after++ })
	if defaulted != 2 || after != 3 {
		t.Errorf("defaults called %d times, afterEach %d; want 2 and 3", defaulted, after)
	}
}

func TestCheckHostileFailures(t *testing.T) {
	ok := Response{Status: 400, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"error":{"code":"BAD_JSON","message":"bad"}}`)}
	leaky := ok
	leaky.Body = []byte(`{"error":{"code":"BAD_JSON","message":"Error 1062: Duplicate entry for key 'uniq' in INSERT INTO charges"}}`)
	tests := []struct {
		name     string
		r        Response
		req      Hostile
		wantFail bool
	}{
		{"exact status and code", ok, Hostile{Status: 400, Code: "BAD_JSON"}, false},
		{"other status", ok, Hostile{Status: 404, Code: "BAD_JSON"}, true},
		{"other code", ok, Hostile{Status: 400, Code: "VALIDATION"}, true},
		{"database text in the body", leaky, Hostile{Status: 400, Code: "BAD_JSON"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fake testing.T
			checkHostile(&fake, tt.r, tt.req)
			if fake.Failed() != tt.wantFail {
				t.Errorf("failed = %v, want %v", fake.Failed(), tt.wantFail)
			}
		})
	}
}
