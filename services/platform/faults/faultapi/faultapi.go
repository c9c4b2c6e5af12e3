// Package faultapi serves a program's fault switches (faults.Set) under
// /api/v1/admin/faults behind the admin token: list the points and the armed
// faults, arm one, clear one, clear all. api-docs/gen reads the annotations
// here into every service's document.
package faultapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// Base is where the routes live.
const Base = "/api/v1/admin/faults"

// Register mounts the fault API of set on r behind adminToken.
func Register(r gin.IRouter, set *faults.Set, adminToken string) {
	h := handlers{set: set}
	g := r.Group(Base, httpserver.RequireAdmin(adminToken))
	g.GET("", httpserver.Handle(h.list))
	g.POST("", httpserver.Handle(h.arm))
	g.DELETE("", httpserver.Handle(h.reset))
	g.DELETE("/:point", httpserver.Handle(h.clear))
}

type handlers struct{ set *faults.Set }

// ArmRequest arms one fault.
type ArmRequest struct {
	// Point is one of the program's points (GET lists them).
	Point string `json:"point" example:"pay.after-half"`
	// Action is one of the point's actions: fail, delay, crash, drop, answer, naive.
	Action string `json:"action" example:"crash" enums:"fail,delay,crash,drop,answer,naive"`
	// Value is the answer (answer) or the naive variant (naive).
	Value string `json:"value,omitempty" example:"unknown"`
	// Count is how many hits fire; 0 = every hit until cleared.
	Count int `json:"count,omitempty" example:"1" minimum:"0" maximum:"1000"`
	// Delay is how long delay waits (a Go duration, 1ms..1m).
	Delay string `json:"delay,omitempty" example:"2s"`
	// For is how long the fault stays armed (a Go duration, up to 24h); empty = until cleared.
	For string `json:"for,omitempty" example:"10m"`
}

// ArmedFault is an armed fault.
type ArmedFault struct {
	Point  string `json:"point" example:"pay.after-half"`
	Action string `json:"action" example:"crash"`
	Value  string `json:"value,omitempty" example:""`
	Count  int    `json:"count" example:"1"`
	Delay  string `json:"delay,omitempty" example:""`
	For    string `json:"for,omitempty" example:"10m"`
	// Left is how many hits are still to fire (count > 0 only).
	Left      int        `json:"left,omitempty" example:"1"`
	Hits      int        `json:"hits" example:"0"`
	ArmedAt   time.Time  `json:"armedAt" example:"2026-12-03T07:00:00Z"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty" example:"2026-12-03T07:10:00Z"`
}

// PointInfo is one fault point.
type PointInfo struct {
	Point       string              `json:"point" example:"pay.after-half"`
	Description string              `json:"description" example:"after the ORDER_PAID half message is stored, before the local transaction: crash"`
	Actions     []string            `json:"actions" example:"crash"`
	Values      map[string][]string `json:"values,omitempty" swaggertype:"object"`
}

// FaultsResponse lists a program's points and armed faults.
type FaultsResponse struct {
	Program string       `json:"program" example:"order"`
	Armed   []ArmedFault `json:"armed"`
	Points  []PointInfo  `json:"points"`
}

// list godoc
//
//	@Summary		List the fault points and the armed faults (training)
//	@Description	The points where a trainer may break this service, the actions each takes, and what is armed now. Nothing is armed unless someone arms it.
//	@Tags			faults
//	@Produce		json
//	@Security		AdminToken
//	@Success		200	{object}	FaultsResponse
//	@Failure		401	{object}	httpserver.ErrorResponse	"missing admin token"
//	@Failure		403	{object}	httpserver.ErrorResponse	"wrong admin token"
//	@Failure		500	{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Router			/api/v1/admin/faults [get]
func (h handlers) list(c *gin.Context) error {
	c.JSON(http.StatusOK, Response(h.set))
	return nil
}

// arm godoc
//
//	@Summary		Arm a fault (training)
//	@Description	Arms a fault at one point, replacing one armed there. It is listed on /readyz and logged each time it fires. Bad input arms nothing.
//	@Tags			faults
//	@Accept			json
//	@Produce		json
//	@Security		AdminToken
//	@Param			fault	body		ArmRequest	true	"the fault"
//	@Success		201		{object}	ArmedFault
//	@Failure		400		{object}	httpserver.ErrorResponse	"POINT_REQUIRED, INVALID_POINT, ACTION_REQUIRED, INVALID_ACTION, INVALID_VALUE, INVALID_COUNT, INVALID_DELAY, INVALID_FOR (details.field)"
//	@Failure		401		{object}	httpserver.ErrorResponse	"missing admin token"
//	@Failure		403		{object}	httpserver.ErrorResponse	"wrong admin token"
//	@Failure		500		{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Router			/api/v1/admin/faults [post]
func (h handlers) arm(c *gin.Context) error {
	var req ArmRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	spec, err := req.spec()
	if err != nil {
		return err
	}
	a, err := h.set.Arm(spec)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, armedFault(a))
	return nil
}

// clear godoc
//
//	@Summary		Clear the fault at one point (training)
//	@Tags			faults
//	@Produce		json
//	@Security		AdminToken
//	@Param			point	path	string	true	"the point"	extensions(x-example=pay.after-half)
//	@Success		204
//	@Failure		401	{object}	httpserver.ErrorResponse	"missing admin token"
//	@Failure		403	{object}	httpserver.ErrorResponse	"wrong admin token"
//	@Failure		404	{object}	httpserver.ErrorResponse	"FAULT_POINT_NOT_FOUND"
//	@Failure		500	{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Router			/api/v1/admin/faults/{point} [delete]
func (h handlers) clear(c *gin.Context) error {
	if err := h.set.Clear(c.Param("point")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// reset godoc
//
//	@Summary		Clear every fault (training)
//	@Tags			faults
//	@Produce		json
//	@Security		AdminToken
//	@Success		204
//	@Failure		401	{object}	httpserver.ErrorResponse	"missing admin token"
//	@Failure		403	{object}	httpserver.ErrorResponse	"wrong admin token"
//	@Failure		500	{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Router			/api/v1/admin/faults [delete]
func (h handlers) reset(c *gin.Context) error {
	h.set.Reset()
	c.Status(http.StatusNoContent)
	return nil
}

// spec checks the durations (the Set checks the rest).
func (r ArmRequest) spec() (faults.Spec, error) {
	sp := faults.Spec{Point: r.Point, Action: faults.Action(r.Action), Value: r.Value, Count: r.Count}
	var err error
	if sp.Delay, err = duration("delay", faults.CodeInvalidDelay, r.Delay); err != nil {
		return faults.Spec{}, err
	}
	if sp.For, err = duration("for", faults.CodeInvalidFor, r.For); err != nil {
		return faults.Spec{}, err
	}
	return sp, nil
}

func duration(field, code, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, apperr.New(apperr.Invalid, code, field+" must be a duration such as 2s or 10m").With("field", field)
	}
	return d, nil
}

// Response is the list answer for set; the gateway's aggregate uses it too.
func Response(set *faults.Set) FaultsResponse {
	out := FaultsResponse{Program: set.Program(), Armed: []ArmedFault{}, Points: []PointInfo{}}
	for _, a := range set.Armed() {
		out.Armed = append(out.Armed, armedFault(a))
	}
	for _, p := range set.Points() {
		info := PointInfo{Point: p.Name, Description: p.Description}
		for _, a := range p.Actions {
			info.Actions = append(info.Actions, string(a))
		}
		for a, vs := range p.Values {
			if info.Values == nil {
				info.Values = map[string][]string{}
			}
			info.Values[string(a)] = vs
		}
		out.Points = append(out.Points, info)
	}
	return out
}

func armedFault(a faults.Armed) ArmedFault {
	f := ArmedFault{Point: a.Point, Action: string(a.Action), Value: a.Value, Count: a.Count, Left: a.Left, Hits: a.Hits, ArmedAt: a.ArmedAt}
	if a.Delay > 0 {
		f.Delay = a.Delay.String()
	}
	if a.For > 0 {
		f.For = a.For.String()
	}
	if !a.ExpiresAt.IsZero() {
		exp := a.ExpiresAt
		f.ExpiresAt = &exp
	}
	return f
}
