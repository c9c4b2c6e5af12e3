package main

import (
	"path/filepath"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// TestDocsMatchCode fails when a handler's annotations changed but the
// committed OpenAPI documents were not regenerated.
func TestDocsMatchCode(t *testing.T) {
	for _, svc := range contracts.ServiceNames() {
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

// TestEveryDocumentHasAService: a service removed from contracts' table
// does not leave its document behind (api-docs embeds every */swagger.json).
func TestEveryDocumentHasAService(t *testing.T) {
	docs, err := filepath.Glob("../*/swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range docs {
		name := filepath.Base(filepath.Dir(doc))
		if _, ok := contracts.ServiceByName(name); !ok {
			t.Errorf("api-docs/%s has a document but no row in contracts' table", name)
		}
	}
	if len(docs) != len(contracts.ServiceNames()) {
		t.Errorf("%d documents for %d services", len(docs), len(contracts.ServiceNames()))
	}
}
