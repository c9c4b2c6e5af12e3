package faultapi_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/faults/faultapi"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
)

const token = "s3cret"

func setup(t *testing.T) (*faults.Set, http.Handler) {
	t.Helper()
	set := faults.New("order", slog.New(slog.DiscardHandler))
	set.Declare(
		faults.Point{Name: "pay.after-half", Description: "crash here", Actions: []faults.Action{faults.Crash}},
		faults.Point{Name: "pay.check-back", Description: "answer or be slow", Actions: []faults.Action{faults.Answer, faults.Delay},
			Values: map[faults.Action][]string{faults.Answer: {"unknown"}}},
	)
	srv := httpserver.New(httpserver.Config{}, nil)
	srv.ReadyNote("faults", set.Summaries)
	faultapi.Register(srv.Router(), set, token)
	return set, srv.Handler()
}

func admin() []string {
	return []string{httpserver.HeaderAdminToken, token, "Content-Type", "application/json"}
}

// Arm through the API, see it listed, on /readyz, and cleared.
func TestArmListClear(t *testing.T) {
	set, h := setup(t)
	r := servetest.Do(h, http.MethodPost, faultapi.Base, `{"point":"pay.check-back","action":"answer","value":"unknown","count":3,"for":"10m"}`, admin()...)
	if r.Status != http.StatusCreated {
		t.Fatalf("arm: %d %s", r.Status, r.Body)
	}
	var armed faultapi.ArmedFault
	if err := json.Unmarshal(r.Body, &armed); err != nil || armed.Left != 3 || armed.For != "10m0s" || armed.ExpiresAt == nil {
		t.Errorf("armed %s (%v)", r.Body, err)
	}

	r = servetest.Do(h, http.MethodGet, faultapi.Base, "", admin()...)
	var list faultapi.FaultsResponse
	if err := json.Unmarshal(r.Body, &list); err != nil || r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	if list.Program != "order" || len(list.Armed) != 1 || list.Armed[0].Point != "pay.check-back" || len(list.Points) != 2 ||
		list.Points[1].Values["answer"][0] != "unknown" {
		t.Errorf("list %s", r.Body)
	}

	r = servetest.Do(h, http.MethodGet, "/readyz", "")
	if !strings.Contains(string(r.Body), `"faults":["pay.check-back: answer unknown (3 left`) {
		t.Errorf("readyz does not list the fault: %s", r.Body)
	}

	if r := servetest.Do(h, http.MethodDelete, faultapi.Base+"/pay.check-back", "", admin()...); r.Status != http.StatusNoContent {
		t.Errorf("clear: %d %s", r.Status, r.Body)
	}
	if len(set.Armed()) != 0 {
		t.Errorf("still armed: %+v", set.Armed())
	}
	if r := servetest.Do(h, http.MethodGet, "/readyz", ""); strings.Contains(string(r.Body), "faults") {
		t.Errorf("readyz lists faults with none armed: %s", r.Body)
	}

	servetest.Do(h, http.MethodPost, faultapi.Base, `{"point":"pay.after-half","action":"crash"}`, admin()...)
	if r := servetest.Do(h, http.MethodDelete, faultapi.Base, "", admin()...); r.Status != http.StatusNoContent || len(set.Armed()) != 0 {
		t.Errorf("reset: %d, armed %+v", r.Status, set.Armed())
	}
}

// Requests a client should not send: each refused with its code, nothing armed.
func TestHostile(t *testing.T) {
	set, h := setup(t)
	post := func(name, body string, status int, code string) servetest.Hostile {
		return servetest.Hostile{Name: name, Method: http.MethodPost, Path: faultapi.Base, Body: body, Status: status, Code: code}
	}
	reqs := []servetest.Hostile{
		{Name: "no token", Path: faultapi.Base, Headers: []string{}, Status: 401, Code: "ADMIN_TOKEN_REQUIRED"},
		{Name: "wrong token", Method: http.MethodPost, Path: faultapi.Base, Body: `{"point":"pay.after-half","action":"crash"}`,
			Headers: []string{httpserver.HeaderAdminToken, "guess"}, Status: 403, Code: "INVALID_ADMIN_TOKEN"},
		post("empty body", "", 400, "INVALID_JSON"),
		post("not json", "crash please", 400, "INVALID_JSON"),
		post("unknown field", `{"point":"pay.after-half","action":"crash","times":3}`, 400, "INVALID_JSON"),
		post("no point", `{"action":"crash"}`, 400, faults.CodePointRequired),
		post("unknown point", `{"point":"pay.before-everything","action":"crash"}`, 400, faults.CodeInvalidPoint),
		post("no action", `{"point":"pay.after-half"}`, 400, faults.CodeActionRequired),
		post("action the point does not take", `{"point":"pay.after-half","action":"fail"}`, 400, faults.CodeInvalidAction),
		post("bad value", `{"point":"pay.check-back","action":"answer","value":"commit"}`, 400, faults.CodeInvalidValue),
		post("negative count", `{"point":"pay.after-half","action":"crash","count":-1}`, 400, faults.CodeInvalidCount),
		post("count as text", `{"point":"pay.after-half","action":"crash","count":"3"}`, 400, "INVALID_JSON"),
		post("huge count", `{"point":"pay.after-half","action":"crash","count":1000000}`, 400, faults.CodeInvalidCount),
		post("delay without unit", `{"point":"pay.check-back","action":"delay","delay":"5"}`, 400, faults.CodeInvalidDelay),
		post("huge delay", `{"point":"pay.check-back","action":"delay","delay":"1h"}`, 400, faults.CodeInvalidDelay),
		post("huge for", `{"point":"pay.after-half","action":"crash","for":"9000h"}`, 400, faults.CodeInvalidFor),
		{Name: "clear unknown point", Method: http.MethodDelete, Path: faultapi.Base + "/nope", Status: 404, Code: faults.CodePointNotFound},
	}
	servetest.RunHostile(t, h, func(servetest.Hostile) []string { return admin() }, reqs, func(t *testing.T) {
		if got := set.Armed(); len(got) != 0 {
			t.Errorf("armed after a refused request: %+v", got)
		}
	})
}
