package faults

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestValidate(t *testing.T) {
	long := strings.Repeat("g", 121)
	for _, tc := range []struct {
		name     string
		req      Request
		code     string // "" = valid
		wantSpec Spec
	}{
		{"pause one group", Request{Point: "deliver.points-order-paid", Action: "pause"}, "",
			Spec{Point: "deliver.points-order-paid", Action: Pause}},
		{"duplicate every group", Request{Point: "deliver", Action: "duplicate", Count: "2"}, "",
			Spec{Point: Deliver, Action: Duplicate, Count: 2}},
		{"check-back delay", Request{Point: "check-back", Action: "delay", Delay: "2s", For: "10m"}, "",
			Spec{Point: CheckBack, Action: Delay, Delay: 2 * time.Second, For: 10 * time.Minute}},
		{"count 1000 and for 24h", Request{Point: "check-back", Action: "drop", Count: "1000", For: "24h"}, "",
			Spec{Point: CheckBack, Action: Drop, Count: 1000, For: 24 * time.Hour}},
		{"for 0", Request{Point: "check-back", Action: "drop", For: "0s"}, "", Spec{Point: CheckBack, Action: Drop}},

		{"no point", Request{Action: "pause"}, CodePointRequired, Spec{}},
		{"unknown point", Request{Point: "pay.after-half", Action: "crash"}, CodeInvalidPoint, Spec{}},
		{"empty group", Request{Point: "deliver.", Action: "pause"}, CodeInvalidPoint, Spec{}},
		{"group with a dot", Request{Point: "deliver.a.b", Action: "pause"}, CodeInvalidPoint, Spec{}},
		{"group with a space", Request{Point: "deliver.a b", Action: "pause"}, CodeInvalidPoint, Spec{}},
		{"group too long", Request{Point: "deliver." + long, Action: "pause"}, CodeInvalidPoint, Spec{}},
		{"no action", Request{Point: "deliver"}, CodeActionRequired, Spec{}},
		{"unknown action", Request{Point: "deliver", Action: "explode"}, CodeInvalidAction, Spec{}},
		{"action of another point", Request{Point: "check-back", Action: "pause"}, CodeInvalidAction, Spec{}},
		{"drop is not a deliver action", Request{Point: "deliver.g", Action: "drop"}, CodeInvalidAction, Spec{}},
		{"value", Request{Point: "check-back", Action: "drop", Value: "unknown"}, CodeInvalidValue, Spec{}},
		{"negative count", Request{Point: "check-back", Action: "drop", Count: "-1"}, CodeInvalidCount, Spec{}},
		{"count 1001", Request{Point: "check-back", Action: "drop", Count: "1001"}, CodeInvalidCount, Spec{}},
		{"huge count", Request{Point: "check-back", Action: "drop", Count: "99999999999999999999999"}, CodeInvalidCount, Spec{}},
		{"fractional count", Request{Point: "check-back", Action: "drop", Count: "1.5"}, CodeInvalidCount, Spec{}},
		{"pause with a count", Request{Point: "deliver", Action: "pause", Count: "3"}, CodeInvalidCount, Spec{}},
		{"delay without delay", Request{Point: "check-back", Action: "delay"}, CodeInvalidDelay, Spec{}},
		{"delay on drop", Request{Point: "check-back", Action: "drop", Delay: "1s"}, CodeInvalidDelay, Spec{}},
		{"delay too long", Request{Point: "check-back", Action: "delay", Delay: "61s"}, CodeInvalidDelay, Spec{}},
		{"delay huge", Request{Point: "check-back", Action: "delay", Delay: "9999999999h"}, CodeInvalidDelay, Spec{}},
		{"delay too short", Request{Point: "check-back", Action: "delay", Delay: "100us"}, CodeInvalidDelay, Spec{}},
		{"delay not a duration", Request{Point: "check-back", Action: "delay", Delay: "soon"}, CodeInvalidDelay, Spec{}},
		{"for too long", Request{Point: "check-back", Action: "drop", For: "25h"}, CodeInvalidFor, Spec{}},
		{"for negative", Request{Point: "check-back", Action: "drop", For: "-1s"}, CodeInvalidFor, Spec{}},
		{"for not a duration", Request{Point: "check-back", Action: "drop", For: "10"}, CodeInvalidFor, Spec{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.req.Validate()
			if tc.code == "" {
				if err != nil || got != tc.wantSpec {
					t.Fatalf("Validate() = %+v, %v; want %+v, nil", got, err, tc.wantSpec)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code || e.Field == "" || e.Message == "" {
				t.Fatalf("Validate() error %#v, want code %s naming a field", err, tc.code)
			}
		})
	}
}

func TestDecodeRequest(t *testing.T) {
	for _, tc := range []struct {
		name, body, code, field string
		want                    Request
	}{
		{"all fields", `{"point":"check-back","action":"delay","value":"","count":3,"delay":"2s","for":"1m"}`, "", "",
			Request{Point: "check-back", Action: "delay", Count: "3", Delay: "2s", For: "1m"}},
		{"nulls are absent", `{"point":"deliver","action":"pause","count":null,"delay":null}`, "", "",
			Request{Point: "deliver", Action: "pause"}},
		{"unknown field", `{"point":"deliver","action":"pause","times":2}`, CodeInvalidJSON, "times", Request{}},
		{"not an object", `[1]`, CodeInvalidJSON, "", Request{}},
		{"empty body", ``, CodeInvalidJSON, "", Request{}},
		{"two objects", `{"point":"deliver"} {}`, CodeInvalidJSON, "", Request{}},
		{"count as a string", `{"point":"deliver","action":"duplicate","count":"2"}`, CodeInvalidCount, "count", Request{}},
		{"point as a number", `{"point":7,"action":"pause"}`, CodeInvalidPoint, "point", Request{}},
		{"delay as a number", `{"point":"deliver","action":"delay","delay":2000}`, CodeInvalidDelay, "delay", Request{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeRequest(strings.NewReader(tc.body))
			if tc.code == "" {
				if err != nil || got != tc.want {
					t.Fatalf("DecodeRequest = %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code || e.Field != tc.field {
				t.Fatalf("DecodeRequest error %#v, want code %s field %q", err, tc.code, tc.field)
			}
		})
	}
}

func TestParseList(t *testing.T) {
	got, err := ParseList(" deliver.points-order-paid=pause ; check-back=delay,delay=2s,count=3,for=1m;;")
	if err != nil {
		t.Fatal(err)
	}
	want := []Spec{
		{Point: "deliver.points-order-paid", Action: Pause},
		{Point: CheckBack, Action: Delay, Delay: 2 * time.Second, Count: 3, For: time.Minute},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("ParseList = %+v, want %+v", got, want)
	}
	for _, list := range []string{
		"deliver=pause;check-back",
		"deliver=pause;check-back=explode",
		"check-back=drop,count",
		"check-back=drop,count=1,count=2",
		"check-back=drop,times=2",
		"deliver.bad name=pause",
		"check-back=drop,value=unknown",
	} {
		_, err := ParseList(list)
		bad := list[strings.LastIndex(list, ";")+1:]
		if err == nil || !strings.Contains(err.Error(), `item "`+bad+`"`) {
			t.Errorf("ParseList(%q) = %v; want an error naming item %q", list, err, bad)
		}
	}
	if got, err := ParseList(""); err != nil || len(got) != 0 {
		t.Errorf(`ParseList("") = %v, %v; want nothing`, got, err)
	}
}

func TestArmFireAndExpiry(t *testing.T) {
	s := New(quiet())
	if s.Any() {
		t.Fatal("a new set has faults")
	}
	if _, ok := s.Lookup(DeliverPoint("g"), Deliver); ok {
		t.Fatal("Lookup found a fault in an empty set")
	}
	changed := s.Changed()
	s.Arm(Spec{Point: Deliver, Action: Pause}, "test")
	select {
	case <-changed:
	default:
		t.Error("arming did not signal Changed")
	}

	// deliver.<group> overrides deliver for its group only
	s.Arm(Spec{Point: DeliverPoint("g"), Action: Duplicate, Count: 2}, "test")
	f, ok := s.Lookup(DeliverPoint("g"), Deliver)
	if !ok || f.Action != Duplicate {
		t.Fatalf("Lookup(g) = %+v %v, want the group's duplicate", f, ok)
	}
	if f, _ := s.Lookup(DeliverPoint("other"), Deliver); f.Action != Pause {
		t.Fatalf("Lookup(other) = %+v, want deliver's pause", f)
	}

	// count: two hits, then gone
	for i := 1; i <= 2; i++ {
		if !s.Fire(f, "msg_id", i) {
			t.Fatalf("hit %d not fired", i)
		}
		if i == 1 {
			if l := s.List(); len(l) != 2 || l[1].Left != 1 || l[1].Hits != 1 {
				t.Fatalf("after one hit: %+v, want deliver.g with left 1, hits 1", l)
			}
		}
	}
	if s.Fire(f) {
		t.Error("a used-up fault fired a third time")
	}
	if l := s.List(); len(l) != 1 || l[0].Point != Deliver {
		t.Fatalf("after the count was used up: %+v, want only deliver", l)
	}

	// replace: the old fault's handle no longer fires
	old, _ := s.Lookup(Deliver)
	s.Arm(Spec{Point: Deliver, Action: Delay, Delay: time.Second}, "test")
	if s.Fire(old) {
		t.Error("a replaced fault fired")
	}
	if l := s.List(); len(l) != 1 || l[0].Action != Delay || l[0].Delay != "1s" || l[0].Hits != 0 {
		t.Fatalf("after replacing: %+v, want one delay 1s with no hits", l)
	}

	// for: gone when it ends, and Changed says so
	changed = s.Changed()
	s.Arm(Spec{Point: CheckBack, Action: Drop, For: 50 * time.Millisecond}, "test")
	if l := s.List(); len(l) != 2 || l[0].ExpiresAt == nil || l[1].ExpiresAt != nil {
		t.Fatalf("list %+v: want expiresAt on check-back only", l)
	}
	deadline := time.After(10 * time.Second)
	for len(s.List()) != 1 {
		select {
		case <-changed:
			changed = s.Changed()
		case <-deadline:
			t.Fatalf("check-back for=50ms still armed: %+v", s.List())
		}
	}

	if _, err := s.Clear("deliver.bad name"); !errors.Is(err, ErrUnknownPoint) {
		t.Errorf("Clear(bad point) = %v, want ErrUnknownPoint", err)
	}
	if cleared, err := s.Clear(DeliverPoint("never-armed")); cleared || err != nil {
		t.Errorf("Clear(known, not armed) = %v, %v; want false, nil", cleared, err)
	}
	if n := s.ClearAll(); n != 1 || s.Any() || len(s.List()) != 0 {
		t.Errorf("ClearAll = %d, Any %v, list %+v; want 1, false, empty", n, s.Any(), s.List())
	}
}

func TestSummary(t *testing.T) {
	s := New(quiet())
	s.Arm(Spec{Point: DeliverPoint("points-order-paid"), Action: Pause}, "test")
	s.Arm(Spec{Point: CheckBack, Action: Drop, Count: 2}, "test")
	got := strings.Join(s.Summary(), "|")
	if want := "check-back: drop (2 left)|deliver.points-order-paid: pause"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}
