package launcher

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

const testToken = "control-test-token"

// ctl sends one request to the shop's control API handler and decodes the
// answer into a generic map.
func ctl(t *testing.T, s *Shop, method, path, token string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("X-Admin-Token", token)
	}
	rec := httptest.NewRecorder()
	s.control.handler().ServeHTTP(rec, req)
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s %s: %d, body %q is not JSON", method, path, rec.Code, rec.Body.String())
	}
	return rec.Code, body
}

// errCode returns the code of the shop's error shape, failing without one.
func errCode(t *testing.T, body map[string]any) string {
	t.Helper()
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	if msg, _ := e["message"].(string); code == "" || msg == "" {
		t.Fatalf("body %v is not the shop's error shape", body)
	}
	return code
}

// bareShop is a shop whose programs never started: enough for the answers
// that come before any program is touched.
func bareShop(opts Options) *Shop {
	s := &Shop{URL: map[string]string{}, opts: opts, ctx: context.Background(), progress: io.Discard}
	for _, p := range append([]Program{Broker}, servers()...) {
		s.procs = append(s.procs, &proc{name: p.Name})
	}
	s.control = &control{shop: s, token: testToken, labs: opts.Labs}
	return s
}

func TestControlNeedsTheToken(t *testing.T) {
	s := bareShop(Options{})
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/programs"},
		{"POST", "/api/v1/programs/payment/crash"},
		{"POST", "/api/v1/reset"},
		{"GET", "/api/v1/labs"},
		{"GET", "/api/v1/no-such-route"},
	} {
		for _, c := range []struct {
			token, code string
			status      int
		}{
			{"", "ADMIN_TOKEN_REQUIRED", http.StatusUnauthorized},
			{"wrong-token", "INVALID_ADMIN_TOKEN", http.StatusForbidden},
		} {
			status, body := ctl(t, s, r.method, r.path, c.token)
			if status != c.status || errCode(t, body) != c.code {
				t.Errorf("%s %s with token %q: %d %v, want %d %s", r.method, r.path, c.token, status, body, c.status, c.code)
			}
		}
	}
}

// The programs listed, stopped, started and crashed through the control
// API, with the answers for an unknown program, a wrong state and an
// operation that finds another under way.
func TestControlPrograms(t *testing.T) {
	s, _, _ := fakeShop(t, Options{AdminToken: testToken})
	// The real listener is on loopback and wants the token too.
	if !strings.HasPrefix(s.ControlURL, "http://127.0.0.1:") {
		t.Fatalf("ControlURL %q is not on loopback", s.ControlURL)
	}
	resp, err := http.Get(s.ControlURL + "/api/v1/programs")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the control listener answered %d without a token", resp.StatusCode)
	}

	status, body := ctl(t, s, "GET", "/api/v1/programs", testToken)
	if status != http.StatusOK {
		t.Fatalf("list: %d %v", status, body)
	}
	var got []string
	for _, p := range body["programs"].([]any) {
		p := p.(map[string]any)
		got = append(got, p["name"].(string))
		wantURL := s.URL[p["name"].(string)]
		if p["name"] == "minirmq" {
			wantURL = s.BrokerAdmin
		}
		if p["state"] != "running" || p["restarts"] != 0.0 || p["url"] != wantURL || wantURL == "" {
			t.Errorf("entry %v, want running, 0 restarts, url %s", p, wantURL)
		}
	}
	want := append(append([]string{"minirmq"}, contracts.ServiceNames()...), "web")
	if !slices.Equal(got, want) {
		t.Errorf("programs %v, want %v", got, want)
	}
	for _, c := range []struct {
		method, path, code string
		status             int
	}{
		{"POST", "/api/v1/programs/nosuch/stop", "UNKNOWN_PROGRAM", http.StatusNotFound},
		{"POST", "/api/v1/programs/payment/explode", "ROUTE_NOT_FOUND", http.StatusNotFound},
		{"DELETE", "/api/v1/programs/payment/stop", "METHOD_NOT_ALLOWED", http.StatusMethodNotAllowed},
		{"POST", "/api/v1/programs", "METHOD_NOT_ALLOWED", http.StatusMethodNotAllowed},
	} {
		status, body := ctl(t, s, c.method, c.path, testToken)
		if status != c.status || errCode(t, body) != c.code {
			t.Errorf("%s %s: %d %v, want %d %s", c.method, c.path, status, body, c.status, c.code)
		}
	}

	steps := []struct {
		path, wantState, wantCode string
		status                    int
	}{
		{"/api/v1/programs/cart/stop", "stopped", "", http.StatusOK},
		{"/api/v1/programs/cart/stop", "", "PROGRAM_NOT_RUNNING", http.StatusConflict},
		{"/api/v1/programs/cart/crash", "", "PROGRAM_NOT_RUNNING", http.StatusConflict},
		{"/api/v1/programs/cart/start", "running", "", http.StatusOK},
		{"/api/v1/programs/cart/start", "", "PROGRAM_RUNNING", http.StatusConflict},
		// The answer comes once the supervisor has seen the crash.
		{"/api/v1/programs/cart/crash", "restarting", "", http.StatusOK},
	}
	for _, st := range steps {
		status, body := ctl(t, s, "POST", st.path, testToken)
		if status != st.status {
			t.Fatalf("POST %s: %d %v, want %d", st.path, status, body, st.status)
		}
		if st.wantCode != "" {
			if code := errCode(t, body); code != st.wantCode {
				t.Errorf("POST %s: code %s, want %s", st.path, code, st.wantCode)
			}
			continue
		}
		if body["name"] != "cart" || body["state"] != st.wantState {
			t.Errorf("POST %s: %v, want cart %s", st.path, body, st.wantState)
		}
	}
	waitFor(t, "cart restarted after the crash", 5*time.Second, func() bool {
		return s.State("cart") == Running && s.Restarts("cart") == 1 && answers(s.URL["cart"])
	})

	// One operation at a time: another one under way is 409 and names it.
	end, err := s.control.begin("reset")
	if err != nil {
		t.Fatal(err)
	}
	status, body = ctl(t, s, "POST", "/api/v1/programs/cart/stop", testToken)
	end()
	if status != http.StatusConflict || errCode(t, body) != "CONTROL_BUSY" || !strings.Contains(fmt.Sprint(body), "reset") {
		t.Errorf("stop during a reset: %d %v, want 409 CONTROL_BUSY naming the reset", status, body)
	}
	if s.State("cart") != Running {
		t.Errorf("the refused stop stopped cart")
	}
}

// Reset on the fake programs: every program but the gateway is stopped and
// started again (a stopped one too), the SQLite files are deleted, and each
// program is asked to clear its faults with the admin token.
func TestControlReset(t *testing.T) {
	s, _, _ := fakeShop(t, Options{AdminToken: testToken})
	var files []string
	for _, name := range []string{"inventory.db", "inventory.db-wal", "order.db"} {
		f := filepath.Join(s.opts.DataDir, name)
		if err := os.WriteFile(f, []byte("data"), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if err := s.StopProgram("points"); err != nil {
		t.Fatal(err)
	}
	status, body := ctl(t, s, "POST", "/api/v1/reset", testToken)
	if status != http.StatusOK {
		t.Fatalf("reset: %d %v", status, body)
	}
	want := append([]string{"minirmq"}, contracts.ServiceNames()...)
	for _, key := range []string{"restarted", "cleared"} {
		var got []string
		for _, n := range body[key].([]any) {
			got = append(got, n.(string))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	if _, ok := body["tookMs"].(float64); !ok {
		t.Errorf("the report says not how long it took: %v", body)
	}
	for _, f := range files {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s survived the reset (%v)", f, err)
		}
	}
	for _, p := range s.Programs() {
		if p.State != Running {
			t.Errorf("%s is %s after the reset", p.Name, p.State)
		}
	}
	for name, path := range map[string]string{"order": "/api/v1/admin/faults", "minirmq": "/api/v1/faults"} {
		log, _ := os.ReadFile(filepath.Join(s.LogDir, name+".log"))
		if line := "fake " + name + " got DELETE " + path + " token " + testToken; !strings.Contains(string(log), line) {
			t.Errorf("%s's log lacks %q:\n%s", name, line, log)
		}
	}
}

func TestControlResetRefusesMySQL(t *testing.T) {
	s := bareShop(Options{DB: map[string]string{"order": "mysql://rm@tcp(127.0.0.1:3306)/rm_order"}})
	status, body := ctl(t, s, "POST", "/api/v1/reset", testToken)
	if status != http.StatusConflict || errCode(t, body) != "RESET_NEEDS_SQLITE" || !strings.Contains(fmt.Sprint(body), "order") {
		t.Fatalf("reset on MySQL: %d %v, want 409 RESET_NEEDS_SQLITE naming order", status, body)
	}
}

// fakeLabs has one lab that passes, titled in the language asked for.
type fakeLabs struct{}

var fakeTitles = map[Lang]string{English: "The check-back", Chinese: "事务回查"}

func (fakeLabs) List(lang Lang) []LabInfo {
	return []LabInfo{{Name: "check-back", Title: fakeTitles[lang]}}
}

func (fakeLabs) Grade(_ context.Context, name string, lang Lang) (LabReport, error) {
	if name != "check-back" {
		return LabReport{}, ErrUnknownLab
	}
	return LabReport{Lab: name, Passed: true, Reasons: []string{fakeTitles[lang]}}, nil
}

func TestControlLabs(t *testing.T) {
	s := bareShop(Options{})
	for _, r := range []struct{ method, path string }{{"GET", "/api/v1/labs"}, {"POST", "/api/v1/labs/check-back/grade"}} {
		if status, body := ctl(t, s, r.method, r.path, testToken); status != http.StatusNotFound || errCode(t, body) != "LABS_NOT_AVAILABLE" {
			t.Errorf("%s %s without labs: %d %v", r.method, r.path, status, body)
		}
	}
	s.SetLabs(fakeLabs{})
	if status, body := ctl(t, s, "GET", "/api/v1/labs", testToken); status != http.StatusOK || !strings.Contains(fmt.Sprint(body), "check-back") {
		t.Errorf("labs: %d %v", status, body)
	}
	if status, body := ctl(t, s, "POST", "/api/v1/labs/check-back/grade", testToken); status != http.StatusOK || body["passed"] != true {
		t.Errorf("grade: %d %v", status, body)
	}
	if status, body := ctl(t, s, "POST", "/api/v1/labs/nosuch/grade", testToken); status != http.StatusNotFound || errCode(t, body) != "UNKNOWN_LAB" {
		t.Errorf("grade an unknown lab: %d %v", status, body)
	}
}

// Both lab routes speak the language of their lang parameter (English
// without one) and refuse any other value with a 400 listing the accepted
// ones, grading nothing.
func TestControlLabsLang(t *testing.T) {
	s := bareShop(Options{})
	s.SetLabs(fakeLabs{})
	title := func(body map[string]any) string {
		labs, _ := body["labs"].([]any)
		if len(labs) != 1 {
			return ""
		}
		l, _ := labs[0].(map[string]any)
		got, _ := l["title"].(string)
		return got
	}
	reason := func(body map[string]any) string {
		rs, _ := body["reasons"].([]any)
		if len(rs) != 1 {
			return ""
		}
		got, _ := rs[0].(string)
		return got
	}
	for _, c := range []struct {
		query string
		want  string
	}{
		{"", "The check-back"},
		{"?lang=en", "The check-back"},
		{"?lang=zh-CN", "事务回查"},
	} {
		if status, body := ctl(t, s, "GET", "/api/v1/labs"+c.query, testToken); status != http.StatusOK || title(body) != c.want {
			t.Errorf("GET /api/v1/labs%s: %d %v, want the title %q", c.query, status, body, c.want)
		}
		if status, body := ctl(t, s, "POST", "/api/v1/labs/check-back/grade"+c.query, testToken); status != http.StatusOK || reason(body) != c.want {
			t.Errorf("POST grade%s: %d %v, want the reason %q", c.query, status, body, c.want)
		}
	}
	for _, bad := range []string{"?lang=", "?lang=zh", "?lang=fr", "?lang=ZH-cn", "?lang=zh_CN"} {
		for _, r := range []struct{ method, path string }{{"GET", "/api/v1/labs"}, {"POST", "/api/v1/labs/check-back/grade"}} {
			status, body := ctl(t, s, r.method, r.path+bad, testToken)
			if status != http.StatusBadRequest || errCode(t, body) != CodeInvalidLang {
				t.Errorf("%s %s%s: %d %v, want 400 %s", r.method, r.path, bad, status, body, CodeInvalidLang)
				continue
			}
			details, _ := body["error"].(map[string]any)["details"].(map[string]any)
			if fmt.Sprint(details["accepted"]) != "[en zh-CN]" || details["field"] != "lang" {
				t.Errorf("%s %s%s: details %v, want field lang and accepted [en zh-CN]", r.method, r.path, bad, details)
			}
		}
	}
}
