package shipping

import (
	"context"
	"time"
)

// recordingStore keeps the last created shipment; the store package's tests
// cover the real behaviour on both databases.
type recordingStore struct {
	created Shipment
}

func (r *recordingStore) Create(_ context.Context, _, _ string, s Shipment) error {
	r.created = s
	return nil
}

func (r *recordingStore) Shipment(context.Context, string) (Shipment, error) { return r.created, nil }

func (r *recordingStore) List(context.Context, Filter) ([]Shipment, error) {
	return []Shipment{r.created}, nil
}

func (r *recordingStore) Advance(context.Context, Step) (Transition, error) {
	return Transition{Found: true, Shipment: r.created}, nil
}

func (r *recordingStore) EndForRefund(context.Context, string, string, RefundEnd) (Transition, error) {
	return Transition{Found: true, Shipment: r.created}, nil
}

func (r *recordingStore) Due(context.Context, Status, time.Time, int) ([]string, error) {
	return nil, nil
}

func (r *recordingStore) ResolveTx(context.Context, string) (bool, error) { return false, nil }
