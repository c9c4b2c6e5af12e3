package minirmq_test

// The workshop faults' admin API (the shared fault contract): validation,
// the admin token, replace and clear semantics, expiry, visibility in
// /healthz, arming at start and forgetting on restart.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq"
)

type armedFault struct {
	Point     string `json:"point"`
	Action    string `json:"action"`
	Value     string `json:"value"`
	Count     int    `json:"count"`
	Delay     string `json:"delay"`
	For       string `json:"for"`
	Left      *int   `json:"left"`
	Hits      int    `json:"hits"`
	ArmedAt   string `json:"armedAt"`
	ExpiresAt string `json:"expiresAt"`
}

type faultPoint struct {
	Point   string              `json:"point"`
	Actions []string            `json:"actions"`
	Values  map[string][]string `json:"values"`
}

type faultsView struct {
	Program string       `json:"program"`
	Armed   []armedFault `json:"armed"`
	Points  []faultPoint `json:"points"`
}

func (b *broker) faults(t testing.TB) faultsView {
	t.Helper()
	var v faultsView
	b.mustCall(t, "GET", "/api/v1/faults", "", http.StatusOK, &v)
	return v
}

// armed returns the fault armed at point, if any.
func (b *broker) armed(t testing.TB, point string) (armedFault, bool) {
	t.Helper()
	for _, a := range b.faults(t).Armed {
		if a.Point == point {
			return a, true
		}
	}
	return armedFault{}, false
}

func (b *broker) arm(t testing.TB, body string) armedFault {
	t.Helper()
	var a armedFault
	b.mustCall(t, "POST", "/api/v1/faults", body, http.StatusCreated, &a)
	return a
}

func (b *broker) healthFaults(t testing.TB) []string {
	t.Helper()
	var h struct {
		Status string   `json:"status"`
		Faults []string `json:"faults"`
	}
	b.mustCall(t, "GET", "/healthz", "", http.StatusOK, &h)
	if h.Status != "ok" {
		t.Errorf("healthz status %q, want ok whatever is armed", h.Status)
	}
	return h.Faults
}

// wantError asserts status, the error code and details.field ("" = none).
func wantError(t testing.TB, what string, status int, raw []byte, wantStatus int, code, field string) {
	t.Helper()
	var e struct {
		Error struct {
			Code    string         `json:"code"`
			Message string         `json:"message"`
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Errorf("%s: body %s is not the error shape: %v", what, raw, err)
		return
	}
	gotField, _ := e.Error.Details["field"].(string)
	if status != wantStatus || e.Error.Code != code || gotField != field || e.Error.Message == "" {
		t.Errorf("%s: %d %s (field %q); want %d %s (field %q); body %s", what, status, e.Error.Code, gotField, wantStatus, code, field, raw)
	}
}

func TestFaultsAPIRefusesBadInput(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	for _, tc := range []struct {
		name, body, code, field string
	}{
		{"no point", `{"action":"pause"}`, "POINT_REQUIRED", "point"},
		{"unknown point", `{"point":"pay.after-half","action":"crash"}`, "INVALID_POINT", "point"},
		{"group name with a space", `{"point":"deliver.no such group","action":"pause"}`, "INVALID_POINT", "point"},
		{"group name too long", `{"point":"deliver.` + strings.Repeat("g", 121) + `","action":"pause"}`, "INVALID_POINT", "point"},
		{"no action", `{"point":"deliver"}`, "ACTION_REQUIRED", "action"},
		{"unknown action", `{"point":"deliver","action":"crash"}`, "INVALID_ACTION", "action"},
		{"action of another point", `{"point":"check-back","action":"pause"}`, "INVALID_ACTION", "action"},
		{"value", `{"point":"check-back","action":"drop","value":"unknown"}`, "INVALID_VALUE", "value"},
		{"negative count", `{"point":"check-back","action":"drop","count":-1}`, "INVALID_COUNT", "count"},
		{"count over 1000", `{"point":"check-back","action":"drop","count":1001}`, "INVALID_COUNT", "count"},
		{"huge count", `{"point":"deliver","action":"duplicate","count":1e30}`, "INVALID_COUNT", "count"},
		{"count as text", `{"point":"deliver","action":"duplicate","count":"2"}`, "INVALID_COUNT", "count"},
		{"pause with a count", `{"point":"deliver","action":"pause","count":2}`, "INVALID_COUNT", "count"},
		{"delay without a delay", `{"point":"check-back","action":"delay"}`, "INVALID_DELAY", "delay"},
		{"huge delay", `{"point":"deliver","action":"delay","delay":"100000h"}`, "INVALID_DELAY", "delay"},
		{"delay over 60s", `{"point":"deliver","action":"delay","delay":"61s"}`, "INVALID_DELAY", "delay"},
		{"delay on another action", `{"point":"check-back","action":"drop","delay":"1s"}`, "INVALID_DELAY", "delay"},
		{"huge for", `{"point":"check-back","action":"drop","for":"9999h"}`, "INVALID_FOR", "for"},
		{"negative for", `{"point":"check-back","action":"drop","for":"-1m"}`, "INVALID_FOR", "for"},
		{"for not a duration", `{"point":"check-back","action":"drop","for":"soon"}`, "INVALID_FOR", "for"},
		{"unknown field", `{"point":"check-back","action":"drop","times":2}`, "INVALID_JSON", "times"},
		{"not JSON", `{"point":`, "INVALID_JSON", ""},
		{"empty body", ``, "INVALID_JSON", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, raw := b.call(t, "POST", "/api/v1/faults", tc.body)
			wantError(t, tc.name, status, raw, http.StatusBadRequest, tc.code, tc.field)
			if v := b.faults(t); len(v.Armed) != 0 {
				t.Errorf("a refused request armed %+v", v.Armed)
			}
		})
	}
	if f := b.healthFaults(t); f != nil {
		t.Errorf("healthz lists faults %v with none armed", f)
	}
}

// TestAdminTokenGuardsMutations: faults, replay, redeliver and the
// profiles need X-Admin-Token (401 without, 403 wrong) and do nothing
// without it; reads need none.
func TestAdminTokenGuardsMutations(t *testing.T) {
	t.Parallel()
	b := startBroker(t, func(c *minirmq.Config) { c.AdminToken = "trainer-secret" })
	arm := `{"point":"check-back","action":"drop"}`
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/api/v1/faults", ""},
		{"POST", "/api/v1/faults", arm},
		{"DELETE", "/api/v1/faults", ""},
		{"DELETE", "/api/v1/faults/check-back", ""},
		{"POST", "/api/v1/consumer-groups/some-group/redeliver", `{"msgId":"x"}`},
		{"POST", "/api/v1/dead-letters/some-group/0/replay", ""},
		{"GET", "/debug/pprof/", ""},
		{"GET", "/debug/pprof/heap", ""},
		{"GET", "/debug/pprof/profile?seconds=1", ""},
	} {
		what := r.method + " " + r.path
		status, raw := b.callWithToken(t, "", r.method, r.path, r.body)
		wantError(t, what+" without a token", status, raw, http.StatusUnauthorized, "ADMIN_TOKEN_REQUIRED", "")
		status, raw = b.callWithToken(t, minirmq.DefaultAdminToken, r.method, r.path, r.body)
		wantError(t, what+" with a wrong token", status, raw, http.StatusForbidden, "INVALID_ADMIN_TOKEN", "")
	}
	if v := b.faults(t); len(v.Armed) != 0 {
		t.Errorf("POST without the right token armed %+v", v.Armed)
	}
	if status, raw := b.callWithToken(t, "trainer-secret", "GET", "/debug/pprof/goroutine?debug=1", ""); status != http.StatusOK || !strings.Contains(string(raw), "goroutine profile:") {
		t.Errorf("the goroutine profile with the token: %d %.100s", status, raw)
	}
	for _, path := range []string{"/healthz", "/api/v1/topics", "/api/v1/consumer-groups", "/api/v1/transactions"} {
		if status, raw := b.callWithToken(t, "", "GET", path, ""); status != http.StatusOK {
			t.Errorf("GET %s without a token: %d %s, want 200 (reads are open)", path, status, raw)
		}
	}
}

func TestFaultsAPIArmReplaceClear(t *testing.T) {
	t.Parallel()
	b := startBroker(t)

	v := b.faults(t)
	if v.Program != "minirmq" || v.Armed == nil || len(v.Armed) != 0 {
		t.Errorf("GET on a fresh broker: program %q armed %v; want minirmq and []", v.Program, v.Armed)
	}
	var points []string
	for _, p := range v.Points {
		points = append(points, p.Point+"="+strings.Join(p.Actions, ","))
		if p.Values == nil {
			t.Errorf("point %s: values missing, want {}", p.Point)
		}
	}
	for _, want := range []string{"deliver=pause,duplicate,delay", "deliver.<group>=pause,duplicate,delay", "check-back=delay,drop"} {
		if !slices.Contains(points, want) {
			t.Errorf("points %v: missing %s", points, want)
		}
	}

	before := time.Now().Add(-time.Second)
	a := b.arm(t, `{"point":"deliver.points-order-paid","action":"pause"}`)
	if a.Point != "deliver.points-order-paid" || a.Action != "pause" || a.Count != 0 || a.Left != nil || a.Hits != 0 ||
		a.Delay != "" || a.For != "" || a.ExpiresAt != "" {
		t.Errorf("armed %+v: want pause, count 0, no left, no delay, no for, no expiresAt", a)
	}
	if at, err := time.Parse(time.RFC3339, a.ArmedAt); err != nil || at.Before(before) {
		t.Errorf("armedAt %q (%v): want an RFC 3339 time of now", a.ArmedAt, err)
	}
	a = b.arm(t, `{"point":"check-back","action":"delay","delay":"1500ms","count":3,"for":"10m"}`)
	if a.Count != 3 || a.Left == nil || *a.Left != 3 || a.Delay != "1.5s" || a.For != "10m0s" || a.ExpiresAt == "" {
		t.Errorf("armed %+v: want count 3, left 3, delay 1.5s, for 10m0s, an expiresAt", a)
	}

	// arming an armed point replaces its fault
	b.arm(t, `{"point":"deliver.points-order-paid","action":"delay","delay":"2s"}`)
	v = b.faults(t)
	if len(v.Armed) != 2 || v.Armed[1].Point != "deliver.points-order-paid" || v.Armed[1].Action != "delay" || v.Armed[1].Delay != "2s" {
		t.Errorf("after re-arming deliver.points-order-paid: %+v; want check-back and deliver.points-order-paid: delay 2s", v.Armed)
	}
	if got, want := b.healthFaults(t), []string{"check-back: delay (3 left)", "deliver.points-order-paid: delay"}; !slices.Equal(got, want) {
		t.Errorf("healthz faults %q, want %q", got, want)
	}

	status, raw := b.call(t, "DELETE", "/api/v1/faults/deliver.not valid", "")
	wantError(t, "DELETE an unknown point", status, raw, http.StatusNotFound, "FAULT_POINT_NOT_FOUND", "point")
	if status, raw := b.call(t, "DELETE", "/api/v1/faults/deliver.never-armed", ""); status != http.StatusNoContent {
		t.Errorf("DELETE a known point that is not armed: %d %s, want 204", status, raw)
	}
	if status, raw := b.call(t, "DELETE", "/api/v1/faults/deliver.points-order-paid", ""); status != http.StatusNoContent || len(raw) != 0 {
		t.Errorf("DELETE deliver.points-order-paid: %d %q, want 204 without a body", status, raw)
	}
	if v := b.faults(t); len(v.Armed) != 1 || v.Armed[0].Point != "check-back" {
		t.Errorf("after clearing one point: %+v, want check-back only", v.Armed)
	}

	b.arm(t, `{"point":"deliver","action":"duplicate","count":5}`)
	if status, raw := b.call(t, "DELETE", "/api/v1/faults", ""); status != http.StatusNoContent {
		t.Errorf("DELETE all: %d %s, want 204", status, raw)
	}
	if v := b.faults(t); len(v.Armed) != 0 {
		t.Errorf("after DELETE all: %+v armed", v.Armed)
	}
	if f := b.healthFaults(t); f != nil {
		t.Errorf("healthz lists %v after DELETE all", f)
	}

	// for: the fault disappears by itself
	b.arm(t, `{"point":"check-back","action":"drop","for":"300ms"}`)
	eventually(t, 10*time.Second, func() bool { _, ok := b.armed(t, "check-back"); return !ok },
		"check-back drop for 300ms gone; armed: %v", func() string { return fmt.Sprint(b.faults(t).Armed) })
}

// TestFaultsArmedAtStartAndForgottenOnRestart: Config.Faults (MINIRMQ_FAULTS)
// arms at start; a fault armed through the API does not survive a restart.
func TestFaultsArmedAtStartAndForgottenOnRestart(t *testing.T) {
	t.Parallel()
	b := startBroker(t, durable(t), func(c *minirmq.Config) {
		c.Faults = "check-back=drop,count=3; deliver.points-order-paid=pause"
	})
	want := []string{"check-back: drop (3 left)", "deliver.points-order-paid: pause"}
	if got := b.healthFaults(t); !slices.Equal(got, want) {
		t.Fatalf("armed at start: %q, want %q", got, want)
	}
	b.arm(t, `{"point":"deliver","action":"delay","delay":"1s"}`)
	b.mustCall(t, "DELETE", "/api/v1/faults/check-back", "", http.StatusNoContent, nil)
	b.restart(t)
	if got := b.healthFaults(t); !slices.Equal(got, want) {
		t.Errorf("after a restart: %q, want only the start-up faults again %q", got, want)
	}

	if _, err := minirmq.Start(func() minirmq.Config {
		c := minirmq.DefaultConfig()
		c.ListenAddr, c.Faults = "127.0.0.1:0", "deliver=pause;check-back=explode"
		return c
	}()); err == nil || !strings.Contains(err.Error(), `item "check-back=explode"`) {
		t.Errorf("Start with a bad fault item: %v; want an error naming the item", err)
	}
}
