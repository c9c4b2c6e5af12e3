package faults

import (
	"regexp"
	"slices"
	"strings"
)

// minirmq's points (the contract's table "minirmq").
const (
	// Deliver is delivery to every consumer group; DeliverPoint(group) is
	// delivery to one.
	Deliver = "deliver"
	// CheckBack is the broker's transaction check-backs to producers.
	CheckBack = "check-back"
)

// The actions minirmq's points take.
const (
	Pause     = "pause"     // delivery to a group stops while armed
	Duplicate = "duplicate" // each delivered message is delivered twice
	Delay     = "delay"     // the step waits Spec.Delay first
	Drop      = "drop"      // a check-back is not sent
)

var (
	deliverActions   = []string{Pause, Duplicate, Delay}
	checkBackActions = []string{Delay, Drop}
)

// groupPattern is a consumer group name that can also name its retry topic
// (%RETRY%<group>, at most 127 characters like every topic).
var groupPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,120}$`)

// DeliverPoint is the point of delivery to one consumer group.
func DeliverPoint(group string) string { return Deliver + "." + group }

// actionsAt returns the actions a point allows; false for an unknown point.
// A deliver.<group> point exists for every syntactically valid group name,
// live or not: a trainer may arm it before the consumer starts.
func actionsAt(point string) ([]string, bool) {
	switch point {
	case Deliver:
		return deliverActions, true
	case CheckBack:
		return checkBackActions, true
	}
	if g, ok := strings.CutPrefix(point, Deliver+"."); ok && groupPattern.MatchString(g) {
		return deliverActions, true
	}
	return nil, false
}

// Known reports whether point is one of minirmq's points.
func Known(point string) bool {
	_, ok := actionsAt(point)
	return ok
}

// PointInfo describes a point for GET <base>: what it is and what it takes.
type PointInfo struct {
	Point       string              `json:"point"`
	Description string              `json:"description"`
	Actions     []string            `json:"actions"`
	Values      map[string][]string `json:"values"` // no minirmq action takes a value: always empty
}

// Points is the catalogue: deliver, the deliver.<group> pattern, one
// deliver.<group> entry per group in groups (the groups the broker knows,
// so a trainer can pick one), and check-back.
func Points(groups []string) []PointInfo {
	out := []PointInfo{
		{Point: Deliver, Description: "delivery to every consumer group: pause stops it while armed, duplicate delivers each of the next count messages twice, delay holds each pull answer back by delay",
			Actions: deliverActions},
		{Point: DeliverPoint("<group>"), Description: "delivery to one consumer group (any valid group name, live or not yet started); overrides deliver for that group",
			Actions: deliverActions},
	}
	groups = slices.Clone(groups)
	slices.Sort(groups)
	for _, g := range slices.Compact(groups) {
		if groupPattern.MatchString(g) {
			out = append(out, PointInfo{Point: DeliverPoint(g), Description: "delivery to consumer group " + g, Actions: deliverActions})
		}
	}
	out = append(out, PointInfo{Point: CheckBack,
		Description: "the broker's transaction check-backs to producers: delay sends each one delay later, drop does not send it (the half stays undecided, is not counted against the maximum checks, and is checked again after the fault clears)",
		Actions:     checkBackActions})
	for i := range out {
		out[i].Values = map[string][]string{}
	}
	return out
}
