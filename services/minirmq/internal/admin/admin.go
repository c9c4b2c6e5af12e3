// Package admin serves minirmq's admin HTTP API: topics, messages, half
// messages, consumer groups, dead letters with replay, redelivery and
// Prometheus metrics. The routes are documented in the module README.
package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/broker"
)

const (
	defaultLimit = 20
	maxLimit     = 1000
	defaultScan  = 100000
	maxBodyBytes = 1 << 20
)

// Handler returns the admin API for a broker.
func Handler(b *broker.Broker, log *slog.Logger) http.Handler {
	a := &api{b: b, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(b.Metrics().Registry, promhttp.HandlerOpts{}))
	mux.Handle("GET /api/v1/topics", a.handle(a.topics))
	mux.Handle("GET /api/v1/topics/{topic}/messages", a.handle(a.topicMessages))
	mux.Handle("GET /api/v1/messages/{id}", a.handle(a.message))
	mux.Handle("GET /api/v1/transactions", a.handle(a.transactions))
	mux.Handle("GET /api/v1/consumer-groups", a.handle(a.groups))
	mux.Handle("GET /api/v1/consumer-groups/{group}", a.handle(a.group))
	mux.Handle("POST /api/v1/consumer-groups/{group}/redeliver", a.handle(a.redeliver))
	mux.Handle("GET /api/v1/producer-groups", a.handle(a.producerGroups))
	mux.Handle("GET /api/v1/delayed", a.handle(a.delayed))
	mux.Handle("GET /api/v1/dead-letters", a.handle(a.deadLetters))
	mux.Handle("GET /api/v1/dead-letters/{group}", a.handle(a.groupDeadLetters))
	mux.Handle("POST /api/v1/dead-letters/{group}/{offset}/replay", a.handle(a.replay))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("no route %s %s; see the minirmq README", r.Method, r.URL.Path))
	})
	return mux
}

type api struct {
	b   *broker.Broker
	log *slog.Logger
}

// result is a handler's answer: a status and a JSON value.
type result struct {
	status int
	body   any
}

func ok(body any) result { return result{http.StatusOK, body} }

// badInput is a request error found by the admin layer itself.
type badInput struct{ msg string }

func (e badInput) Error() string { return e.msg }

func (a *api) handle(fn func(*http.Request) (result, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := fn(r)
		if err != nil {
			status, code := classify(err)
			if status >= 500 {
				a.log.Error("admin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
				writeError(w, status, code, "internal error; see the broker log")
				return
			}
			writeError(w, status, code, err.Error())
			return
		}
		writeJSON(w, res.status, res.body)
	})
}

// classify is the one table from error kinds to HTTP statuses.
func classify(err error) (int, string) {
	var bi badInput
	switch {
	case errors.As(err, &bi), errors.Is(err, broker.ErrInvalid):
		return http.StatusBadRequest, "BAD_REQUEST"
	case errors.Is(err, broker.ErrNotFound):
		return http.StatusNotFound, "NOT_FOUND"
	case errors.Is(err, broker.ErrConflict):
		return http.StatusConflict, "CONFLICT"
	}
	return http.StatusInternalServerError, "INTERNAL"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
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
