package main

import (
	"fmt"
	"net/http"
	"sort"
	"time"
)

// Outage is one kill: the program, when the kill was sent, and when the shop
// had recovered (the program ready again and a probe order paid through
// the gateway; zero if it never recovered).
type Outage struct {
	Program   string
	Killed    time.Time
	Recovered time.Time
}

// answerSet is a set of (op, status, code) an answer may be; "" and 0 are
// wildcards.
type answerSet []struct {
	op     string
	status int
	code   string
}

func (s answerSet) has(a Answer) bool {
	for _, e := range s {
		if (e.op == "" || e.op == a.Op) && (e.status == 0 || e.status == a.Status) && (e.code == "" || e.code == a.Code) {
			return true
		}
	}
	return false
}

// normal is every answer a user may get while the whole shop is up: placed
// (or the replay of a placed order) or out of stock; paid, pending or no
// longer payable; cancelled, already paid, or a cancellation still
// settling; the order; a top-up.
var normal = answerSet{
	{OpPlace, http.StatusCreated, ""}, {OpPlace, http.StatusOK, ""}, {OpPlace, http.StatusConflict, "OUT_OF_STOCK"},
	{OpPay, http.StatusOK, ""}, {OpPay, http.StatusAccepted, "PENDING"}, {OpPay, http.StatusConflict, "ORDER_NOT_PAYABLE"},
	{OpCancel, http.StatusOK, ""}, {OpCancel, http.StatusConflict, "ORDER_ALREADY_PAID"},
	{OpCancel, http.StatusServiceUnavailable, "CANCEL_PENDING"},
	{OpGet, http.StatusOK, ""}, {OpTopUp, http.StatusOK, ""}, {OpTopUp, http.StatusCreated, ""},
}

// duringOutage is what a user may see, besides the normal answers, while a
// program is down: the README's "What users see while a program is down"
// table. A program not listed is invisible to users.
var duringOutage = map[string]answerSet{
	// The gateway cannot reach the order service: every order call.
	"order": {{"", http.StatusServiceUnavailable, "DEPENDENCY_UNAVAILABLE"}},
	// Placing reserves stock first.
	"inventory": {{OpPlace, http.StatusServiceUnavailable, "DEPENDENCY_UNAVAILABLE"}},
	// The transactional message cannot be sent: nothing is charged or
	// cancelled. Placing still works (the timeout falls back on the sweeper).
	"minirmq": {{OpPay, http.StatusServiceUnavailable, "BROKER_UNAVAILABLE"}, {OpCancel, http.StatusServiceUnavailable, "BROKER_UNAVAILABLE"}},
	// Nobody answers at the storefront's address.
	"web": {{"", 0, "NO_ANSWER"}},
}

// mustSee is the answer a probe sent right after the kill, while the
// program is certainly down, must get: the README's contract in its
// sharpest form. Programs not listed must be invisible (normal answers).
var mustSee = map[string]map[string]answerSet{
	"order": {
		OpPlace: {{OpPlace, http.StatusServiceUnavailable, "DEPENDENCY_UNAVAILABLE"}},
		OpPay:   {{OpPay, http.StatusServiceUnavailable, "DEPENDENCY_UNAVAILABLE"}},
	},
	"inventory": {OpPlace: {{OpPlace, http.StatusServiceUnavailable, "DEPENDENCY_UNAVAILABLE"}}},
	"payment":   {OpPay: {{OpPay, http.StatusAccepted, "PENDING"}}},
	"minirmq": {
		OpPlace: {{OpPlace, http.StatusCreated, ""}},
		OpPay:   {{OpPay, http.StatusServiceUnavailable, "BROKER_UNAVAILABLE"}},
	},
	"web": {OpPlace: {{OpPlace, 0, "NO_ANSWER"}}, OpPay: {{OpPay, 0, "NO_ANSWER"}}},
}

// CheckContract checks that every answer is a normal one, or one the
// README allows for a program that was down while the request was in
// flight. One more is allowed after a gateway restart: the session's next
// request answers 401 INVALID_SESSION (the launcher starts the gateway
// with a random session secret each time), and the user signs in again.
func CheckContract(answers []Answer, outages []Outage) []Finding {
	var out []Finding
	previous := map[string]time.Time{} // session → start of its previous request that got an HTTP answer
	answers = append([]Answer(nil), answers...)
	sort.SliceStable(answers, func(i, j int) bool { return answers[i].Start.Before(answers[j].Start) })
	for _, a := range answers {
		since := previous[a.Session]
		if a.Status != 0 { // no answer: the gateway was down, the session unchanged
			// Its start, not its end: an answer the old gateway sent just
			// as the kill left may arrive after the kill's timestamp.
			previous[a.Session] = a.Start
		}
		if normal.has(a) || a.Status == http.StatusUnauthorized && a.Code == "INVALID_SESSION" && webRestartedBetween(outages, since, a.Start) {
			continue
		}
		var down []string
		ok := false
		for _, o := range outages {
			end := o.Recovered
			if end.IsZero() {
				end = a.End.Add(time.Second)
			}
			if a.End.Before(o.Killed) || a.Start.After(end) {
				continue
			}
			down = append(down, o.Program)
			if duringOutage[o.Program].has(a) {
				ok = true
			}
		}
		if !ok {
			subject := "order " + a.OrderNo
			if a.OrderNo == "" {
				subject = "user " + a.User
			}
			out = append(out, Finding{Subject: subject, What: fmt.Sprintf("%s %s answered %d %s at %s; programs down meanwhile: %v (the README allows nothing else)",
				a.User, a.Op, a.Status, a.Code, a.End.Format("15:04:05.000"), down)})
		}
	}
	return out
}

// webRestartedBetween: the gateway was killed after from and before to.
// (A request that started before the kill and got an HTTP answer was
// answered by the old gateway, whose session secret it used.)
func webRestartedBetween(outages []Outage, from, to time.Time) bool {
	for _, o := range outages {
		if o.Program == "web" && o.Killed.After(from) && o.Killed.Before(to) {
			return true
		}
	}
	return false
}

// checkProbe checks the answer of a probe sent while program was certainly
// down.
func checkProbe(program string, a Answer) *Finding {
	want, listed := mustSee[program][a.Op]
	if !listed {
		want = normal
	}
	if want.has(a) {
		return nil
	}
	return &Finding{Subject: program, What: fmt.Sprintf("while %s was down, %s answered %d %s (order %s); the README says users see %v",
		program, a.Op, a.Status, a.Code, a.OrderNo, describe(want))}
}

func describe(s answerSet) string {
	var out []string
	for _, e := range s {
		out = append(out, fmt.Sprintf("%d %s", e.status, e.code))
	}
	return fmt.Sprint(out)
}
