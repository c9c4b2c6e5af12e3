package admin

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
)

func (a *api) topics(*http.Request) (result, error) {
	return ok(map[string]any{"topics": a.b.Topics()}), nil
}

func (a *api) topicMessages(r *http.Request) (result, error) {
	topic := r.PathValue("topic")
	if key := r.URL.Query().Get("key"); key != "" {
		scan, err := intParam(r, "scan", defaultScan, 1, 10_000_000)
		if err != nil {
			return result{}, err
		}
		msgs, err := a.b.SearchKey(topic, key, int(scan))
		if err != nil {
			return result{}, err
		}
		return ok(map[string]any{"messages": msgs}), nil
	}
	qid, err := intParam(r, "queueId", 0, 0, math.MaxInt32)
	if err != nil {
		return result{}, err
	}
	offset, err := intParam(r, "offset", -1, 0, math.MaxInt64)
	if err != nil {
		return result{}, err
	}
	limit, err := intParam(r, "limit", defaultLimit, 1, maxLimit)
	if err != nil {
		return result{}, err
	}
	msgs, err := a.b.Messages(topic, int32(qid), offset, int(limit))
	if err != nil {
		return result{}, err
	}
	return ok(map[string]any{"messages": msgs}), nil
}

func (a *api) message(r *http.Request) (result, error) {
	m, err := a.b.Message(r.PathValue("id"))
	if err != nil {
		return result{}, err
	}
	return ok(m), nil
}

func (a *api) transactions(r *http.Request) (result, error) {
	txs, err := a.b.Transactions(r.URL.Query().Get("state"))
	if err != nil {
		return result{}, err
	}
	return ok(map[string]any{"transactions": txs}), nil
}

func (a *api) groups(*http.Request) (result, error) {
	return ok(map[string]any{"groups": a.b.ConsumerGroups()}), nil
}

func (a *api) group(r *http.Request) (result, error) {
	g, err := a.b.ConsumerGroup(r.PathValue("group"))
	if err != nil {
		return result{}, err
	}
	return ok(g), nil
}

func (a *api) producerGroups(*http.Request) (result, error) {
	return ok(map[string]any{"groups": a.b.ProducerGroups()}), nil
}

func (a *api) redeliver(r *http.Request) (result, error) {
	var body struct {
		MsgID string `json:"msgId"`
	}
	if err := decodeBody(r, &body); err != nil {
		return result{}, err
	}
	if body.MsgID == "" {
		return result{}, badInput{"msgId (the broker's offset message id) is required"}
	}
	m, err := a.b.Redeliver(r.PathValue("group"), body.MsgID)
	if err != nil {
		return result{}, err
	}
	return result{http.StatusAccepted, map[string]any{"message": m}}, nil
}

func (a *api) delayed(*http.Request) (result, error) {
	return ok(a.b.Delayed()), nil
}

func (a *api) deadLetters(*http.Request) (result, error) {
	return ok(map[string]any{"groups": a.b.DeadLetters()}), nil
}

func (a *api) groupDeadLetters(r *http.Request) (result, error) {
	msgs, err := a.b.GroupDeadLetters(r.PathValue("group"))
	if err != nil {
		return result{}, err
	}
	return ok(map[string]any{"messages": msgs}), nil
}

func (a *api) replay(r *http.Request) (result, error) {
	off, err := strconv.ParseInt(r.PathValue("offset"), 10, 64)
	if err != nil || off < 0 {
		return result{}, badInput{fmt.Sprintf("dead-letter offset %q must be a non-negative integer", r.PathValue("offset"))}
	}
	m, err := a.b.ReplayDeadLetter(r.PathValue("group"), off)
	if err != nil {
		return result{}, err
	}
	return ok(map[string]any{"message": m}), nil
}

// journal is GET /api/v1/journal?key=K: the broker's steps with the
// messages carrying key K, oldest first (the timeline contract's shape).
func (a *api) journal(r *http.Request) (result, error) {
	key := r.URL.Query().Get("key")
	if key == "" {
		return result{}, badInput{"query parameter key (a message key, such as an order number) is required"}
	}
	j := a.b.Journal()
	return ok(map[string]any{"entries": j.Entries(key), "retention": j.Retention()}), nil
}
