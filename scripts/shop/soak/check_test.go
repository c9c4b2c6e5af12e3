package main

import (
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/audit"
)

// final builds a final state from "orderNo:STATUS:chargeStatus" triples
// (chargeStatus "" for no charge); every order belongs to alice and costs
// 1499 cents, every charge is of 1499.
func final(specs ...string) Final {
	f := Final{Orders: map[string]audit.Order{}, Charges: map[string]audit.Charge{}}
	for _, s := range specs {
		parts := strings.Split(s, ":")
		f.Orders[parts[0]] = audit.Order{OrderNo: parts[0], UserID: "alice", Status: parts[1], TotalCents: 1499}
		if parts[2] != "" {
			f.Charges[parts[0]] = audit.Charge{OrderNo: parts[0], UserID: "alice", AmountCents: 1499, Status: parts[2]}
		}
	}
	return f
}

func told(op, no string, status int, code string) Answer {
	return Answer{User: "alice", Op: op, OrderNo: no, Status: status, Code: code}
}

// The checker names an order whose final state contradicts what a user was
// told, and stays quiet when the two agree: a soak that could not fail
// would prove nothing.
func TestCheckAnswers(t *testing.T) {
	placed := told(OpPlace, "O1", 201, "PENDING_PAYMENT")
	tests := []struct {
		name    string
		answers []Answer
		final   Final
		want    string // in one of the findings, which all name the order; "" for none
	}{
		{"paid as told", []Answer{placed, told(OpPay, "O1", 200, "PAID")}, final("O1:PAID:SUCCEEDED"), ""},
		{"cancelled as told", []Answer{placed, told(OpCancel, "O1", 200, "CANCELLED")}, final("O1:CANCELLED:"), ""},
		{"202 then paid", []Answer{placed, told(OpPay, "O1", 202, "PENDING")}, final("O1:PAID:SUCCEEDED"), ""},
		{"202 then cancelled and refunded", []Answer{placed, told(OpPay, "O1", 202, "PENDING")}, final("O1:CANCELLED:REFUNDED"), ""},
		{"abandoned and timed out", []Answer{placed}, final("O1:CANCELLED:"), ""},
		{"503 from the order service, then paid", []Answer{placed, told(OpPay, "O1", 503, "DEPENDENCY_UNAVAILABLE")}, final("O1:PAID:SUCCEEDED"), ""},
		{"an order nobody was told of, cancelled", nil, final("O9:CANCELLED:"), ""},

		{"told placed, not there", []Answer{placed}, final(), "the shop has no such order"},
		{"told paid, cancelled", []Answer{placed, told(OpPay, "O1", 200, "PAID")}, final("O1:CANCELLED:REFUNDED"), "was told 200 PAID"},
		{"told paid, charged twice the total", []Answer{placed, told(OpPay, "O1", 200, "PAID")}, Final{
			Orders:  map[string]audit.Order{"O1": {OrderNo: "O1", UserID: "alice", Status: "PAID", TotalCents: 1499}},
			Charges: map[string]audit.Charge{"O1": {OrderNo: "O1", AmountCents: 2998, Status: "SUCCEEDED"}},
		}, "was told 200 PAID"},
		{"202 never decided", []Answer{placed, told(OpPay, "O1", 202, "PENDING")}, final("O1:PENDING_PAYMENT:"), "never ended decided"},
		{"told cancelled, paid", []Answer{placed, told(OpCancel, "O1", 200, "CANCELLED")}, final("O1:PAID:SUCCEEDED"), "was told 200 cancelled"},
		{"told cancelled, charge kept", []Answer{placed, told(OpCancel, "O1", 200, "CANCELLED")}, final("O1:CANCELLED:SUCCEEDED"), "was told 200 cancelled"},
		{"abandoned, paid anyway", []Answer{placed}, final("O1:PAID:SUCCEEDED"), "no user of it asked to pay"},
		{"503 broker (nothing charged), paid anyway", []Answer{placed, told(OpPay, "O1", 503, "BROKER_UNAVAILABLE")}, final("O1:PAID:SUCCEEDED"), "no user of it asked to pay"},
		{"an order nobody was told of, paid", []Answer{told(OpPay, "O9", 0, "NO_ANSWER")}, final("O9:PAID:SUCCEEDED"), "was never told so"},
		{"a charge without an order", nil, Final{Orders: map[string]audit.Order{},
			Charges: map[string]audit.Charge{"O7": {OrderNo: "O7", AmountCents: 1499, Status: "SUCCEEDED"}}}, "does not hold"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckAnswers(tc.answers, tc.final)
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("findings %v, want none", got)
				}
				return
			}
			found := false
			for _, f := range got {
				found = found || strings.Contains(f.What, tc.want)
				if !strings.HasPrefix(f.Subject, "order O") {
					t.Errorf("finding %v does not name the order", f)
				}
			}
			if !found {
				t.Fatalf("findings %v, want one with %q", got, tc.want)
			}
		})
	}
}

// Outside an outage only the normal answers pass; during one, what the
// README allows for that program, and nothing the README allows for
// another.
func TestCheckContract(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(a Answer, sec int) Answer {
		a.Start, a.End = t0.Add(time.Duration(sec)*time.Second), t0.Add(time.Duration(sec)*time.Second+100*time.Millisecond)
		return a
	}
	outages := []Outage{
		{Program: "order", Killed: t0.Add(10 * time.Second), Recovered: t0.Add(20 * time.Second)},
		{Program: "minirmq", Killed: t0.Add(30 * time.Second), Recovered: t0.Add(40 * time.Second)},
		{Program: "web", Killed: t0.Add(50 * time.Second), Recovered: t0.Add(60 * time.Second)},
		{Program: "points", Killed: t0.Add(70 * time.Second), Recovered: t0.Add(80 * time.Second)},
	}
	tests := []struct {
		name   string
		answer Answer
		ok     bool
	}{
		{"placed, all up", at(told(OpPlace, "O1", 201, "PENDING_PAYMENT"), 1), true},
		{"503 with all up", at(told(OpPlace, "", 503, "DEPENDENCY_UNAVAILABLE"), 1), false},
		{"500 ever", at(told(OpPay, "O1", 500, "INTERNAL"), 15), false},
		{"503 while order is down", at(told(OpPlace, "", 503, "DEPENDENCY_UNAVAILABLE"), 15), true},
		{"pay 503 broker while the broker is down", at(told(OpPay, "O1", 503, "BROKER_UNAVAILABLE"), 35), true},
		{"pay 503 broker while order is down", at(told(OpPay, "O1", 503, "BROKER_UNAVAILABLE"), 15), false},
		{"place 503 while the broker is down", at(told(OpPlace, "", 503, "DEPENDENCY_UNAVAILABLE"), 35), false},
		{"no answer while the gateway is down", at(told(OpPay, "O1", 0, "NO_ANSWER"), 55), true},
		{"no answer with all up", at(told(OpPay, "O1", 0, "NO_ANSWER"), 65), false},
		{"503 while a consumer is down", at(told(OpPay, "O1", 503, "DEPENDENCY_UNAVAILABLE"), 75), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.answer.Session = "alice/0"
			got := CheckContract([]Answer{tc.answer}, outages)
			if ok := len(got) == 0; ok != tc.ok {
				t.Fatalf("findings %v, want ok = %v", got, tc.ok)
			}
		})
	}
}

// After a gateway restart each session may be told once to sign in again.
func TestSignInAgainAfterGatewayRestart(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	web := []Outage{{Program: "web", Killed: t0.Add(50 * time.Second), Recovered: t0.Add(52 * time.Second)}}
	answer := func(session string, sec, status int, code string) Answer {
		a := told(OpPlace, "", status, code)
		a.Session, a.Start, a.End = session, t0.Add(time.Duration(sec)*time.Second), t0.Add(time.Duration(sec)*time.Second+time.Millisecond)
		return a
	}
	ok := []Answer{answer("alice/0", 40, 201, ""), answer("alice/0", 51, 0, "NO_ANSWER"), answer("alice/0", 52, 0, "NO_ANSWER"),
		answer("alice/0", 60, 401, "INVALID_SESSION"), answer("alice/0", 61, 201, ""),
		answer("bob/0", 55, 401, "INVALID_SESSION")}
	// Answered by the old gateway as the kill left: the answer arrives
	// after the kill's timestamp, the 401 that follows is the first.
	cut := answer("carol/0", 49, 201, "")
	cut.End = t0.Add(50*time.Second + time.Millisecond)
	ok = append(ok, cut, answer("carol/0", 53, 401, "INVALID_SESSION"))
	if got := CheckContract(ok, web); len(got) != 0 {
		t.Fatalf("findings %v, want none", got)
	}
	twice := append(ok, answer("alice/0", 62, 401, "INVALID_SESSION"))
	if got := CheckContract(twice, web); len(got) != 1 {
		t.Fatalf("findings %v, want one for the second 401 of alice/0", got)
	}
	if got := CheckContract([]Answer{ok[0], ok[3]}, nil); len(got) != 1 {
		t.Fatalf("findings %v, want one for a 401 without a gateway restart", got)
	}
}

// A probe sent while a program is certainly down must get exactly what
// the README says.
func TestCheckProbe(t *testing.T) {
	tests := []struct {
		program string
		answer  Answer
		ok      bool
	}{
		{"payment", told(OpPay, "O1", 202, "PENDING"), true},
		{"payment", told(OpPay, "O1", 200, "PAID"), false},
		{"minirmq", told(OpPay, "O1", 503, "BROKER_UNAVAILABLE"), true},
		{"minirmq", told(OpPlace, "O2", 201, "PENDING_PAYMENT"), true},
		{"minirmq", told(OpPlace, "", 503, "DEPENDENCY_UNAVAILABLE"), false},
		{"order", told(OpPlace, "", 503, "DEPENDENCY_UNAVAILABLE"), true},
		{"order", told(OpPlace, "O2", 201, "PENDING_PAYMENT"), false},
		{"points", told(OpPay, "O1", 200, "PAID"), true},
		{"points", told(OpPay, "O1", 503, "DEPENDENCY_UNAVAILABLE"), false},
	}
	for _, tc := range tests {
		if got := checkProbe(tc.program, tc.answer); (got == nil) != tc.ok {
			t.Errorf("%s down, %v: finding %v, want ok = %v", tc.program, tc.answer, got, tc.ok)
		}
	}
}

// A failed audit invariant is a finding per violation, named by its
// subject; a shop that never became quiet is one too.
func TestAuditFindings(t *testing.T) {
	rep := audit.Report{Quiescent: false, Notes: []string{"2 half messages undecided"}, Invariants: []audit.Invariant{
		{ID: 1, Title: "money", Passed: false, Violations: []audit.Violation{{Subject: "order O1", Detail: "two charges"}}},
		{ID: 2, Title: "effects", Passed: true},
	}}
	got := auditFindings(rep)
	if len(got) != 2 || got[0].Subject != "audit" || got[1].Subject != "order O1" || !strings.Contains(got[1].What, "two charges") {
		t.Fatalf("findings %v, want the quiescence one and order O1's", got)
	}
	if got := auditFindings(audit.Report{Quiescent: true, Passed: true}); len(got) != 0 {
		t.Fatalf("findings %v from a passing audit", got)
	}
}
