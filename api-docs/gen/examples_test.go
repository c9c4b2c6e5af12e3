package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-openapi/spec"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// TestSpecsHaveExamples requires an example on every scalar a client sends or
// receives: every property of every definition reachable from an operation's
// body parameter or any of its responses, following $ref, allOf and array
// items. Objects and arrays of objects are exempt themselves (their
// properties carry the examples); an array of scalars needs an example of
// its own (swag: example:"a,b"), and so does a free-form map of scalars.
// A property lacking one is reported once, with the operations that reach it.
func TestSpecsHaveExamples(t *testing.T) {
	for _, svc := range contracts.ServiceNames() {
		t.Run(svc, func(t *testing.T) {
			sw := loadSpec(t, svc).Spec()
			c := exampleCheck{sw: sw, reachedFrom: map[string][]string{}, done: map[string]bool{}}
			for _, op := range operations(sw) {
				for _, p := range op.Parameters {
					if p.In == "body" && p.Schema != nil {
						c.walk(fmt.Sprintf("%s body %q", op, p.Name), "body "+p.Name, p.Schema)
					}
				}
				if op.Responses == nil {
					continue
				}
				for _, code := range slices.Sorted(maps.Keys(op.Responses.StatusCodeResponses)) {
					if resp := op.Responses.StatusCodeResponses[code]; resp.Schema != nil {
						c.walk(fmt.Sprintf("%s %d response", op, code), strconv.Itoa(code)+" response", resp.Schema)
					}
				}
			}
			props := make([]string, 0, len(c.reachedFrom))
			for prop := range c.reachedFrom {
				props = append(props, prop)
			}
			slices.Sort(props)
			for _, prop := range props {
				from := c.reachedFrom[prop]
				if len(from) > 3 {
					from = append(from[:3:3], fmt.Sprintf("%d more", len(from)-3))
				}
				t.Errorf("%s: %s has no example (reached from %s)", svc, prop, strings.Join(from, "; "))
			}
		})
	}
}

// exampleCheck walks schemas, collecting the scalars without an example.
type exampleCheck struct {
	sw *spec.Swagger
	// reachedFrom maps a property lacking an example to the operations
	// whose schemas reach it.
	reachedFrom map[string][]string
	// done holds "<definition> from <operation>" pairs already walked:
	// it ends recursion, and keeps one operation from being listed twice.
	done map[string]bool
}

// walk checks s, found at name, for the operation described by from.
func (c *exampleCheck) walk(from, name string, s *spec.Schema) {
	if ref := s.Ref.String(); ref != "" {
		def := strings.TrimPrefix(ref, "#/definitions/")
		key := def + " from " + from
		if c.done[key] {
			return
		}
		c.done[key] = true
		target, ok := c.sw.Definitions[def]
		if !ok {
			return // TestSpecsValidate reports the broken $ref
		}
		c.walk(from, def, &target)
		return
	}
	for i := range s.AllOf {
		c.walk(from, name, &s.AllOf[i])
	}
	switch {
	case s.Type.Contains("file"):
		// a download such as a product image: no JSON to show
	case s.Type.Contains("array"):
		if s.Items == nil || s.Items.Schema == nil {
			return // the validator requires items
		}
		if isScalar(s.Items.Schema) {
			c.need(from, name, s)
			return
		}
		c.walk(from, name+"[]", s.Items.Schema)
	case s.Type.Contains("object") || len(s.Properties) > 0:
		for _, prop := range slices.Sorted(maps.Keys(s.Properties)) {
			p := s.Properties[prop]
			c.walk(from, name+"."+prop, &p)
		}
		if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil {
			if isScalar(ap.Schema) {
				c.need(from, name, s)
			} else {
				c.walk(from, name+"{}", ap.Schema)
			}
		}
	case len(s.AllOf) == 0:
		c.need(from, name, s) // a scalar
	}
}

// need records name as lacking an example unless s has one.
func (c *exampleCheck) need(from, name string, s *spec.Schema) {
	if s.Example != nil {
		return
	}
	if !slices.Contains(c.reachedFrom[name], from) {
		c.reachedFrom[name] = append(c.reachedFrom[name], from)
	}
}

// isScalar reports whether s is a string, number, integer or boolean.
func isScalar(s *spec.Schema) bool {
	return s.Ref.String() == "" && len(s.AllOf) == 0 && len(s.Properties) == 0 &&
		!s.Type.Contains("object") && !s.Type.Contains("array") && !s.Type.Contains("file")
}
