package events_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/points/internal/events"
)

// The minirmq admin API, as the tests use it.

// call does one admin API request and decodes the answer into out (if any).
func (e *env) call(t *testing.T, method, path string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, e.admin+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// offsetMsgID finds the broker id of the ORDER_PAID message keyed orderNo.
func (e *env) offsetMsgID(t *testing.T, orderNo string) string {
	t.Helper()
	var out struct {
		Messages []struct{ OffsetMsgID string }
	}
	e.call(t, http.MethodGet, "/api/v1/topics/"+contracts.TopicOrderPaid+"/messages?key="+url.QueryEscape(orderNo), nil, &out)
	if len(out.Messages) != 1 || out.Messages[0].OffsetMsgID == "" {
		t.Fatalf("messages keyed %s: %+v, want one", orderNo, out.Messages)
	}
	return out.Messages[0].OffsetMsgID
}

// redeliver asks the broker to deliver a copy of a stored message to the
// points group again.
func (e *env) redeliver(t *testing.T, offsetMsgID string) {
	t.Helper()
	if status := e.call(t, http.MethodPost, "/api/v1/consumer-groups/"+events.Group+"/redeliver",
		map[string]string{"msgId": offsetMsgID}, nil); status != http.StatusAccepted {
		t.Errorf("redeliver: %d, want 202", status)
	}
}

// deadLetter is a message of %DLQ%points-order-paid.
type deadLetter struct {
	Keys          string
	QueueOffset   int64
	OriginalTopic string
	Replayed      bool
}

func (e *env) deadLetters(t *testing.T) []deadLetter {
	t.Helper()
	var out struct{ Messages []deadLetter }
	e.call(t, http.MethodGet, "/api/v1/dead-letters/"+events.Group, nil, &out)
	return out.Messages
}

func (e *env) replay(t *testing.T, queueOffset int64) int {
	t.Helper()
	return e.call(t, http.MethodPost, "/api/v1/dead-letters/"+events.Group+"/"+strconv.FormatInt(queueOffset, 10)+"/replay", nil, nil)
}

// caughtUp reports whether the group has consumed everything.
func (e *env) caughtUp(t *testing.T) bool {
	t.Helper()
	var g struct {
		Lag    int64
		Queues []struct{ Topic string }
	}
	status := e.call(t, http.MethodGet, "/api/v1/consumer-groups/"+events.Group, nil, &g)
	return status == http.StatusOK && len(g.Queues) > 0 && g.Lag == 0
}

// retriedMessages counts what went through the group's retry topic.
func (e *env) retriedMessages(t *testing.T) int64 {
	t.Helper()
	var out struct {
		Topics []struct {
			Topic  string
			Queues []struct{ MinOffset, MaxOffset int64 }
		}
	}
	e.call(t, http.MethodGet, "/api/v1/topics", nil, &out)
	var n int64
	for _, tp := range out.Topics {
		if strings.HasPrefix(tp.Topic, "%RETRY%") {
			for _, q := range tp.Queues {
				n += q.MaxOffset
			}
		}
	}
	return n
}
