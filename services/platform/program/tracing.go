package program

import (
	"fmt"

	"gorm.io/gorm"
	otelgorm "gorm.io/plugin/opentelemetry/tracing"
)

// traceSQL gives every statement db runs a client span (gorm's
// OpenTelemetry plugin, with the global provider that tracing.Start set), a
// child of the span in the statement's context (db.WithContext(ctx): the
// request's or the delivery's). The span holds the SQL without its values
// (addresses and amounts stay out of the trace viewer), the table and the
// operation. Open calls it only when tracing is on: the plugin's callbacks
// would run on every statement otherwise.
func traceSQL(db *gorm.DB) error {
	if err := db.Use(otelgorm.NewPlugin(otelgorm.WithoutQueryVariables(), otelgorm.WithoutMetrics())); err != nil {
		return fmt.Errorf("trace SQL statements: %w", err)
	}
	return nil
}
