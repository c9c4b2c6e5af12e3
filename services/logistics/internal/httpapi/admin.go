package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// adminList godoc
//
//	@Summary		List every shipment
//	@Description	Every user's shipments, newest first, complete with address, lines and tracking events: the consistency audit reads the whole list to check that every paid order has exactly one shipment. There is no pagination; a demo shop holds a few thousand shipments at most. With orderNo, only that order's shipment (an empty list when it has none).
//	@Tags			admin
//	@Produce		json
//	@Param			X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param			orderNo			query		string	false	"only this order's shipment"	extensions(x-example=RM20300101-K3QF9XZ2B7M4)
//	@Success		200				{object}	ShipmentList
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_ORDER_NO"
//	@Failure		401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure		403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		AdminToken
//	@Router			/api/v1/admin/shipments [get]
func (h handlers) adminList(c *gin.Context) error {
	orderNo, filtered := c.GetQuery("orderNo")
	if filtered {
		// Present but malformed (including empty) is a client mistake, not
		// a request for everything.
		if err := shipping.ValidateOrderNo(orderNo); err != nil {
			return err
		}
	}
	list, err := h.svc.AllShipments(c.Request.Context(), orderNo)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toList(list))
	return nil
}

// adminGet godoc
//
//	@Summary		Show any user's shipment
//	@Tags			admin
//	@Produce		json
//	@Param			X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param			orderNo			path		string	true	"order number"	extensions(x-example=RM20300101-K3QF9XZ2B7M4)
//	@Success		200				{object}	Shipment
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_ORDER_NO"
//	@Failure		401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure		403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure		404				{object}	httpserver.ErrorResponse	"SHIPMENT_NOT_FOUND"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		AdminToken
//	@Router			/api/v1/admin/shipments/{orderNo} [get]
func (h handlers) adminGet(c *gin.Context) error {
	orderNo := withOrderNo(c, c.Param("orderNo"))
	s, err := h.svc.Shipment(c.Request.Context(), orderNo)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toShipment(s))
	return nil
}

// ship godoc
//
//	@Summary		Ship a shipment
//	@Description	Moves the shipment from AWAITING_SHIPMENT to SHIPPED, appends a SHIPPED tracking event and publishes SHIPMENT_SHIPPED transactionally (if and only if the move commits; the order moves to SHIPPED when it consumes it). A shipment of a refunded order (CANCELLED or RETURNED) is 409 SHIPMENT_CANCELLED. The body is optional: without it (or with {}) the carrier is RocketPost and a tracking number is generated. Safe to retry: shipping a shipment that has left already answers 200 with it as it is, and concurrent calls ship it once. Naming a carrier or tracking number other than the stored ones on a shipment that has left is 409 SHIPMENT_ALREADY_SHIPPED (details hold the stored ones).
//	@Tags			admin
//	@Accept			json
//	@Produce		json
//	@Param			X-Admin-Token	header		string		true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param			orderNo			path		string		true	"order number"	extensions(x-example=RM20300101-K3QF9XZ2B7M4)
//	@Param			body			body		ShipRequest	false	"carrier and tracking number, both optional"
//	@Success		200				{object}	Shipment	"status SHIPPED (or DELIVERED if it was delivered already)"
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_ORDER_NO, INVALID_JSON, INVALID_CARRIER, INVALID_TRACKING_NO"
//	@Failure		401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure		403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure		404				{object}	httpserver.ErrorResponse	"SHIPMENT_NOT_FOUND"
//	@Failure		409				{object}	httpserver.ErrorResponse	"SHIPMENT_ALREADY_SHIPPED or SHIPMENT_CANCELLED"
//	@Failure		413				{object}	httpserver.ErrorResponse	"BODY_TOO_LARGE"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Failure		503				{object}	httpserver.ErrorResponse	"BROKER_UNAVAILABLE: nothing changed; retry"
//	@Security		AdminToken
//	@Router			/api/v1/admin/shipments/{orderNo}/ship [post]
func (h handlers) ship(c *gin.Context) error {
	orderNo := withOrderNo(c, c.Param("orderNo"))
	var req ShipRequest
	if err := bindOptionalJSON(c, &req); err != nil {
		return err
	}
	s, err := h.svc.Ship(c.Request.Context(), orderNo, shipping.ShipRequest{Carrier: req.Carrier, TrackingNo: req.TrackingNo})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toShipment(s))
	return nil
}

// deliver godoc
//
//	@Summary		Mark a shipment delivered
//	@Description	Moves the shipment from SHIPPED to DELIVERED, appends a DELIVERED tracking event and publishes SHIPMENT_DELIVERED transactionally: the order service completes the order when it consumes it. Safe to retry: delivering a delivered shipment answers 200 with it as it is and publishes nothing. A shipment not shipped yet is 409 SHIPMENT_NOT_SHIPPED, one of a refunded order 409 SHIPMENT_CANCELLED. No body.
//	@Tags			admin
//	@Produce		json
//	@Param			X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param			orderNo			path		string	true	"order number"	extensions(x-example=RM20300101-K3QF9XZ2B7M4)
//	@Success		200				{object}	Shipment	"status DELIVERED"
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_ORDER_NO"
//	@Failure		401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure		403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure		404				{object}	httpserver.ErrorResponse	"SHIPMENT_NOT_FOUND"
//	@Failure		409				{object}	httpserver.ErrorResponse	"SHIPMENT_NOT_SHIPPED or SHIPMENT_CANCELLED"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Failure		503				{object}	httpserver.ErrorResponse	"BROKER_UNAVAILABLE: nothing changed; retry"
//	@Security		AdminToken
//	@Router			/api/v1/admin/shipments/{orderNo}/deliver [post]
func (h handlers) deliver(c *gin.Context) error {
	orderNo := withOrderNo(c, c.Param("orderNo"))
	s, err := h.svc.Deliver(c.Request.Context(), orderNo)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toShipment(s))
	return nil
}

// bindOptionalJSON binds a body that may be absent: an empty or blank body
// leaves dst as it is; anything else must be valid JSON for dst, checked as
// strictly as httpserver.BindJSON checks required bodies.
func bindOptionalJSON(c *gin.Context, dst any) error {
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err // WriteError answers 413 BODY_TOO_LARGE
		}
		return apperr.Wrap(apperr.Invalid, apperr.CodeInvalidJSON, "the request body could not be read", err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(raw))
	return httpserver.BindJSON(c, dst)
}
