// Package apidocs holds the OpenAPI documents generated from each service's
// swag annotations (`make api-docs`), so every service serves its own at
// /swagger/doc.json. The files are generated: edit the annotations, not them.
package apidocs

import (
	"embed"
	"fmt"
)

//go:embed */swagger.json
var files embed.FS

// Spec returns the generated OpenAPI (Swagger 2.0) JSON of service.
func Spec(service string) ([]byte, error) {
	b, err := files.ReadFile(service + "/swagger.json")
	if err != nil {
		return nil, fmt.Errorf("apidocs: no generated spec for %q (run make api-docs): %w", service, err)
	}
	return b, nil
}
