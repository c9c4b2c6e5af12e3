package httpserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/tracing"
)

// HeaderRequestID carries the request id in both directions.
const HeaderRequestID = "X-Request-ID"

// maxRequestIDLen bounds a client-supplied id, which ends up in every log line.
const maxRequestIDLen = 128

type ctxKey int

const (
	requestIDKey ctxKey = iota
	loggerKey
	errorCodeKey // gin key: the error code WriteError sent, for the access log
)

// RequestID returns the request id the middleware put in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// Logger returns the request's logger, which adds the request id and service
// name to every line. Outside a request handled by a Server it returns
// slog.Default(), so a log line is never silently dropped.
func Logger(ctx context.Context) *slog.Logger {
	if log, ok := ctx.Value(loggerKey).(*slog.Logger); ok {
		return log
	}
	return slog.Default()
}

// requestID takes the caller's X-Request-ID (so one id follows a request
// from the gateway through every service) or makes one, echoes it, and puts
// it and a logger carrying it into the request context.
func (s *Server) requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(HeaderRequestID)
		if !validRequestID(id) {
			id = rand.Text()
		}
		c.Header(HeaderRequestID, id)
		ctx := context.WithValue(c.Request.Context(), requestIDKey, id)
		ctx = context.WithValue(ctx, loggerKey, s.log.With("request_id", id).With(tracing.TraceAttrs(ctx)...))
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// validRequestID accepts short printable ASCII without spaces, so a client
// cannot inject line breaks or megabytes into the logs.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '!' || id[i] > '~' {
			return false
		}
	}
	return true
}

// observe writes the access log line and the metrics once the request is
// done, including requests that panicked (recoverPanic runs inside it).
func (s *Server) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		elapsed := time.Since(start)

		status := c.Writer.Status()
		route := c.FullPath()
		if route == "" {
			route = unmatchedRoute
		}
		method := methodLabel(c.Request.Method)
		s.metrics.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
		s.metrics.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())

		attrs := []slog.Attr{
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.Int("bytes", c.Writer.Size()),
		}
		if code, ok := c.Get(errorCodeKey); ok {
			attrs = append(attrs, slog.Any("error_code", code))
		}
		level := slog.LevelInfo
		switch {
		case status >= http.StatusInternalServerError:
			level = slog.LevelError
		case isProbe(route) && status < http.StatusBadRequest:
			level = slog.LevelDebug // probes every few seconds would drown the log
		}
		Logger(c.Request.Context()).LogAttrs(c.Request.Context(), level, "http request", attrs...)
	}
}

func isProbe(route string) bool {
	return route == "/healthz" || route == "/readyz" || route == "/metrics"
}

// recoverPanic turns a handler panic into a logged stack trace and a plain
// 500: the process keeps serving and the client learns nothing internal.
func (s *Server) recoverPanic() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // net/http's documented way to abort a response silently
			}
			Logger(c.Request.Context()).Error("panic in handler",
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if c.Writer.Written() {
				c.Abort() // too late for an error body; the client sees a cut response
				return
			}
			writeInternal(c)
		}()
		c.Next()
	}
}

// limitBody rejects bodies over Config.BodyLimit: at once when the declared
// Content-Length is too big, otherwise when a reader crosses the limit
// (BindJSON and WriteError turn that into a 413).
func (s *Server) limitBody() gin.HandlerFunc {
	limit := s.cfg.BodyLimit
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			WriteError(c, tooLarge(limit, nil))
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}

func tooLarge(limit int64, cause error) *apperr.Error {
	return apperr.Wrap(apperr.TooLarge, apperr.CodeBodyTooLarge,
		fmt.Sprintf("request body exceeds %d bytes", limit), cause).With("limit_bytes", limit)
}

// WithLogAttrs returns ctx whose request logger (see Logger) adds attrs to
// every line, e.g. the order number a handler is working on.
func WithLogAttrs(ctx context.Context, attrs ...any) context.Context {
	return withLogAttrs(ctx, attrs...)
}

func withLogAttrs(ctx context.Context, attrs ...any) context.Context {
	return context.WithValue(ctx, loggerKey, Logger(ctx).With(attrs...))
}
