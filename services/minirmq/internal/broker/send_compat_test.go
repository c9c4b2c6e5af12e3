package broker

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

func TestSendMessageV2Single(t *testing.T) {
	_, addr := startBroker(t)
	for _, s := range serializations {
		t.Run(s.name, func(t *testing.T) {
			rc := dial(t, addr)
			topic := "V2single" + s.name
			resp := rc.roundTrip(s.frame(remoting.CodeSendMessageV2, 5, v2Header(topic, 2, false, "h", "7", "j", "1"), []byte("hello")))
			if resp.Code != remoting.Success || resp.Opaque != 5 || resp.Serialization != s.ser {
				t.Fatalf("310: code %d %q opaque %d serialization %v", resp.Code, resp.Remark, resp.Opaque, resp.Serialization)
			}
			if resp.Ext("queueId") != "2" || resp.Ext("queueOffset") != "0" || len(resp.Ext("msgId")) != 32 {
				t.Errorf("310 response ext = %v", resp.ExtFields)
			}
			got := rc.pullAll(topic, 2)
			if len(got) != 1 {
				t.Fatalf("stored %q, want one message", bodies(got))
			}
			m := got[0]
			if string(m.Body) != "hello" || m.Flag != 7 || m.ReconsumeTimes != 1 || m.BornTimestamp != 1700000000123 ||
				m.Properties[wire.PropKeys] != "order-1" || m.Properties[wire.PropTags] != "paid" || m.QueueID != 2 {
				t.Errorf("stored %+v", m)
			}
		})
	}
}

func TestBatchSendsByEveryPath(t *testing.T) {
	_, addr := startBroker(t)
	body := javaBatch(
		batchMsg{0, "b-0", props("KEYS", "k0", "UNIQ_KEY", "U0")},
		batchMsg{3, "b-1", props("KEYS", "k1", "UNIQ_KEY", "U1", "TAGS", "own")},
		batchMsg{0, "b-2", ""},
	)
	paths := []struct {
		name   string
		code   int16
		header func(topic string) []kv
	}{
		{"310 m=true", remoting.CodeSendMessageV2, func(topic string) []kv { return v2Header(topic, 1, true) }},
		{"320 m=true", remoting.CodeSendBatchMessage, func(topic string) []kv { return v2Header(topic, 1, true) }},
		{"320 without m", remoting.CodeSendBatchMessage, func(topic string) []kv {
			return slices.DeleteFunc(v2Header(topic, 1, true), func(f kv) bool { return f[0] == "m" })
		}},
		{"10 batch=true", remoting.CodeSendMessage, func(topic string) []kv { return v1Header(topic, 1, true) }},
	}
	for _, s := range serializations {
		for i, p := range paths {
			t.Run(s.name+" "+p.name, func(t *testing.T) {
				rc := dial(t, addr)
				topic := fmt.Sprintf("Batch%s%d", s.name, i)
				resp := rc.roundTrip(s.frame(p.code, 9, p.header(topic), body))
				if resp.Code != remoting.Success || resp.Serialization != s.ser {
					t.Fatalf("code %d %q serialization %v", resp.Code, resp.Remark, resp.Serialization)
				}
				if ids := strings.Split(resp.Ext("msgId"), ","); len(ids) != 3 || resp.Ext("queueOffset") != "0" {
					t.Errorf("response ext = %v, want three offset ids from offset 0", resp.ExtFields)
				}
				got := rc.pullAll(topic, 1)
				if b := bodies(got); !slices.Equal(b, []string{"b-0", "b-1", "b-2"}) {
					t.Fatalf("stored bodies %q, want the three batch messages", b)
				}
				for j, m := range got {
					if m.QueueOffset != int64(j) || m.Properties[wire.PropCluster] == "" {
						t.Errorf("message %d: %+v", j, m)
					}
				}
				// Each message keeps its own properties; the header's fill in what it lacks.
				if got[1].Flag != 3 || got[1].Properties[wire.PropKeys] != "k1" || got[1].Properties[wire.PropUniqKey] != "U1" ||
					got[1].Properties[wire.PropTags] != "own" {
					t.Errorf("message 1: %+v", got[1])
				}
				if got[0].Properties[wire.PropTags] != "paid" || got[2].Properties[wire.PropKeys] != "order-1" {
					t.Errorf("header properties not applied: %v / %v", got[0].Properties, got[2].Properties)
				}
			})
		}
	}
}

func TestBatchFlagFalseIsASingleSend(t *testing.T) {
	// Apache picks single or batch from the header for 10 and 310: a body that
	// happens to be a batch encoding is stored as it is when batch=false.
	_, addr := startBroker(t)
	rc := dial(t, addr)
	body := javaBatch(batchMsg{0, "x", ""}, batchMsg{0, "y", ""})
	for _, code := range []int16{remoting.CodeSendMessage, remoting.CodeSendMessageV2} {
		topic := fmt.Sprintf("Single%d", code)
		header := v2Header(topic, 0, false)
		if code == remoting.CodeSendMessage {
			header = v1Header(topic, 0, false)
		}
		if resp := rc.roundTrip(jsonFrame(code, 1, header, body)); resp.Code != remoting.Success {
			t.Fatalf("%d: %d %q", code, resp.Code, resp.Remark)
		}
		if got := rc.pullAll(topic, 0); len(got) != 1 || !bytes.Equal(got[0].Body, body) {
			t.Errorf("%d batch=false: stored %q, want one message with the body as sent", code, bodies(got))
		}
	}
}

func TestBadBatchesStoreNothing(t *testing.T) {
	_, addr := startBroker(t)
	good := javaBatch(batchMsg{0, "a", ""})
	tests := []struct {
		name   string
		code   int16
		header []kv
		body   []byte
		remark string
	}{
		// The case: code 10 + batch=true with a plain body used to be stored as one corrupt message.
		{"10 batch=true, plain body", remoting.CodeSendMessage, v1Header("Bad0", 0, true), []byte("just one message"), "does not decode as a message batch"},
		{"310 m=true, truncated batch", remoting.CodeSendMessageV2, v2Header("Bad1", 0, true), good[:len(good)-1], "does not decode as a message batch"},
		{"320, second entry cut", remoting.CodeSendBatchMessage, v2Header("Bad2", 0, true), append(bytes.Clone(good), 0, 0, 0, 40, 1), "does not decode as a message batch"},
		{"320, empty body", remoting.CodeSendBatchMessage, v2Header("Bad3", 0, true), nil, "does not decode as a message batch"},
		{"batch marked prepared", remoting.CodeSendBatchMessage, v2Header("Bad4", 0, true, "f", "4"), good, "transactional"},
		{"batch delayed", remoting.CodeSendBatchMessage, v2Header("Bad5", 0, true, "i", props("DELAY", "2")), good, "delayed"},
		{"batch to a retry topic", remoting.CodeSendBatchMessage, v2Header("%RETRY%g", 0, true), good, "retry topic"},
		{"entry delayed", remoting.CodeSendMessageV2, v2Header("Bad6", 0, true), javaBatch(batchMsg{0, "a", props("DELAY", "1")}), "delayed"},
		{"bad queue letter", remoting.CodeSendMessageV2, v2Header("Bad9", 9, true), good, "queueId 9 is illegal"},
	}
	for _, s := range serializations {
		rc := dial(t, addr)
		for _, tt := range tests {
			resp := rc.roundTrip(s.frame(tt.code, 3, tt.header, tt.body))
			if resp.Code != remoting.MessageIllegal || !strings.Contains(resp.Remark, tt.remark) || resp.Serialization != s.ser {
				t.Errorf("%s %s: got %d %q (%v), want %d containing %q", s.name, tt.name, resp.Code, resp.Remark, resp.Serialization, remoting.MessageIllegal, tt.remark)
			}
			topic := tt.header[1][1]
			for q := range 4 {
				if got := rc.pullAll(topic, q); len(got) != 0 {
					t.Errorf("%s %s: stored %q", s.name, tt.name, bodies(got))
				}
			}
		}
	}
}

func TestRetryTopicSendPastMaxGoesToDeadLetters(t *testing.T) {
	// The Java consumer's fallback when CONSUMER_SEND_MSG_BACK fails: it sends
	// the message to %RETRY%<group> itself with reconsumeTimes and
	// maxReconsumeTimes (letters j and l). Apache moves it to %DLQ%<group>
	// once reconsumeTimes reaches the maximum.
	b, addr := startBroker(t)
	rc := dial(t, addr)
	send := func(times, maxTimes string, body string) {
		t.Helper()
		resp := rc.roundTrip(rocketmqFrame(remoting.CodeSendMessageV2, 1,
			v2Header("%RETRY%CG1", 0, false, "j", times, "l", maxTimes, "i", props("DELAY", "1")), []byte(body)))
		if resp.Code != remoting.Success {
			t.Fatalf("send %s: %d %q", body, resp.Code, resp.Remark)
		}
	}
	send("2", "3", "again")
	send("3", "3", "dead")
	if got := bodies(rc.pullAll("%DLQ%CG1", 0)); !slices.Equal(got, []string{"dead"}) {
		t.Errorf("DLQ holds %q, want [dead]", got)
	}
	if got := metricValue(t, b, "minirmq_dead_letters_total"); got != 1 {
		t.Errorf("minirmq_dead_letters_total = %v, want 1", got)
	}
	// The other one is a delayed retry, not yet in the retry queue.
	if got := bodies(rc.pullAll("%RETRY%CG1", 0)); len(got) != 0 {
		t.Errorf("retry queue holds %q before the delay", got)
	}
}

// TestSendV2HeaderRefusedLikeApache: a 310/320 header Apache 4.9 cannot serve
// is answered SYSTEM_ERROR (1) and stores nothing. Apache's decode leaves a
// missing letter null and SendMessageProcessor's unboxing of e, f, g, h
// fails (and of c, d when the topic is new: createTopicInSendMessageMethod);
// a missing b is "The specified topic is blank."; a number that does not
// parse fails FastCodesHeader.decode. Missing a and i–m are fine.
func TestSendV2HeaderRefusedLikeApache(t *testing.T) {
	_, addr := startBroker(t)
	without := func(h []kv, letters ...string) []kv {
		var out []kv
		for _, f := range h {
			if !slices.Contains(letters, f[0]) {
				out = append(out, f)
			}
		}
		return out
	}
	type tc struct {
		name   string
		code   int16
		header []kv
		body   []byte
		remark string
	}
	good := javaBatch(batchMsg{0, "a", ""})
	tests := []tc{
		{"no b", remoting.CodeSendMessageV2, without(v2Header("Miss", 0, false), "b"), []byte("x"), "The specified topic is blank."},
		{"no c, new topic", remoting.CodeSendMessageV2, without(v2Header("MissC", 0, false), "c"), []byte("x"), "the custom field <c> (defaultTopic) is null"},
		{"no d, new topic", remoting.CodeSendBatchMessage, without(v2Header("MissD", 0, true), "d"), good, "the custom field <d> (defaultTopicQueueNums) is null"},
		{"bad d", remoting.CodeSendMessageV2, v2Header("Bad7", 0, false, "d", "four"), []byte("x"), "defaultTopicQueueNums"},
		{"bad l", remoting.CodeSendMessageV2, v2Header("Bad8", 0, false, "l", "x"), []byte("x"), "maxReconsumeTimes"},
	}
	for _, l := range []string{"e", "f", "g", "h"} {
		tests = append(tests,
			tc{"310 no " + l, remoting.CodeSendMessageV2, without(v2Header("Miss"+l, 0, false), l), []byte("x"), "the custom field <" + l + ">"},
			tc{"320 no " + l, remoting.CodeSendBatchMessage, without(v2Header("MissB"+l, 0, true), l), good, "the custom field <" + l + ">"})
	}
	for _, s := range serializations {
		rc := dial(t, addr)
		for _, tt := range tests {
			resp := rc.roundTrip(s.frame(tt.code, 3, tt.header, tt.body))
			if resp.Code != remoting.SystemError || !strings.Contains(resp.Remark, tt.remark) || resp.Serialization != s.ser {
				t.Errorf("%s %s: got %d %q (%v), want 1 containing %q", s.name, tt.name, resp.Code, resp.Remark, resp.Serialization, tt.remark)
			}
			for _, f := range tt.header {
				if f[0] != "b" {
					continue
				}
				for q := range 4 {
					if got := rc.pullAll(f[1], q); len(got) != 0 {
						t.Errorf("%s %s: stored %q", s.name, tt.name, bodies(got))
					}
				}
			}
		}
		// What may be absent: a, i–m; and c, d once the topic exists.
		for _, tt := range []tc{
			{"no a, i-m", remoting.CodeSendMessageV2, without(v2Header("Lean"+s.name, 1, false), "a", "i", "j", "k", "l", "m"), []byte("lean"), ""},
			{"no c, d, known topic", remoting.CodeSendMessageV2, without(v2Header("Lean"+s.name, 1, false), "c", "d"), []byte("known"), ""},
		} {
			if resp := rc.roundTrip(s.frame(tt.code, 4, tt.header, tt.body)); resp.Code != remoting.Success {
				t.Errorf("%s %s: got %d %q, want SUCCESS", s.name, tt.name, resp.Code, resp.Remark)
			}
		}
		if got := bodies(rc.pullAll("Lean"+s.name, 1)); !slices.Equal(got, []string{"lean", "known"}) {
			t.Errorf("%s: stored %q, want [lean known]", s.name, got)
		}
	}
}
