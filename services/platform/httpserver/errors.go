package httpserver

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// ErrorResponse is the one error shape every RocketMart endpoint answers with:
// {"error":{"code":"OUT_OF_STOCK","message":"...","details":{...}}}.
// Handlers never build it; it is exported for the API docs.
type ErrorResponse struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the body of ErrorResponse.
type ErrorDetail struct {
	// Code is stable and machine-readable.
	Code string `json:"code" example:"OUT_OF_STOCK"`
	// Message is for people.
	Message string `json:"message" example:"not enough stock for 1 product"`
	// Details holds structured facts, such as the field that failed.
	Details map[string]any `json:"details,omitempty" swaggertype:"object"`
}

// Handle adapts a handler that returns an error, so handlers can end with
// `return err` and leave the response to WriteError.
func Handle(fn func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			WriteError(c, err)
		}
	}
}

// WriteError is the one place errors become HTTP responses. The status comes
// from the apperr kind (Kind.Status); an error without a kind is Internal.
// Internal errors answer only "internal error" and the request id, whatever
// the cause says (SQL text, addresses, stack), and the cause goes to the log.
// A body over the limit (*http.MaxBytesError) is TooLarge.
func WriteError(c *gin.Context, err error) {
	log := Logger(c.Request.Context())
	e, ok := apperr.As(err)
	if !ok {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			e, ok = tooLarge(tooBig.Limit, err), true
		}
	}
	if !ok || e.Kind.Status() == http.StatusInternalServerError {
		log.Error("internal error", "error", errorText(err))
		writeInternal(c)
		return
	}
	if e.Kind == apperr.Unavailable {
		// The message was written for clients; the cause may name hosts.
		log.Warn("dependency unavailable", "error", errorText(err))
	}

	code, msg := e.Code, e.Message
	if code == "" {
		code = e.Kind.String()
	}
	if msg == "" {
		msg = http.StatusText(e.Kind.Status())
	}
	writeBody(c, e.Kind.Status(), ErrorDetail{Code: code, Message: msg, Details: e.Details})
}

// errorText renders err for the log, including a nil that should not be here.
func errorText(err error) string {
	if err == nil {
		return "WriteError called with a nil error"
	}
	return err.Error()
}

// writeInternal sends the generic 500; the request id lets support find the
// logged cause.
func writeInternal(c *gin.Context) {
	writeBody(c, http.StatusInternalServerError, ErrorDetail{
		Code:    apperr.CodeInternal,
		Message: "internal error",
		Details: map[string]any{"request_id": RequestID(c.Request.Context())},
	})
}

// writeBody encodes before writing, so a detail that cannot be encoded
// costs the details rather than leaving a status with a broken body.
func writeBody(c *gin.Context, status int, d ErrorDetail) {
	c.Set(errorCodeKey, d.Code)
	if c.Writer.Written() {
		Logger(c.Request.Context()).Error("error after the response started",
			"status", status, "code", d.Code, "message", d.Message)
		c.Abort()
		return
	}
	body, err := json.Marshal(ErrorResponse{Error: d})
	if err != nil {
		Logger(c.Request.Context()).Error("encode error details", "code", d.Code, "error", err)
		d.Details = nil
		body, _ = json.Marshal(ErrorResponse{Error: d}) // strings only: cannot fail
	}
	c.Data(status, "application/json; charset=utf-8", body)
	c.Abort()
}

// notFound answers requests that match no route, in the shared shape.
func notFound(c *gin.Context) {
	WriteError(c, apperr.New(apperr.NotFound, apperr.CodeRouteNotFound, "no such route"))
}

// methodNotAllowed answers a known path with the wrong method. 405 is a
// routing fact, not an error kind domain code could return, so it is written
// directly; gin has already set the Allow header.
func methodNotAllowed(c *gin.Context) {
	writeBody(c, http.StatusMethodNotAllowed, ErrorDetail{
		Code:    apperr.CodeMethodNotAllowed,
		Message: "method not allowed on this route",
	})
}
