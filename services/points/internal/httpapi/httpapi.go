// Package httpapi is the points service's HTTP API: gin routes, DTOs and the
// swag annotations the OpenAPI document is generated from.
package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// handlers binds the routes to the points service.
type handlers struct {
	svc *points.Service
}

// Register adds the points routes to r: the caller's points under
// /api/v1/points (X-User-ID naming a demo user), the order service's
// redemptions under /api/v1/redemptions and the audit's read-only views
// under /api/v1/admin/points (both X-Admin-Token).
func Register(r gin.IRouter, svc *points.Service, adminToken string) {
	h := handlers{svc: svc}
	user := r.Group("/api/v1/points", httpserver.RequireUser(contracts.IsDemoUser))
	user.GET("", httpserver.Handle(h.statement))
	user.GET("/ledger", httpserver.Handle(h.ledger))

	redemptions := r.Group("/api/v1/redemptions", httpserver.RequireAdmin(adminToken))
	redemptions.POST("", httpserver.Handle(h.redeem))
	redemptions.GET("/:orderNo", httpserver.Handle(h.redemption))

	admin := r.Group("/api/v1/admin/points", httpserver.RequireAdmin(adminToken))
	admin.GET("/accounts", httpserver.Handle(h.accounts))
	admin.GET("/ledger", httpserver.Handle(h.allEntries))
}

// statement godoc
//
//	@Summary		Show the caller's points
//	@Description	The caller's balance and their newest 50 ledger entries, newest first, read together so the balance matches the entries. A user who has never earned points gets balance 0 and an empty ledger. Points are credited by the ORDER_PAID consumer: one point per whole currency unit paid (totalCents / 100, rounded down).
//	@Tags			points
//	@Produce		json
//	@Param			X-User-ID	header		string	true	"demo user id"	extensions(x-example=alice)
//	@Success		200			{object}	StatementResponse
//	@Failure		401			{object}	httpserver.ErrorResponse	"USER_REQUIRED, UNKNOWN_USER"
//	@Failure		500			{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		UserID
//	@Router			/api/v1/points [get]
func (h handlers) statement(c *gin.Context) error {
	st, err := h.svc.Statement(c.Request.Context(), httpserver.UserID(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, StatementResponse{UserID: st.UserID, Balance: st.Balance, Ledger: entryResponses(st.Ledger)})
	return nil
}

// ledger godoc
//
//	@Summary		List the caller's ledger entries
//	@Description	The caller's entries, newest first, at most limit of them, optionally only those of one order. An order number that is not the caller's (another user's, or unknown) matches nothing: 200 with no entries.
//	@Tags			points
//	@Produce		json
//	@Param			X-User-ID	header		string	true	"demo user id"										extensions(x-example=alice)
//	@Param			orderNo		query		string	false	"only this order's entries (1 to 64 visible ASCII characters)"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Param			limit		query		int		false	"how many entries, 1 to 200"						default(50)	minimum(1)	maximum(200)	extensions(x-example=20)
//	@Success		200			{object}	EntriesResponse
//	@Failure		400			{object}	httpserver.ErrorResponse	"INVALID_ORDER_NO, INVALID_LIMIT (details.field names the parameter)"
//	@Failure		401			{object}	httpserver.ErrorResponse	"USER_REQUIRED, UNKNOWN_USER"
//	@Failure		500			{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		UserID
//	@Router			/api/v1/points/ledger [get]
func (h handlers) ledger(c *gin.Context) error {
	orderNo, err := orderNoParam(c)
	if err != nil {
		return err
	}
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	entries, err := h.svc.Ledger(c.Request.Context(), httpserver.UserID(c), orderNo, limit)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, EntriesResponse{Entries: entryResponses(entries)})
	return nil
}

// accounts godoc
//
//	@Summary		List every points account for the audit
//	@Description	Every account's balance next to ledgerSum, the sum of its ledger entries computed by the database; the audit expects them equal. A user with entries but no account (which the service never creates) is listed with balance 0. Not paginated: the demo has a handful of users.
//	@Tags			admin
//	@Produce		json
//	@Param			X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Success		200				{object}	AccountsResponse
//	@Failure		401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure		403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		AdminToken
//	@Router			/api/v1/admin/points/accounts [get]
func (h handlers) accounts(c *gin.Context) error {
	checks, err := h.svc.Checks(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, accountsResponse(checks))
	return nil
}

// allEntries godoc
//
//	@Summary		List every ledger entry for the audit
//	@Description	Every user's entries, oldest first, optionally only those of one order; the audit checks there is exactly one ORDER_PAID entry of totalCents / 100 points per paid order and none for an unpaid one. Not paginated: a demo's ledger is small.
//	@Tags			admin
//	@Produce		json
//	@Param			X-Admin-Token	header		string	true	"admin token"														extensions(x-example=rocketmart-admin)
//	@Param			orderNo			query		string	false	"only this order's entries (1 to 64 visible ASCII characters)"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Success		200				{object}	EntriesResponse
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_ORDER_NO"
//	@Failure		401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure		403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		AdminToken
//	@Router			/api/v1/admin/points/ledger [get]
func (h handlers) allEntries(c *gin.Context) error {
	orderNo, err := orderNoParam(c)
	if err != nil {
		return err
	}
	entries, err := h.svc.AllEntries(c.Request.Context(), orderNo)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, EntriesResponse{Entries: entryResponses(entries)})
	return nil
}

// limitParam reads the optional limit: absent is points.DefaultLimit; given,
// it must be one integer from 1 to points.MaxLimit.
func limitParam(c *gin.Context) (int, error) {
	values, ok := c.GetQueryArray("limit")
	switch {
	case !ok:
		return points.DefaultLimit, nil
	case len(values) > 1:
		return 0, points.InvalidLimit()
	}
	return points.ParseLimit(values[0])
}

// orderNoParam reads the optional orderNo filter: absent is "", given it
// must be one valid order number (an empty or repeated one is a client
// mistake, not "no filter").
func orderNoParam(c *gin.Context) (string, error) {
	values, ok := c.GetQueryArray("orderNo")
	switch {
	case !ok:
		return "", nil
	case len(values) > 1:
		return "", apperr.New(apperr.Invalid, points.CodeInvalidOrderNo, "give orderNo at most once").
			With("field", "orderNo")
	}
	if err := points.ValidateOrderNo(values[0]); err != nil {
		return "", err
	}
	return values[0], nil
}
