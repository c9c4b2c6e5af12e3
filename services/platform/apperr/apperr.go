// Package apperr gives errors a kind that says what went wrong from the
// caller's point of view (bad input, not found, conflict, ...), so that one
// adapter at the edge of each service can turn any error into the right
// response without knowing the business that produced it.
//
// Domain code returns *Error values for outcomes a client must see; anything
// else counts as Internal and is reported to clients only as "internal error".
package apperr

import (
	"errors"
	"net/http"
)

// Kind classifies an error by whose fault it is and what a client can do
// about it. The zero value is Internal so that an Error built without a kind
// never masquerades as a client mistake.
type Kind int

// The kinds, each with the HTTP status it maps to.
const (
	Internal        Kind = iota // 500: a bug or an unexpected failure
	Invalid                     // 400: malformed or invalid input
	Unauthorized                // 401: identity missing or wrong
	Forbidden                   // 403: identity known, access denied
	NotFound                    // 404: the resource does not exist (for this caller)
	Conflict                    // 409: the resource's state forbids the request
	PaymentRequired             // 402: a payment was declined
	Unprocessable               // 422: well-formed input that breaks a semantic rule
	TooLarge                    // 413: the request body is over the limit
	Unavailable                 // 503: a dependency is down; retrying may help
)

// info is the single table behind Status and String. A switch rather than a
// package-level map keeps it immutable.
func (k Kind) info() (status int, name string) {
	switch k {
	case Invalid:
		return http.StatusBadRequest, "INVALID"
	case Unauthorized:
		return http.StatusUnauthorized, "UNAUTHORIZED"
	case Forbidden:
		return http.StatusForbidden, "FORBIDDEN"
	case NotFound:
		return http.StatusNotFound, "NOT_FOUND"
	case Conflict:
		return http.StatusConflict, "CONFLICT"
	case PaymentRequired:
		return http.StatusPaymentRequired, "PAYMENT_REQUIRED"
	case Unprocessable:
		return http.StatusUnprocessableEntity, "UNPROCESSABLE"
	case TooLarge:
		return http.StatusRequestEntityTooLarge, "TOO_LARGE"
	case Unavailable:
		return http.StatusServiceUnavailable, "UNAVAILABLE"
	default: // Internal and any value outside the list
		return http.StatusInternalServerError, "INTERNAL"
	}
}

// Status returns the HTTP status code for the kind; unknown kinds are 500.
func (k Kind) Status() int {
	status, _ := k.info()
	return status
}

// KindForStatus is the inverse of Status, for a client that rebuilds another
// service's error from its answer: the kind whose status is status, or
// ok=false when no client-visible kind maps to it (5xx, unknown codes).
func KindForStatus(status int) (kind Kind, ok bool) {
	for k := Invalid; k <= Unavailable; k++ {
		if k.Status() == status {
			return k, true
		}
	}
	return Internal, false
}

// String returns the kind's name in the same UPPER_SNAKE form as error codes,
// so it doubles as the code of an Error that was given none.
func (k Kind) String() string {
	_, name := k.info()
	return name
}

// ErrAlreadyApplied says that the effect an event asks for was applied
// before, so nothing changed: the event itself was processed (an inbox claim
// exists), or another event with the same effect was (an order that already
// has its shipment, credit or checkout). It is not a failure: a message
// consumer acknowledges it as a duplicate. Wrap it with the specific reason,
// fmt.Errorf("order %s already has its entry: %w", no, ErrAlreadyApplied);
// test for it with errors.Is. It lives here, beside the kinds, so that
// domain and store packages can return it without importing the message
// client.
var ErrAlreadyApplied = errors.New("this event's effect was applied before; nothing changed")

// Error is an error with a kind, a stable machine-readable code and a message
// fit for clients. Err, the cause, is for logs only and never reaches clients.
type Error struct {
	Kind    Kind
	Code    string         // stable and machine-readable, e.g. "OUT_OF_STOCK"
	Message string         // human-readable and safe to show to clients
	Details map[string]any // structured facts for clients, e.g. the short SKUs
	Err     error          // the cause; never shown to clients
}

// New returns an Error of the given kind without a cause.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Wrap returns an Error of the given kind that keeps err as its cause, so that
// errors.Is and errors.As still see through it.
func Wrap(kind Kind, code, message string, err error) *Error {
	return &Error{Kind: kind, Code: code, Message: message, Err: err}
}

// With adds a detail and returns e so that details can be chained onto a
// constructor. It mutates e: call it while building the error, not on an
// error another goroutine may be reading.
func (e *Error) With(key string, value any) *Error {
	if e.Details == nil {
		e.Details = make(map[string]any)
	}
	e.Details[key] = value
	return e
}

// Error renders code, message and cause for logs.
func (e *Error) Error() string {
	code := e.Code
	if code == "" {
		code = e.Kind.String()
	}
	s := code
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// As finds the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// KindOf returns the kind of the first *Error in err's chain. Errors without
// one (and nil) are Internal: an error nobody classified is a bug until
// someone decides otherwise.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return Internal
}
