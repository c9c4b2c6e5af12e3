package faults

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// The codes of a refused fault, each of kind Invalid with details.field,
// except CodePointNotFound (NotFound) and CodeInjected (the failure a Fail
// fault causes, of the kind its point chooses).
const (
	CodePointRequired  = "POINT_REQUIRED"
	CodeInvalidPoint   = "INVALID_POINT"
	CodeActionRequired = "ACTION_REQUIRED"
	CodeInvalidAction  = "INVALID_ACTION"
	CodeInvalidValue   = "INVALID_VALUE"
	CodeInvalidCount   = "INVALID_COUNT"
	CodeInvalidDelay   = "INVALID_DELAY"
	CodeInvalidFor     = "INVALID_FOR"
	CodePointNotFound  = "FAULT_POINT_NOT_FOUND"
	CodeInjected       = "FAULT_INJECTED"
)

func invalid(field, code, msg string) error {
	return apperr.New(apperr.Invalid, code, msg).With("field", field)
}

func notFoundPoint(point string) error {
	return apperr.New(apperr.NotFound, CodePointNotFound, fmt.Sprintf("no fault point %q", point)).With("point", point)
}

// Injected is the error of a Fail fault at point: kind, so the step fails
// the way its own dependency's failure would make it fail, and a message
// that says it was a training fault, so nobody mistakes it for a bug.
func Injected(kind apperr.Kind, point, what string) error {
	return apperr.New(kind, CodeInjected, what+" (training fault armed at "+point+")").With("point", point)
}

// Parse reads a list of specs in the <PREFIX>_FAULTS syntax:
//
//	pay.after-half=crash,count=1;pay.check-back=answer,value=unknown,count=3
//
// items separated by ";", each point=action then optional count=N, delay=D,
// for=D, value=V (D a Go duration). An error names the item. Parse checks the
// syntax only; Set.ArmAll checks points, actions and limits.
func Parse(list string) ([]Spec, error) {
	var specs []Spec
	for item := range strings.SplitSeq(list, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		sp, err := parseItem(item)
		if err != nil {
			return nil, fmt.Errorf("fault %q: %w", item, err)
		}
		specs = append(specs, sp)
	}
	return specs, nil
}

func parseItem(item string) (Spec, error) {
	fields := strings.Split(item, ",")
	point, action, ok := strings.Cut(fields[0], "=")
	if !ok || strings.TrimSpace(point) == "" || strings.TrimSpace(action) == "" {
		return Spec{}, fmt.Errorf("want point=action first, e.g. pay.after-half=crash")
	}
	sp := Spec{Point: strings.TrimSpace(point), Action: Action(strings.TrimSpace(action))}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok {
			return Spec{}, fmt.Errorf("%q: want key=value (count, delay, for, value)", f)
		}
		var err error
		switch strings.TrimSpace(k) {
		case "count":
			sp.Count, err = strconv.Atoi(v)
		case "delay":
			sp.Delay, err = time.ParseDuration(v)
		case "for":
			sp.For, err = time.ParseDuration(v)
		case "value":
			sp.Value = v
		default:
			return Spec{}, fmt.Errorf("unknown key %q (count, delay, for, value)", k)
		}
		if err != nil {
			return Spec{}, fmt.Errorf("%s: %w", k, err)
		}
	}
	return sp, nil
}

// variantKey carries a naive variant through a context.
type variantKey struct{}

// WithVariant returns ctx carrying the naive variant v, for code below the
// point that must act it out (inbox.Claim skips the claim under
// VariantNoClaim).
func WithVariant(ctx context.Context, v string) context.Context {
	return context.WithValue(ctx, variantKey{}, v)
}

// VariantFrom is the naive variant ctx carries, or "".
func VariantFrom(ctx context.Context) string {
	v, _ := ctx.Value(variantKey{}).(string)
	return v
}

// VariantNoClaim is the naive consumer: it applies its effect without the
// idempotency claim.
const VariantNoClaim = "no-claim"
