package labs

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

// A lab is graded on the audit's violations it added: one that was there
// before (same invariant and subject, whatever its numbers say now) is
// counted, not blamed on the lab.
func TestNewSince(t *testing.T) {
	before := auditResult{violations: map[string]finding{
		"invariant 4: sku RM-LAMP-ROCKET": {en: "invariant 4: sku RM-LAMP-ROCKET: 0 units reserved, open reservations hold 8"},
	}}
	after := auditResult{violations: map[string]finding{
		"invariant 4: sku RM-LAMP-ROCKET": {en: "invariant 4: sku RM-LAMP-ROCKET: 0 units reserved, open reservations hold 9"},
		"invariant 3: order RM-1": {
			en: "invariant 3: order RM-1: PENDING_PAYMENT, but its stock is sold",
			zh: "不变量 3：订单 RM-1：PENDING_PAYMENT，但库存已售出",
		},
	}}
	fresh, old := after.newSince(before, launcher.English)
	if old != 1 || !reflect.DeepEqual(fresh, []string{"invariant 3: order RM-1: PENDING_PAYMENT, but its stock is sold"}) {
		t.Errorf("newSince = %q, %d", fresh, old)
	}
	if fresh, _ := after.newSince(before, launcher.Chinese); !reflect.DeepEqual(fresh, []string{"不变量 3：订单 RM-1：PENDING_PAYMENT，但库存已售出"}) {
		t.Errorf("newSince in Chinese = %q", fresh)
	}
}

// A fault written as in <PREFIX>_FAULTS becomes the fault API's body.
func TestArmBody(t *testing.T) {
	got, err := armBody("pay.check-back=answer,value=unknown,count=3")
	want := map[string]any{"point": "pay.check-back", "action": "answer", "value": "unknown", "count": 3}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("armBody = %v, %v", got, err)
	}
	for _, bad := range []string{"pay.after-half", "charge=drop,count=x"} {
		if _, err := armBody(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("armBody(%q) = %v, want an error quoting it", bad, err)
		}
	}
}

// Every naive twin names its lesson and its correct twin, and the twins
// point at each other.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range All() {
		if seen[l.Name] {
			t.Errorf("two labs called %s", l.Name)
		}
		seen[l.Name] = true
		if l.run == nil || l.Title.En == "" || len(l.Learn) == 0 {
			t.Errorf("lab %s lacks a run, a title or what it teaches", l.Name)
		}
		if l.Naive && (l.Shows == "" || l.Twin == "") {
			t.Errorf("naive twin %s must say what it shows and name its correct twin", l.Name)
		}
		if l.Twin != "" {
			if twin, ok := Find(l.Twin); !ok || twin.Twin != l.Name || twin.Naive == l.Naive {
				t.Errorf("lab %s names twin %s, which does not name it back as the other variant", l.Name, l.Twin)
			}
		}
	}
}
