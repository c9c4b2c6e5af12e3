package database

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	gormlogger "gorm.io/gorm/logger"
)

// slowQuery is the duration above which a statement is logged as a warning.
const slowQuery = 200 * time.Millisecond

// gormLogger sends gorm's logging to slog. Levels are the slog handler's
// business; gorm's own level only matters for db.Debug() (log everything)
// and Silent sessions.
type gormLogger struct {
	log   *slog.Logger
	level gormlogger.LogLevel
}

func newGormLogger(log *slog.Logger) gormLogger {
	return gormLogger{log: log, level: gormlogger.Warn}
}

// LogMode implements gormlogger.Interface.
func (l gormLogger) LogMode(level gormlogger.LogLevel) gormlogger.Interface {
	l.level = level
	return l
}

// Info implements gormlogger.Interface.
func (l gormLogger) Info(ctx context.Context, msg string, args ...any) {
	if l.level >= gormlogger.Info {
		l.log.InfoContext(ctx, fmt.Sprintf(msg, args...), "component", "gorm")
	}
}

// Warn implements gormlogger.Interface.
func (l gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	if l.level >= gormlogger.Warn {
		l.log.WarnContext(ctx, fmt.Sprintf(msg, args...), "component", "gorm")
	}
}

// Error implements gormlogger.Interface.
func (l gormLogger) Error(ctx context.Context, msg string, args ...any) {
	if l.level >= gormlogger.Error {
		l.log.ErrorContext(ctx, fmt.Sprintf(msg, args...), "component", "gorm")
	}
}

// Trace implements gormlogger.Interface; gorm calls it after every statement.
// "record not found" is an ordinary answer, and duplicate keys are how
// idempotent claims say "already done", so neither is logged above Debug;
// callers see and handle both as errors anyway.
func (l gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if l.level <= gormlogger.Silent {
		return
	}
	elapsed := time.Since(begin)
	level, msg := slog.LevelDebug, "sql"
	switch {
	case IsNotFound(err):
		return
	case IsDuplicate(err):
		msg = "sql duplicate key"
	case err != nil:
		level, msg = slog.LevelWarn, "sql failed"
	case elapsed > slowQuery:
		level, msg = slog.LevelWarn, "slow sql"
	case l.level >= gormlogger.Info:
		level = slog.LevelInfo
	}
	if !l.log.Enabled(ctx, level) {
		return // fc renders the SQL with its values: skip the work
	}
	sql, rows := fc()
	attrs := []any{"component", "gorm", "sql", sql, "rows", rows, "duration_ms", elapsed.Milliseconds()}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	l.log.Log(ctx, level, msg, attrs...)
}
