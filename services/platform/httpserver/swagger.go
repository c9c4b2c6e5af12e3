package httpserver

import (
	"github.com/gin-gonic/gin"
	swaggerfiles "github.com/swaggo/files"
	ginswagger "github.com/swaggo/gin-swagger"
)

// SwaggerPath is where every service serves its Swagger UI.
const SwaggerPath = "/swagger"

// MountSwagger serves the Swagger UI at /swagger/index.html and spec, the
// service's generated OpenAPI document, at /swagger/doc.json. The spec is
// handed over as bytes rather than registered with swag's process-wide
// registry, which panics on a second registration (tests start many servers).
func (s *Server) MountSwagger(spec []byte) {
	ui := ginswagger.WrapHandler(swaggerfiles.Handler, ginswagger.URL("doc.json"),
		ginswagger.DocExpansion("list"), ginswagger.DefaultModelsExpandDepth(1))
	s.engine.GET(SwaggerPath+"/*any", func(c *gin.Context) {
		switch c.Param("any") {
		case "/doc.json":
			c.Data(200, "application/json; charset=utf-8", spec)
		case "", "/":
			c.Redirect(302, SwaggerPath+"/index.html")
		default:
			ui(c)
		}
	})
}
