package program_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/platform/program"
)

// The logger names the service once per line, at the level asked, and is
// the default afterwards.
func TestLogger(t *testing.T) {
	old := slog.Default()
	t.Cleanup(func() { slog.SetDefault(old) })
	var out bytes.Buffer
	log := program.Logger("cart", &out, slog.LevelInfo)
	log.Debug("hidden")
	log.Info("shown")
	slog.Info("via default")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("logged %q, want two lines", out.String())
	}
	for _, l := range lines {
		if strings.Count(l, `"service":"cart"`) != 1 {
			t.Errorf("line %s does not name the service exactly once", l)
		}
	}
}

func TestCloseLogged(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&out, nil))
	program.CloseLogged(log, "database", func() error { return nil })
	if out.Len() != 0 {
		t.Errorf("a clean close logged %q", out.String())
	}
	program.CloseLogged(log, "database", func() error { return errors.New("disk gone") })
	if !strings.Contains(out.String(), `"msg":"close database"`) || !strings.Contains(out.String(), "disk gone") {
		t.Errorf("a failed close logged %q", out.String())
	}
}
