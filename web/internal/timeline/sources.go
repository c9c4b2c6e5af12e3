package timeline

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"sync"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// journal is a source's answer, the same shape from every source.
type journal struct {
	Entries   []Entry `json:"entries"`
	Retention string  `json:"retention"`
}

// collect asks every source for orderNo's entries, in parallel, and
// concatenates them in the sources' order (sorting comes later).
func (s *Service) collect(ctx context.Context, orderNo string) Document {
	q := "?key=" + url.QueryEscape(orderNo)
	journals := make([]journal, len(s.sources))
	sources := make([]Source, len(s.sources))
	var wg sync.WaitGroup
	for i, name := range s.sources {
		sources[i].Source = name
		client, path := s.c.Journals[name], "/api/v1/admin/journal"+q
		if name == SourceBroker {
			client, path = s.c.Broker, "/api/v1/journal"+q
		}
		if client == nil {
			sources[i].State = StateNotAvailable
			sources[i].Detail = "the gateway has no broker admin API (MINIRMQ_ADMIN_URL is off): Apache RocketMQ keeps no journal"
			continue
		}
		wg.Go(func() {
			err := s.call(ctx, client, path, "", &journals[i])
			sources[i].State, sources[i].Detail = sourceState(name, err)
			sources[i].Retention = journals[i].Retention
		})
	}
	wg.Wait()
	doc := Document{OrderNo: orderNo, Entries: []Entry{}, Sources: sources}
	for i, name := range s.sources {
		if sources[i].State != StateOK {
			continue
		}
		for _, e := range journals[i].Entries {
			if e.Actor == "" {
				e.Actor = name
			}
			doc.Entries = append(doc.Entries, e)
		}
	}
	return doc
}

// sourceState turns a source's error into its state and, when not ok, a
// reason for people. apperr messages are written for clients; anything
// else is not shown.
func sourceState(name string, err error) (state, detail string) {
	if err == nil {
		return StateOK, ""
	}
	if apperr.KindOf(err) == apperr.NotFound {
		return StateNoJournal, name + " answered 404 for its journal: a version from before the timeline"
	}
	if svcclient.IsUnavailable(err) {
		return StateUnreachable, name + " did not answer"
	}
	if e, ok := apperr.As(err); ok {
		switch e.Kind {
		case apperr.Unauthorized, apperr.Forbidden:
			return StateUnreachable, name + " refused the gateway's admin token"
		case apperr.Internal:
		default:
			return StateUnreachable, name + " answered " + e.Code + ": " + e.Message
		}
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syntax) || errors.As(err, &typ) {
		return StateUnreachable, name + " answered something other than a journal"
	}
	return StateUnreachable, name + " could not be asked"
}
