// Package admin serves minirmq's admin HTTP API: topics, messages, half
// messages, consumer groups, dead letters with replay, redelivery, the
// journal of a message key, the workshop faults, Prometheus metrics and Go's
// profiles (net/http/pprof under /debug/pprof/). Reading needs nothing;
// every route that changes something, and the profiles, need the admin
// token. The routes are
// documented in the module README.
package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strconv"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/broker"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/faults"
)

const (
	defaultLimit = 20
	maxLimit     = 1000
	defaultScan  = 100000
	maxBodyBytes = 1 << 20
)

// Handler returns the admin API for a broker. token is the admin token the
// mutating routes require in X-Admin-Token.
func Handler(b *broker.Broker, token string, log *slog.Logger) http.Handler {
	a := &api{b: b, faults: b.Faults(), token: token, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.health)
	mux.Handle("GET /metrics", promhttp.HandlerFor(b.Metrics().Registry, promhttp.HandlerOpts{}))
	mux.Handle("GET /api/v1/topics", a.handle(a.topics))
	mux.Handle("GET /api/v1/topics/{topic}/messages", a.handle(a.topicMessages))
	mux.Handle("GET /api/v1/messages/{id}", a.handle(a.message))
	mux.Handle("GET /api/v1/transactions", a.handle(a.transactions))
	mux.Handle("GET /api/v1/consumer-groups", a.handle(a.groups))
	mux.Handle("GET /api/v1/consumer-groups/{group}", a.handle(a.group))
	mux.Handle("POST /api/v1/consumer-groups/{group}/redeliver", a.admin(a.handle(a.redeliver)))
	mux.Handle("GET /api/v1/producer-groups", a.handle(a.producerGroups))
	mux.Handle("GET /api/v1/delayed", a.handle(a.delayed))
	mux.Handle("GET /api/v1/dead-letters", a.handle(a.deadLetters))
	mux.Handle("GET /api/v1/dead-letters/{group}", a.handle(a.groupDeadLetters))
	mux.Handle("POST /api/v1/dead-letters/{group}/{offset}/replay", a.admin(a.handle(a.replay)))
	mux.Handle("GET /api/v1/journal", a.handle(a.journal))
	mux.Handle("GET /api/v1/faults", a.admin(a.handle(a.listFaults)))
	mux.Handle("POST /api/v1/faults", a.admin(a.handle(a.armFault)))
	mux.Handle("DELETE /api/v1/faults", a.admin(a.handle(a.clearFaults)))
	mux.Handle("DELETE /api/v1/faults/{point}", a.admin(a.handle(a.clearFault)))
	// Go's profiles, for the admin: profile the broker under load.
	mux.Handle("/debug/pprof/", a.admin(http.HandlerFunc(pprof.Index))) // the index and every named profile
	mux.Handle("/debug/pprof/cmdline", a.admin(http.HandlerFunc(pprof.Cmdline)))
	mux.Handle("/debug/pprof/profile", a.admin(http.HandlerFunc(pprof.Profile)))
	mux.Handle("/debug/pprof/symbol", a.admin(http.HandlerFunc(pprof.Symbol)))
	mux.Handle("/debug/pprof/trace", a.admin(http.HandlerFunc(pprof.Trace)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("no route %s %s; see the minirmq README", r.Method, r.URL.Path), nil)
	})
	return mux
}

type api struct {
	b      *broker.Broker
	faults *faults.Set
	token  string
	log    *slog.Logger
}

// result is a handler's answer: a status and a JSON value.
type result struct {
	status int
	body   any
}

func ok(body any) result { return result{http.StatusOK, body} }

// noContent is a 204 answer.
var noContent = result{status: http.StatusNoContent}

// badInput is a request error found by the admin layer itself.
type badInput struct{ msg string }

func (e badInput) Error() string { return e.msg }

func (a *api) handle(fn func(*http.Request) (result, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := fn(r)
		if err != nil {
			status, code, details := classify(err)
			if status >= 500 {
				a.log.Error("admin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
				writeError(w, status, code, "internal error; see the broker log", nil)
				return
			}
			writeError(w, status, code, err.Error(), details)
			return
		}
		if res.status == http.StatusNoContent {
			w.WriteHeader(res.status)
			return
		}
		writeJSON(w, res.status, res.body)
	})
}

// classify is the one table from error kinds to HTTP statuses, codes and
// details.
func classify(err error) (int, string, map[string]any) {
	var bi badInput
	var fe *faults.Error
	switch {
	case errors.As(err, &fe):
		var details map[string]any
		if fe.Field != "" {
			details = map[string]any{"field": fe.Field}
		}
		return http.StatusBadRequest, fe.Code, details
	case errors.Is(err, faults.ErrUnknownPoint):
		return http.StatusNotFound, "FAULT_POINT_NOT_FOUND", map[string]any{"field": "point"}
	case errors.As(err, &bi), errors.Is(err, broker.ErrInvalid):
		return http.StatusBadRequest, "BAD_REQUEST", nil
	case errors.Is(err, broker.ErrNotFound):
		return http.StatusNotFound, "NOT_FOUND", nil
	case errors.Is(err, broker.ErrConflict):
		return http.StatusConflict, "CONFLICT", nil
	}
	return http.StatusInternalServerError, "INTERNAL", nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// writeError writes the shop's error shape, {"error":{"code","message","details"}}.
func writeError(w http.ResponseWriter, status int, code, msg string, details map[string]any) {
	e := map[string]any{"code": code, "message": msg}
	if len(details) > 0 {
		e["details"] = details
	}
	writeJSON(w, status, map[string]any{"error": e})
}

// intParam reads an optional integer query parameter within [lo, hi].
func intParam(r *http.Request, name string, def, lo, hi int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, badInput{fmt.Sprintf("query parameter %s=%q must be an integer in [%d, %d]", name, s, lo, hi)}
	}
	return n, nil
}

// decodeBody reads a small JSON request body, rejecting unknown fields.
func decodeBody(r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return badInput{fmt.Sprintf("request body must be a JSON object: %v", err)}
	}
	return nil
}
