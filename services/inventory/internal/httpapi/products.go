package httpapi

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// images are the product pictures, one hand-drawn SVG per SKU, built into
// the binary so the shop needs no asset directory.
//
//go:embed images/*.svg
var images embed.FS

// Product is a catalogue entry with the units still available to reserve.
type Product struct {
	SKU         string `json:"sku" example:"RM-TENT-2P"`
	Name        string `json:"name" example:"Ultralight 2-Person Tent"`
	Description string `json:"description" example:"Freestanding three-season tent at 1.6 kg."`
	PriceCents  int64  `json:"priceCents" example:"24999"`
	ImageURL    string `json:"imageUrl" example:"/images/RM-TENT-2P.svg"`
	Available   int    `json:"available" example:"20"`
}

// ProductList is the catalogue.
type ProductList struct {
	Products []Product `json:"products"`
}

// imageURL is where image serves a product's picture.
func imageURL(sku string) string { return "/images/" + sku + ".svg" }

func toProduct(p inventory.Product) Product {
	return Product{SKU: p.SKU, Name: p.Name, Description: p.Description, PriceCents: p.PriceCents,
		ImageURL: imageURL(p.SKU), Available: p.Available}
}

// listProducts godoc
//
//	@Summary	List the catalogue
//	@Description	Every product with its price in cents, image and the units still available to reserve, ordered by SKU.
//	@Tags		products
//	@Produce	json
//	@Success	200	{object}	ProductList
//	@Failure	500	{object}	httpserver.ErrorResponse
//	@Router		/api/v1/products [get]
func (a *API) listProducts(c *gin.Context) error {
	products, err := a.svc.Products(c.Request.Context())
	if err != nil {
		return err
	}
	out := ProductList{Products: make([]Product, 0, len(products))}
	for _, p := range products {
		out.Products = append(out.Products, toProduct(p))
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// getProduct godoc
//
//	@Summary	Get one product
//	@Tags		products
//	@Produce	json
//	@Param		sku	path		string	true	"product SKU"	extensions(x-example=RM-TENT-2P)
//	@Success	200	{object}	Product
//	@Failure	404	{object}	httpserver.ErrorResponse	"UNKNOWN_SKU"
//	@Failure	500	{object}	httpserver.ErrorResponse
//	@Router		/api/v1/products/{sku} [get]
func (a *API) getProduct(c *gin.Context) error {
	p, err := a.svc.Product(c.Request.Context(), c.Param("sku"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toProduct(p))
	return nil
}

// image godoc
//
//	@Summary	Get a product's picture
//	@Description	The SVG picture of a product; the path is a product's imageUrl.
//	@Tags		products
//	@Produce	image/svg+xml
//	@Produce	json
//	@Param		file	path		string	true	"<sku>.svg"	extensions(x-example=RM-TENT-2P.svg)
//	@Success	200		{file}		file
//	@Failure	404		{object}	httpserver.ErrorResponse	"IMAGE_NOT_FOUND"
//	@Failure	500		{object}	httpserver.ErrorResponse
//	@Router		/images/{file} [get]
func (a *API) image(c *gin.Context) error {
	file := c.Param("file")
	sku, isSVG := strings.CutSuffix(file, ".svg")
	var data []byte
	var err error
	if isSVG {
		// fs.ReadFile rejects names with ".." or "/", so only embedded
		// pictures can be reached.
		data, err = fs.ReadFile(images, "images/"+file)
	}
	if !isSVG || err != nil {
		return apperr.New(apperr.NotFound, "IMAGE_NOT_FOUND", "no picture for this SKU").With("sku", sku)
	}
	c.Header("Cache-Control", "public, max-age=3600")
	// An SVG can carry script; these pictures do not, and the policy makes
	// sure nothing in one could run if it were opened directly.
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "image/svg+xml", data)
	return nil
}
