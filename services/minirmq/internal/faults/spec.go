package faults

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The contract's limits.
const (
	MaxCount = 1000
	MinDelay = time.Millisecond
	MaxDelay = 60 * time.Second
	MaxFor   = 24 * time.Hour
)

// Error codes of bad arming requests (the contract's), and of a body that
// is not the JSON object the route takes (the platform's INVALID_JSON).
const (
	CodePointRequired  = "POINT_REQUIRED"
	CodeInvalidPoint   = "INVALID_POINT"
	CodeActionRequired = "ACTION_REQUIRED"
	CodeInvalidAction  = "INVALID_ACTION"
	CodeInvalidValue   = "INVALID_VALUE"
	CodeInvalidCount   = "INVALID_COUNT"
	CodeInvalidDelay   = "INVALID_DELAY"
	CodeInvalidFor     = "INVALID_FOR"
	CodeInvalidJSON    = "INVALID_JSON"
)

// Error is a refused arming request: a contract code and the field at fault.
type Error struct {
	Code, Field, Message string
}

func (e *Error) Error() string { return e.Message }

func bad(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrUnknownPoint is returned when clearing a point minirmq does not have.
var ErrUnknownPoint = errors.New("unknown fault point")

// Request is an arming request as text, whether it came as JSON or as an
// item of MINIRMQ_FAULTS; "" means absent. Validate turns it into a Spec.
type Request struct {
	Point, Action, Value string
	Count, Delay, For    string
}

// Spec is a validated fault: what to do, at which point, how often and for
// how long. Count 0 means every time; For 0 means until cleared.
type Spec struct {
	Point, Action, Value string
	Count                int
	Delay, For           time.Duration
}

// Validate checks r against the contract and minirmq's points. Beyond the
// contract, pause takes no count: it holds delivery until cleared or until
// For ends, and "the next N pulls find nothing" would end at a moment
// nobody could predict.
func (r Request) Validate() (Spec, error) {
	s := Spec{Point: r.Point, Action: r.Action, Value: r.Value}
	if r.Point == "" {
		return Spec{}, bad(CodePointRequired, "point", "point is required")
	}
	actions, ok := actionsAt(r.Point)
	if !ok {
		return Spec{}, bad(CodeInvalidPoint, "point",
			"point %q is not one of minirmq's: %s, %s (a group name is 1 to 120 of A-Z a-z 0-9 _ -), %s",
			r.Point, Deliver, DeliverPoint("<group>"), CheckBack)
	}
	if r.Action == "" {
		return Spec{}, bad(CodeActionRequired, "action", "action is required")
	}
	if !slices.Contains(actions, r.Action) {
		return Spec{}, bad(CodeInvalidAction, "action", "action %q is not allowed at %s; allowed: %s",
			r.Action, r.Point, strings.Join(actions, ", "))
	}
	if r.Value != "" {
		return Spec{}, bad(CodeInvalidValue, "value", "action %s takes no value (no minirmq action does)", r.Action)
	}
	if r.Count != "" {
		n, err := strconv.Atoi(r.Count)
		if err != nil || n < 0 || n > MaxCount {
			return Spec{}, bad(CodeInvalidCount, "count", "count %s must be a whole number from 0 (every time) to %d", r.Count, MaxCount)
		}
		if n > 0 && r.Action == Pause {
			return Spec{}, bad(CodeInvalidCount, "count", "pause takes no count: it lasts until cleared, or set for")
		}
		s.Count = n
	}
	switch {
	case r.Action == Delay && r.Delay == "":
		return Spec{}, bad(CodeInvalidDelay, "delay", "action delay needs a delay from %v to %v", MinDelay, MaxDelay)
	case r.Action != Delay && r.Delay != "":
		return Spec{}, bad(CodeInvalidDelay, "delay", "only action delay takes a delay")
	case r.Action == Delay:
		d, err := time.ParseDuration(r.Delay)
		if err != nil || d < MinDelay || d > MaxDelay {
			return Spec{}, bad(CodeInvalidDelay, "delay", "delay %q must be a Go duration from %v to %v", r.Delay, MinDelay, MaxDelay)
		}
		s.Delay = d
	}
	if r.For != "" {
		d, err := time.ParseDuration(r.For)
		if err != nil || d < 0 || d > MaxFor {
			return Spec{}, bad(CodeInvalidFor, "for", "for %q must be a Go duration from 0 (until cleared) to %v", r.For, MaxFor)
		}
		s.For = d
	}
	return s, nil
}

// DecodeRequest reads an arming request's JSON body. A field of the wrong
// type is refused with that field's code; an unknown field, or a body that
// is not one JSON object, with INVALID_JSON.
func DecodeRequest(body io.Reader) (Request, error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(body)
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return Request{}, bad(CodeInvalidJSON, "", "the body must be one JSON object such as {\"point\":\"check-back\",\"action\":\"drop\",\"count\":1}")
	}
	if dec.More() {
		return Request{}, bad(CodeInvalidJSON, "", "the body must hold one JSON object only")
	}
	var r Request
	targets := map[string]struct {
		dst  *string
		code string
	}{
		"point": {&r.Point, CodeInvalidPoint}, "action": {&r.Action, CodeInvalidAction},
		"value": {&r.Value, CodeInvalidValue}, "delay": {&r.Delay, CodeInvalidDelay}, "for": {&r.For, CodeInvalidFor},
	}
	for name, raw := range fields {
		if name == "count" {
			if !bytes.Equal(raw, []byte("null")) {
				if len(raw) > 0 && raw[0] == '"' {
					return Request{}, bad(CodeInvalidCount, "count", "count must be a JSON number, not a string")
				}
				r.Count = string(raw)
			}
			continue
		}
		t, ok := targets[name]
		if !ok {
			return Request{}, bad(CodeInvalidJSON, name, "unknown field %q; the fields are point, action, value, count, delay, for", name)
		}
		if err := json.Unmarshal(raw, t.dst); err != nil {
			return Request{}, bad(t.code, name, "%s must be a string", name)
		}
	}
	return r, nil
}

// ParseList parses the MINIRMQ_FAULTS / -faults syntax: items separated by
// ";", each "point=action" then optional ",count=N", ",delay=D", ",for=D",
// ",value=V". An error names the item.
func ParseList(list string) ([]Spec, error) {
	var out []Spec
	for item := range strings.SplitSeq(list, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		s, err := parseItem(item)
		if err != nil {
			return nil, fmt.Errorf("item %q: %w", item, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func parseItem(item string) (Spec, error) {
	parts := strings.Split(item, ",")
	var r Request
	var ok bool
	r.Point, r.Action, ok = strings.Cut(parts[0], "=")
	if !ok {
		return Spec{}, errors.New(`want point=action, then optional ,count=N ,delay=D ,for=D ,value=V`)
	}
	r.Point, r.Action = strings.TrimSpace(r.Point), strings.TrimSpace(r.Action)
	seen := map[string]bool{}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		var dst *string
		switch k {
		case "count":
			dst = &r.Count
		case "delay":
			dst = &r.Delay
		case "for":
			dst = &r.For
		case "value":
			dst = &r.Value
		}
		if !ok || dst == nil || seen[k] {
			return Spec{}, fmt.Errorf("%q: want one each of count=N, delay=D, for=D, value=V", p)
		}
		seen[k] = true
		*dst = v
	}
	return r.Validate()
}
