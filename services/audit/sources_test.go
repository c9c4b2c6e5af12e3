package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// TestEveryServiceIsAudited: a row added to contracts' table without an
// audit entry fails here, by name, instead of leaving the service unchecked.
func TestEveryServiceIsAudited(t *testing.T) {
	var l lists
	read := map[string]bool{}
	for _, src := range l.sources() {
		svc, ok := contracts.ServiceByName(src.service)
		if !ok {
			t.Errorf("the audit reads %s from %q, which is not in contracts' table", src.path, src.service)
			continue
		}
		if strings.Contains(src.path, "/admin/") && !svc.AdminAPI {
			t.Errorf("the audit reads %s from %s, whose row says it has no admin API", src.path, svc.Name)
		}
		read[svc.Name] = true
	}
	for _, svc := range contracts.Services() {
		if !read[svc.Name] {
			t.Errorf("the %s service has no audit entry: add what the audit reads from it to lists.sources", svc.Name)
		}
	}
}

// TestMissingServiceURLFails: a configuration without one service's URL is
// refused up front, naming the variable, rather than read partially.
func TestMissingServiceURLFails(t *testing.T) {
	urls := map[string]string{}
	for _, svc := range contracts.Services() {
		urls[svc.Name] = svc.DefaultURL()
	}
	delete(urls, contracts.ServicePoints)
	_, err := Run(context.Background(), Config{URLs: urls})
	if err == nil || !strings.Contains(err.Error(), "POINTS_URL") {
		t.Fatalf("err = %v, want one naming POINTS_URL", err)
	}
}
