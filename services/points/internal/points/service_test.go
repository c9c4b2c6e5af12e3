package points_test

import (
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
	"github.com/rocketmart/rocketmart/services/points/internal/store"
)

const group = "points-test"

func TestForOrderTotal(t *testing.T) {
	tests := []struct {
		cents, want int64
	}{
		{0, 0}, {1, 0}, {99, 0}, {100, 1}, {199, 1}, {200, 2}, {12_345, 123}, {100_000_000, 1_000_000},
	}
	for _, tt := range tests {
		if got := points.ForOrderTotal(tt.cents); got != tt.want {
			t.Errorf("ForOrderTotal(%d) = %d, want %d", tt.cents, got, tt.want)
		}
	}
}

func newService(t *testing.T, db *gorm.DB) *points.Service {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	return points.NewService(store.New(db))
}

func TestCreditOrderPaid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc := newService(t, db)
		ctx := t.Context()
		e, err := svc.CreditOrderPaid(ctx, group, points.OrderPaid{EventID: "ev-1", OrderNo: "RM-1", UserID: "alice", TotalCents: 12_399})
		if err != nil || e.Points != 123 || e.Reason != points.ReasonOrderPaid || e.UserID != "alice" || e.ID == 0 {
			t.Fatalf("credit: %+v, %v", e, err)
		}
		// Another event for the order, even one that disagrees with it,
		// changes nothing and hands back what was credited.
		got, err := svc.CreditOrderPaid(ctx, group, points.OrderPaid{EventID: "ev-2", OrderNo: "RM-1", UserID: "bob", TotalCents: 50_000})
		if !errors.Is(err, apperr.ErrAlreadyApplied) || got != e {
			t.Errorf("second event: %+v, %v; want ErrAlreadyApplied and %+v", got, err, e)
		}
		small, err := svc.CreditOrderPaid(ctx, group, points.OrderPaid{EventID: "ev-3", OrderNo: "RM-2", UserID: "alice", TotalCents: 99})
		if err != nil || small.Points != 0 {
			t.Errorf("order under 1.00: %+v, %v; want a 0-point entry", small, err)
		}

		st, err := svc.Statement(ctx, "alice")
		if err != nil || st.Balance != 123 || len(st.Ledger) != 2 || st.Ledger[0].OrderNo != "RM-2" {
			t.Errorf("alice: %+v, %v", st, err)
		}
		if st, err := svc.Statement(ctx, "bob"); err != nil || st.Balance != 0 || len(st.Ledger) != 0 {
			t.Errorf("bob: %+v, %v; want nothing credited", st, err)
		}
		checks, err := svc.Checks(ctx)
		if err != nil || len(checks) != 1 || checks[0] != (points.AccountCheck{UserID: "alice", Balance: 123, LedgerSum: 123}) {
			t.Errorf("checks %+v, %v", checks, err)
		}
	})
}

// Events the ledger cannot hold are Invalid (the consumer acknowledges them
// as poison) and store nothing.
func TestCreditOrderPaidRefusesInvalidEvents(t *testing.T) {
	svc := newService(t, dbtest.SQLite(t))
	ok := points.OrderPaid{EventID: "ev-1", OrderNo: "RM-1", UserID: "alice", TotalCents: 100}
	tests := []struct {
		name   string
		mutate func(*points.OrderPaid)
		code   string
	}{
		{"no event id", func(p *points.OrderPaid) { p.EventID = "" }, points.CodeInvalidEventID},
		{"event id too long", func(p *points.OrderPaid) { p.EventID = strings.Repeat("e", 129) }, points.CodeInvalidEventID},
		{"no order", func(p *points.OrderPaid) { p.OrderNo = "" }, points.CodeInvalidOrderNo},
		{"order too long", func(p *points.OrderPaid) { p.OrderNo = strings.Repeat("O", 65) }, points.CodeInvalidOrderNo},
		{"order with space", func(p *points.OrderPaid) { p.OrderNo = "RM 1" }, points.CodeInvalidOrderNo},
		{"order with newline", func(p *points.OrderPaid) { p.OrderNo = "RM-1\n" }, points.CodeInvalidOrderNo},
		{"order not ASCII", func(p *points.OrderPaid) { p.OrderNo = "RM-é" }, points.CodeInvalidOrderNo},
		{"no user", func(p *points.OrderPaid) { p.UserID = "" }, points.CodeInvalidUserID},
		{"negative total", func(p *points.OrderPaid) { p.TotalCents = -100 }, points.CodeInvalidTotal},
	}
	for _, tt := range tests {
		p := ok
		tt.mutate(&p)
		if _, err := svc.CreditOrderPaid(t.Context(), group, p); err == nil || testkit.CodeOf(err) != tt.code || apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%s: %v, want Invalid %s", tt.name, err, tt.code)
		}
	}
	all, err := svc.AllEntries(t.Context(), "")
	if err != nil || len(all) != 0 {
		t.Errorf("entries after invalid events: %+v, %v", all, err)
	}
}

func TestLedgerQueries(t *testing.T) {
	svc := newService(t, dbtest.SQLite(t))
	ctx := t.Context()
	for i, o := range []string{"RM-1", "RM-2", "RM-3"} {
		if _, err := svc.CreditOrderPaid(ctx, group, points.OrderPaid{EventID: "ev-" + o, OrderNo: o, UserID: "alice", TotalCents: int64(i+1) * 100}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := svc.Ledger(ctx, "alice", "", 2)
	if err != nil || len(got) != 2 || got[0].OrderNo != "RM-3" || got[1].OrderNo != "RM-2" {
		t.Errorf("newest two: %+v, %v", got, err)
	}
	if got, err := svc.Ledger(ctx, "alice", "RM-1", points.DefaultLimit); err != nil || len(got) != 1 || got[0].Points != 1 {
		t.Errorf("RM-1: %+v, %v", got, err)
	}
	if got, err := svc.Ledger(ctx, "bob", "RM-1", points.DefaultLimit); err != nil || len(got) != 0 {
		t.Errorf("bob asking for alice's order: %+v, %v; want nothing", got, err)
	}
	for _, limit := range []int{0, -1, points.MaxLimit + 1} {
		if _, err := svc.Ledger(ctx, "alice", "", limit); testkit.CodeOf(err) != points.CodeInvalidLimit || apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("limit %d: %v, want %s", limit, err, points.CodeInvalidLimit)
		}
	}
	if _, err := svc.AllEntries(ctx, "RM\t1"); testkit.CodeOf(err) != points.CodeInvalidOrderNo || apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("admin filter with a tab: %v", err)
	}
}

func TestParseLimit(t *testing.T) {
	for raw, want := range map[string]int{"1": 1, "50": 50, "200": 200} {
		if got, err := points.ParseLimit(raw); err != nil || got != want {
			t.Errorf("ParseLimit(%q) = %d, %v", raw, got, err)
		}
	}
	for _, raw := range []string{"", "0", "-1", "201", "1.5", "abc", "1e2", " 5", "99999999999999999999"} {
		if _, err := points.ParseLimit(raw); testkit.CodeOf(err) != points.CodeInvalidLimit || apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("ParseLimit(%q): %v, want %s", raw, err, points.CodeInvalidLimit)
		}
	}
}
