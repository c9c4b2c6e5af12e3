package database

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

func TestGormLoggerTrace(t *testing.T) {
	fast := time.Now
	slow := func() time.Time { return time.Now().Add(-time.Second) }
	tests := []struct {
		name  string
		begin func() time.Time
		err   error
		want  string // empty: nothing logged
	}{
		{"fast query is debug only", fast, nil, ""},
		{"slow query warns", slow, nil, `level=WARN msg="slow sql"`},
		{"record not found is silent", fast, gorm.ErrRecordNotFound, ""},
		{"duplicate key is debug only", fast, &mysql.MySQLError{Number: 1062, Message: "Duplicate entry"}, ""},
		{"other error warns", fast, errors.New("disk I/O error"), `level=WARN msg="sql failed"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := newGormLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
			l.Trace(context.Background(), tt.begin(), func() (string, int64) { return "SELECT 1", 1 }, tt.err)

			got := buf.String()
			if tt.want == "" && got != "" {
				t.Errorf("logged %q, want nothing", got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("logged %q, want it to contain %q", got, tt.want)
			}
			if tt.want != "" && !strings.Contains(got, "sql=\"SELECT 1\"") {
				t.Errorf("logged %q, want the statement", got)
			}
		})
	}
}
