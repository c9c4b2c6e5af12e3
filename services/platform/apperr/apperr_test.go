package apperr_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

func TestKindStatusAndString(t *testing.T) {
	tests := []struct {
		kind       apperr.Kind
		wantStatus int
		wantString string
	}{
		{apperr.Internal, 500, "INTERNAL"},
		{apperr.Invalid, 400, "INVALID"},
		{apperr.Unauthorized, 401, "UNAUTHORIZED"},
		{apperr.PaymentRequired, 402, "PAYMENT_REQUIRED"},
		{apperr.Forbidden, 403, "FORBIDDEN"},
		{apperr.NotFound, 404, "NOT_FOUND"},
		{apperr.Conflict, 409, "CONFLICT"},
		{apperr.TooLarge, 413, "TOO_LARGE"},
		{apperr.Unprocessable, 422, "UNPROCESSABLE"},
		{apperr.Unavailable, 503, "UNAVAILABLE"},
		{apperr.Kind(999), 500, "INTERNAL"},
	}
	for _, tt := range tests {
		t.Run(tt.wantString, func(t *testing.T) {
			if got := tt.kind.Status(); got != tt.wantStatus {
				t.Errorf("Status() = %d, want %d", got, tt.wantStatus)
			}
			if got := tt.kind.String(); got != tt.wantString {
				t.Errorf("String() = %q, want %q", got, tt.wantString)
			}
		})
	}
}

func TestZeroKindIsInternal(t *testing.T) {
	var e apperr.Error
	if got, want := e.Kind, apperr.Internal; got != want {
		t.Errorf("zero Kind = %v, want %v", got, want)
	}
}

func TestKindOf(t *testing.T) {
	conflict := apperr.New(apperr.Conflict, "NOT_PAYABLE", "order is not payable")
	tests := []struct {
		name string
		err  error
		want apperr.Kind
	}{
		{"direct", conflict, apperr.Conflict},
		{"wrapped with %w", fmt.Errorf("pay order 7: %w", conflict), apperr.Conflict},
		{"wrapped twice", fmt.Errorf("handler: %w", fmt.Errorf("pay: %w", conflict)), apperr.Conflict},
		{"joined", errors.Join(io.EOF, apperr.New(apperr.NotFound, "", "")), apperr.NotFound},
		{"outermost wins", apperr.Wrap(apperr.Unavailable, "DOWN", "down", conflict), apperr.Unavailable},
		{"plain error", errors.New("boom"), apperr.Internal},
		{"wrapped with %v loses the kind", fmt.Errorf("pay: %v", conflict), apperr.Internal},
		{"nil", nil, apperr.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apperr.KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWrapKeepsCause(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	err := fmt.Errorf("outer: %w", apperr.Wrap(apperr.Unavailable, "PAYMENT_DOWN", "payment unavailable", cause))

	if !errors.Is(err, cause) {
		t.Errorf("errors.Is(err, cause) = false, want true")
	}
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("As() ok = false, want true")
	}
	if got, want := e.Code, "PAYMENT_DOWN"; got != want {
		t.Errorf("Code = %q, want %q", got, want)
	}
	if got, want := e.Error(), "PAYMENT_DOWN: payment unavailable: unexpected EOF"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestErrorWithoutCodeUsesKind(t *testing.T) {
	if got, want := apperr.New(apperr.NotFound, "", "").Error(), "NOT_FOUND"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestWithAddsDetails(t *testing.T) {
	e := apperr.New(apperr.Conflict, "OUT_OF_STOCK", "not enough stock").
		With("skus", []string{"A", "B"}).
		With("order", 7)

	if got, want := len(e.Details), 2; got != want {
		t.Fatalf("len(Details) = %d, want %d", got, want)
	}
	if got, want := e.Details["order"], any(7); got != want {
		t.Errorf("Details[order] = %v, want %v", got, want)
	}
}

func TestAsWithoutError(t *testing.T) {
	if e, ok := apperr.As(errors.New("plain")); ok || e != nil {
		t.Errorf("As(plain) = %v, %v; want nil, false", e, ok)
	}
}

func TestKindForStatusInvertsStatus(t *testing.T) {
	for k := apperr.Invalid; k <= apperr.Unavailable; k++ {
		if got, ok := apperr.KindForStatus(k.Status()); !ok || got != k {
			t.Errorf("KindForStatus(%d) = %v %v, want %v", k.Status(), got, ok, k)
		}
	}
	for _, status := range []int{200, 418, 500} {
		if got, ok := apperr.KindForStatus(status); ok {
			t.Errorf("KindForStatus(%d) = %v, want no kind", status, got)
		}
	}
}
