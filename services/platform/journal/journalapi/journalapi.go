// Package journalapi serves a service's journal (package journal) under
// /api/v1/admin/journal behind the admin token: the steps this service took
// with the messages of one key, for the gateway's per-order timeline.
// api-docs/gen reads the annotations here into every service's document.
package journalapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/journal"
)

// Base is where the route lives.
const Base = "/api/v1/admin/journal"

// The codes of a refused key (Invalid, 400; details.field is "key").
const (
	CodeKeyRequired = "KEY_REQUIRED"
	CodeInvalidKey  = "INVALID_KEY"
)

// Register mounts the journal API of j on r behind adminToken.
func Register(r gin.IRouter, j *journal.Journal, adminToken string) {
	h := handlers{j: j}
	r.GET(Base, httpserver.RequireAdmin(adminToken), httpserver.Handle(h.byKey))
}

type handlers struct{ j *journal.Journal }

// Response is one key's entries in this service's journal.
type Response struct {
	// Entries are oldest first (at most the newest 1000).
	Entries []journal.Entry `json:"entries"`
	// Retention says how long this service keeps entries.
	Retention string `json:"retention" example:"24 h, at most 100000 entries, in this service's database"`
}

// byKey godoc
//
//	@Summary		This service's journal of one message key (an order number)
//	@Description	The steps this service took with the messages keyed by an order number, oldest first: half messages sent, local transactions, what it told the broker, check-backs answered, deliveries consumed. The gateway merges them with the other services' and the broker's into the order's timeline. Best effort: a step whose write failed is missing, and entries older than the retention are gone.
//	@Tags			journal
//	@Produce		json
//	@Security		AdminToken
//	@Param			key	query		string	true	"the message key: an order number (1 to 128 printable ASCII characters, no spaces)"	extensions(x-example=RM20261203-ABC)
//	@Success		200	{object}	Response
//	@Failure		400	{object}	httpserver.ErrorResponse	"KEY_REQUIRED, INVALID_KEY (details.field)"
//	@Failure		401	{object}	httpserver.ErrorResponse	"missing admin token"
//	@Failure		403	{object}	httpserver.ErrorResponse	"wrong admin token"
//	@Failure		500	{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Router			/api/v1/admin/journal [get]
func (h handlers) byKey(c *gin.Context) error {
	key := c.Query("key")
	if err := checkKey(key); err != nil {
		return err
	}
	entries, err := h.j.ByKey(c.Request.Context(), key)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []journal.Entry{}
	}
	c.JSON(http.StatusOK, Response{Entries: entries, Retention: h.j.Retention().String()})
	return nil
}

// checkKey accepts what a message key can be: RocketMQ separates keys by
// spaces, and the journal's column holds 128 characters.
func checkKey(key string) error {
	if key == "" {
		return apperr.New(apperr.Invalid, CodeKeyRequired, "the query parameter key (an order number) is required").With("field", "key")
	}
	if len(key) > journal.MaxKeyLen {
		return apperr.New(apperr.Invalid, CodeInvalidKey, "key is longer than 128 characters").With("field", "key")
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] > '~' {
			return apperr.New(apperr.Invalid, CodeInvalidKey, "key must be printable ASCII without spaces").With("field", "key")
		}
	}
	return nil
}
