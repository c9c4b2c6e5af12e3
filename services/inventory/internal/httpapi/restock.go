package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// HeaderIdempotencyKey makes a restock safe to retry.
const HeaderIdempotencyKey = "Idempotency-Key"

// RestockRequest is how many units to add to a SKU's available stock.
type RestockRequest struct {
	Quantity int `json:"quantity" binding:"min=1,max=1000000" validate:"required" minimum:"1" maximum:"1000000" example:"500"`
}

// RestockResponse is a restock and the SKU's stock right after this call.
type RestockResponse struct {
	RestockID string     `json:"restockId" example:"rs_5RZQ2KJ7M3XW4YB6N8TD1C9FHA"`
	SKU       string     `json:"sku" example:"RM-TENT-2P"`
	Quantity  int        `json:"quantity" example:"500"`
	CreatedAt time.Time  `json:"createdAt" example:"2030-01-01T12:00:00Z" format:"date-time"`
	Stock     StockLevel `json:"stock"`
}

// restock godoc
//
//	@Summary		Restock a SKU
//	@Description	Adds quantity units to the SKU's available stock, once per Idempotency-Key (keys are global to the inventory). The seeded initial stays as it was; the units are counted in restocked, so the audit's invariant reads initial + restocked = available + reserved + sold. Replaying a key with the same SKU and quantity answers 200 with the original restock and the stock now, adding nothing; the same key for another SKU or quantity is 422 IDEMPOTENCY_KEY_REUSED.
//	@Tags			admin
//	@Accept			json
//	@Produce		json
//	@Security		AdminToken
//	@Param			X-Admin-Token	header		string			true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param			Idempotency-Key	header		string			true	"1..128 characters, unique per restock"	extensions(x-example=restock-2030-01-01-tents)
//	@Param			sku				path		string			true	"product SKU"	extensions(x-example=RM-TENT-2P)
//	@Param			request			body		RestockRequest	true	"units to add"
//	@Success		201				{object}	RestockResponse	"restocked"
//	@Success		200				{object}	RestockResponse	"replay of an earlier restock; nothing added"
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_JSON, VALIDATION (details.field quantity), IDEMPOTENCY_KEY_REQUIRED or INVALID_IDEMPOTENCY_KEY"
//	@Failure		401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure		403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure		404				{object}	httpserver.ErrorResponse	"UNKNOWN_SKU"
//	@Failure		413				{object}	httpserver.ErrorResponse	"BODY_TOO_LARGE"
//	@Failure		422				{object}	httpserver.ErrorResponse	"IDEMPOTENCY_KEY_REUSED"
//	@Failure		500				{object}	httpserver.ErrorResponse
//	@Router			/api/v1/admin/stock/{sku}/restock [post]
func (a *API) restock(c *gin.Context) error {
	var in RestockRequest
	if err := httpserver.BindJSON(c, &in); err != nil {
		return err
	}
	r, st, created, err := a.svc.Restock(c.Request.Context(), c.GetHeader(HeaderIdempotencyKey), c.Param("sku"), in.Quantity)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, RestockResponse{RestockID: r.ID, SKU: r.SKU, Quantity: r.Quantity, CreatedAt: r.CreatedAt, Stock: StockLevel(st)})
	return nil
}
