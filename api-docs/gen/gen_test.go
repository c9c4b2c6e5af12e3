package main

import "testing"

// TestDocsMatchCode fails when a handler's annotations changed but the
// committed OpenAPI documents were not regenerated.
func TestDocsMatchCode(t *testing.T) {
	for _, svc := range Services {
		t.Run(svc, func(t *testing.T) {
			same, err := Matches("../..", svc)
			if err != nil {
				t.Fatal(err)
			}
			if !same {
				t.Errorf("api-docs/%s is out of date: run make api-docs and commit the result", svc)
			}
		})
	}
}
