package admin

import (
	"crypto/subtle"
	"net/http"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/faults"
)

// headerAdminToken carries the admin token, as on every RocketMart service.
const headerAdminToken = "X-Admin-Token"

// admin admits requests carrying the admin token: 401 without one, 403
// with a wrong one (the services' codes). The comparison takes constant time.
func (a *api) admin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(headerAdminToken)
		switch {
		case got == "":
			writeError(w, http.StatusUnauthorized, "ADMIN_TOKEN_REQUIRED", "the "+headerAdminToken+" header is required",
				map[string]any{"header": headerAdminToken})
		case subtle.ConstantTimeCompare([]byte(got), []byte(a.token)) != 1:
			writeError(w, http.StatusForbidden, "INVALID_ADMIN_TOKEN", "the admin token is wrong", nil)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// health is GET /healthz: ok, plus the armed faults while there are any.
func (a *api) health(w http.ResponseWriter, _ *http.Request) {
	body := map[string]any{"status": "ok"}
	if s := a.faults.Summary(); len(s) > 0 {
		body["faults"] = s
	}
	writeJSON(w, http.StatusOK, body)
}

func (a *api) listFaults(*http.Request) (result, error) {
	var groups []string
	for _, g := range a.b.ConsumerGroups() {
		groups = append(groups, g.Group)
	}
	return ok(map[string]any{"program": "minirmq", "armed": a.faults.List(), "points": faults.Points(groups)}), nil
}

func (a *api) armFault(r *http.Request) (result, error) {
	req, err := faults.DecodeRequest(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		return result{}, err
	}
	spec, err := req.Validate()
	if err != nil {
		return result{}, err
	}
	return result{http.StatusCreated, a.faults.Arm(spec, "admin API "+r.RemoteAddr)}, nil
}

func (a *api) clearFault(r *http.Request) (result, error) {
	if _, err := a.faults.Clear(r.PathValue("point")); err != nil {
		return result{}, err
	}
	return noContent, nil
}

func (a *api) clearFaults(*http.Request) (result, error) {
	a.faults.ClearAll()
	return noContent, nil
}
