package program

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

type cfg struct{ addr string }

func TestStart(t *testing.T) {
	load := func(getenv func(string) string) (cfg, error) {
		if v := getenv("X_ADDR"); v == "bad" {
			return cfg{}, errors.Join(errors.New(`X_ADDR="bad": want host:port`), errors.New(`LOG_LEVEL="loud": want debug`))
		}
		return cfg{addr: getenv("X_ADDR")}, nil
	}
	tests := []struct {
		name     string
		env      string
		runErr   error
		wantCode int
		wantOut  []string // in stderr, in order
	}{
		{"runs and stops cleanly", ":1", nil, 0, nil},
		{"every configuration error, by variable", "bad", nil, 1, []string{"svc: configuration:", "  X_ADDR=", "  LOG_LEVEL="}},
		{"run fails", ":1", errors.New("listen: address in use"), 1, []string{"svc: listen: address in use"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			var ran cfg
			code := start(t.Context(), "svc", func(string) string { return tt.env }, &stderr, load,
				func(_ context.Context, c cfg) error { ran = c; return tt.runErr })
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			out := stderr.String()
			if tt.wantOut == nil && out != "" {
				t.Errorf("stderr %q, want nothing", out)
			}
			for _, w := range tt.wantOut {
				i := strings.Index(out, w)
				if i < 0 {
					t.Fatalf("stderr %q lacks %q", out, w)
				}
				out = out[i+len(w):]
			}
			if tt.env != "bad" && ran.addr != tt.env {
				t.Errorf("run got %+v, want the loaded config", ran)
			}
		})
	}
}
