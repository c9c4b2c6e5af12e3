package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// ReserveRequest asks to hold stock for every line of an order, or none.
type ReserveRequest struct {
	// OrderNo is 1..64 characters of A-Z, a-z, 0-9 and '-'; it makes the
	// request idempotent.
	OrderNo string        `json:"orderNo" example:"RM-20300101-0001"`
	Lines   []ReserveLine `json:"lines"`
	// ExpiresAt (RFC 3339, in the future) is when the expiry sweeper may
	// release the reservation if the order service does not need it.
	ExpiresAt string `json:"expiresAt" example:"2030-01-01T12:30:00Z" format:"date-time"`
}

// ReserveLine is one SKU and a quantity from 1 to 1000; each SKU may appear
// once.
type ReserveLine struct {
	SKU      string `json:"sku" example:"RM-TENT-2P"`
	Quantity int    `json:"quantity" example:"2"`
}

// Reservation is the stock held for one order, with the catalogue's names
// and prices at reservation time.
type Reservation struct {
	OrderNo   string            `json:"orderNo" example:"RM-20300101-0001"`
	Status    string            `json:"status" enums:"RESERVED,RELEASED,SOLD,RETURNED" example:"RESERVED"`
	Lines     []ReservationLine `json:"lines"`
	ExpiresAt time.Time         `json:"expiresAt" example:"2030-01-01T12:30:00Z" format:"date-time"`
	CreatedAt time.Time         `json:"createdAt" example:"2030-01-01T12:00:00Z" format:"date-time"`
	UpdatedAt time.Time         `json:"updatedAt" example:"2030-01-01T12:00:00Z" format:"date-time"`
}

// ReservationLine is one reserved product.
type ReservationLine struct {
	SKU            string `json:"sku" example:"RM-TENT-2P"`
	Name           string `json:"name" example:"Ultralight 2-Person Tent"`
	Quantity       int    `json:"quantity" example:"2"`
	UnitPriceCents int64  `json:"unitPriceCents" example:"24999"`
}

// ReservationList is every reservation, oldest first.
type ReservationList struct {
	Reservations []Reservation `json:"reservations"`
}

// StockList is every SKU's units by state; initial + restocked = available +
// reserved + sold.
type StockList struct {
	Stock []StockLevel `json:"stock"`
}

// StockLevel is one SKU's units by state.
type StockLevel struct {
	SKU       string `json:"sku" example:"RM-TENT-2P"`
	Initial   int    `json:"initial" example:"20"`
	Restocked int    `json:"restocked" example:"0"`
	Available int    `json:"available" example:"17"`
	Reserved  int    `json:"reserved" example:"2"`
	Sold      int    `json:"sold" example:"1"`
}

func toReservation(r inventory.Reservation) Reservation {
	out := Reservation{OrderNo: r.OrderNo, Status: string(r.Status), Lines: make([]ReservationLine, 0, len(r.Lines)),
		ExpiresAt: r.ExpiresAt.UTC(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	for _, l := range r.Lines {
		out.Lines = append(out.Lines, ReservationLine{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, UnitPriceCents: l.UnitPriceCents})
	}
	return out
}

// withOrderNo adds the order number to every log line of the request,
// cut to the longest valid length so a hostile value cannot flood the logs.
func withOrderNo(c *gin.Context, orderNo string) {
	if len(orderNo) > inventory.MaxOrderNoLen {
		orderNo = orderNo[:inventory.MaxOrderNoLen]
	}
	c.Request = c.Request.WithContext(httpserver.WithLogAttrs(c.Request.Context(), "order_no", orderNo))
}

// reserve godoc
//
//	@Summary	Reserve stock for an order
//	@Description	Holds stock for every line or for none. Idempotent by order number: repeating the request answers 200 with the reservation it made (whatever its status now); the same order number with other lines is 409 RESERVATION_MISMATCH. Out of stock is 409 OUT_OF_STOCK with details.short listing every short SKU as {sku, requested, available}. Names and prices are the catalogue's at reservation time.
//	@Tags		reservations
//	@Accept		json
//	@Produce	json
//	@Security	AdminToken
//	@Param		X-Admin-Token	header		string			true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param		request			body		ReserveRequest	true	"order number, lines and expiry"
//	@Success	201				{object}	Reservation		"reserved"
//	@Success	200				{object}	Reservation		"already reserved with these lines"
//	@Failure	400				{object}	httpserver.ErrorResponse	"INVALID_JSON, VALIDATION (details.field) or DUPLICATE_SKU"
//	@Failure	401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure	403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure	404				{object}	httpserver.ErrorResponse	"UNKNOWN_SKU"
//	@Failure	409				{object}	httpserver.ErrorResponse	"OUT_OF_STOCK or RESERVATION_MISMATCH"
//	@Failure	413				{object}	httpserver.ErrorResponse	"BODY_TOO_LARGE"
//	@Failure	500				{object}	httpserver.ErrorResponse
//	@Router		/api/v1/reservations [post]
func (a *API) reserve(c *gin.Context) error {
	var in ReserveRequest
	if err := httpserver.BindJSON(c, &in); err != nil {
		return err
	}
	req := inventory.ReserveRequest{OrderNo: in.OrderNo}
	if in.ExpiresAt != "" {
		t, err := time.Parse(time.RFC3339, in.ExpiresAt)
		if err != nil {
			return apperr.Wrap(apperr.Invalid, apperr.CodeValidation, "expiresAt must be an RFC 3339 timestamp", err).
				With("field", "expiresAt")
		}
		req.ExpiresAt = t
	}
	for _, l := range in.Lines {
		req.Lines = append(req.Lines, inventory.LineRequest{SKU: l.SKU, Quantity: l.Quantity})
	}
	withOrderNo(c, in.OrderNo)
	r, created, err := a.svc.Reserve(c.Request.Context(), req)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, toReservation(r))
	return nil
}

// getReservation godoc
//
//	@Summary	Get an order's reservation
//	@Tags		reservations
//	@Produce	json
//	@Security	AdminToken
//	@Param		X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param		orderNo			path		string	true	"order number"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Success	200				{object}	Reservation
//	@Failure	400				{object}	httpserver.ErrorResponse	"VALIDATION: malformed order number"
//	@Failure	401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure	403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure	404				{object}	httpserver.ErrorResponse	"RESERVATION_NOT_FOUND"
//	@Failure	500				{object}	httpserver.ErrorResponse
//	@Router		/api/v1/reservations/{orderNo} [get]
func (a *API) getReservation(c *gin.Context) error {
	withOrderNo(c, c.Param("orderNo"))
	r, err := a.svc.Reservation(c.Request.Context(), c.Param("orderNo"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toReservation(r))
	return nil
}

// release godoc
//
//	@Summary	Release an order's reservation
//	@Description	Gives the reserved units back to available stock. Idempotent: releasing a released reservation answers 200 again. A sold reservation cannot be released.
//	@Tags		reservations
//	@Produce	json
//	@Security	AdminToken
//	@Param		X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param		orderNo			path		string	true	"order number"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Success	200				{object}	Reservation	"status RELEASED"
//	@Failure	400				{object}	httpserver.ErrorResponse	"VALIDATION: malformed order number"
//	@Failure	401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure	403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure	404				{object}	httpserver.ErrorResponse	"RESERVATION_NOT_FOUND"
//	@Failure	409				{object}	httpserver.ErrorResponse	"RESERVATION_SOLD"
//	@Failure	500				{object}	httpserver.ErrorResponse
//	@Router		/api/v1/reservations/{orderNo}/release [post]
func (a *API) release(c *gin.Context) error {
	withOrderNo(c, c.Param("orderNo"))
	r, err := a.svc.Release(c.Request.Context(), c.Param("orderNo"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toReservation(r))
	return nil
}

// stock godoc
//
//	@Summary	List stock by state
//	@Description	Every SKU's initial (seeded), restocked, available, reserved and sold units, for the audit (initial + restocked = available + reserved + sold).
//	@Tags		admin
//	@Produce	json
//	@Security	AdminToken
//	@Param		X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Success	200				{object}	StockList
//	@Failure	401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure	403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure	500				{object}	httpserver.ErrorResponse
//	@Router		/api/v1/admin/stock [get]
func (a *API) stock(c *gin.Context) error {
	levels, err := a.svc.Stock(c.Request.Context())
	if err != nil {
		return err
	}
	out := StockList{Stock: make([]StockLevel, 0, len(levels))}
	for _, s := range levels {
		out.Stock = append(out.Stock, StockLevel(s))
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// listReservations godoc
//
//	@Summary	List every reservation
//	@Description	Every reservation with its lines and status, oldest first, for the consistency audit (a paid order's reservation is SOLD, a cancelled one's RELEASED). Not paginated: a demo shop holds a few thousand at most.
//	@Tags		admin
//	@Produce	json
//	@Security	AdminToken
//	@Param		X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Success	200				{object}	ReservationList
//	@Failure	401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure	403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure	500				{object}	httpserver.ErrorResponse
//	@Router		/api/v1/admin/reservations [get]
func (a *API) listReservations(c *gin.Context) error {
	rs, err := a.svc.Reservations(c.Request.Context())
	if err != nil {
		return err
	}
	out := ReservationList{Reservations: make([]Reservation, 0, len(rs))}
	for _, r := range rs {
		out.Reservations = append(out.Reservations, toReservation(r))
	}
	c.JSON(http.StatusOK, out)
	return nil
}
