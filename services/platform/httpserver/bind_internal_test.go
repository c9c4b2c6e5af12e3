package httpserver

import (
	"reflect"
	"testing"
)

func TestJSONPath(t *testing.T) {
	type item struct {
		SKU string `json:"sku,omitempty"`
	}
	type req struct {
		Items   []*item          `json:"items"`
		ByName  map[string]item  `json:"by_name"`
		Grid    [][]item         `json:"grid"`
		Note    string           // no tag: Go name
		Skipped string           `json:"-"`
		Ptr     *item            `json:"ptr"`
		Deep    map[string][]int `json:"deep"`
	}
	tests := []struct {
		namespace string
		want      string
	}{
		{"req.Items[2].SKU", "items[2].sku"},
		{"req.ByName[bob].SKU", "by_name[bob].sku"},
		{"req.Grid[1][0].SKU", "grid[1][0].sku"},
		{"req.Note", "Note"},
		{"req.Skipped", "Skipped"},
		{"req.Ptr.SKU", "ptr.sku"},
		{"req.Missing.SKU", "Missing.SKU"},
	}
	for _, tt := range tests {
		t.Run(tt.namespace, func(t *testing.T) {
			if got := jsonPath(reflect.TypeOf(&req{}), tt.namespace); got != tt.want {
				t.Errorf("jsonPath(%q) = %q, want %q", tt.namespace, got, tt.want)
			}
		})
	}
}
