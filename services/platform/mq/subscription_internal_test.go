package mq

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// closer records the order in which consumers are closed.
type closer struct {
	name   string
	closed *[]string
}

func (c closer) Close() error {
	*c.closed = append(*c.closed, c.name)
	return nil
}

// A start that fails part-way closes what already runs, and the error names
// the failing subscription; a subscription without a handler never starts.
func TestStartEachClosesStartedOnFailure(t *testing.T) {
	noop := func(context.Context, Delivery) error { return nil }
	subs := []Subscription{{"g1", "T1", noop}, {"g2", "T2", noop}, {"g3", "T3", noop}}
	tests := []struct {
		name       string
		subs       []Subscription
		failAt     string // group whose start fails
		wantClosed []string
		wantErr    string
	}{
		{"third fails", subs, "g3", []string{"g2", "g1"}, "T3 as g3"},
		{"first fails", subs, "g1", nil, "T1 as g1"},
		{"no handler", append(slices.Clip(subs[:1]), Subscription{Group: "g2", Topic: "T2"}), "", []string{"g1"}, "needs a group, a topic and a handler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var closed []string
			cs, err := startEach(tt.subs, func(s Subscription) (io.Closer, error) {
				if s.Group == tt.failAt {
					return nil, errors.New("boom")
				}
				return closer{s.Group, &closed}, nil
			})
			if cs != nil || err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("startEach = %v, %v; want nil and an error containing %q", cs, err, tt.wantErr)
			}
			if !slices.Equal(closed, tt.wantClosed) {
				t.Errorf("closed %v, want %v", closed, tt.wantClosed)
			}
		})
	}

	var closed []string
	cs, err := startEach(subs, func(s Subscription) (io.Closer, error) { return closer{s.Group, &closed}, nil })
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.Close(); err != nil || !slices.Equal(closed, []string{"g3", "g2", "g1"}) {
		t.Errorf("Close = %v, closed %v; want every consumer, last first", err, closed)
	}
}
