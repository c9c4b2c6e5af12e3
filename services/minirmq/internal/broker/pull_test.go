package broker

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// pulledTags decodes a pull answer's body into the tags of its messages.
func pulledTags(t *testing.T, body []byte) []string {
	t.Helper()
	var tags []string
	for len(body) > 0 {
		m, n, err := wire.Decode(body)
		if err != nil {
			t.Fatalf("pull body: %v", err)
		}
		tags = append(tags, m.Properties[wire.PropTags])
		body = body[n:]
	}
	return tags
}

// heartbeat registers a consumer of group on a connection of its own (the
// broker notifies that connection of the membership change).
func heartbeat(t *testing.T, addr, clientID, group string, subs ...Subscription) {
	t.Helper()
	rc := dial(t, addr)
	body, _ := json.Marshal(map[string]any{"clientID": clientID, "consumerDataSet": []any{map[string]any{
		"groupName": group, "consumeType": "CONSUME_PASSIVELY", "messageModel": "CLUSTERING",
		"consumeFromWhere": "CONSUME_FROM_LAST_OFFSET", "subscriptionDataSet": subs}}})
	req := remoting.NewRequest(remoting.CodeHeartbeat, false, nil, body)
	frame, _ := remoting.Encode(req)
	if _, err := rc.c.Write(frame); err != nil {
		t.Fatal(err)
	}
	for { // the broker's NOTIFY_CONSUMER_IDS_CHANGED may come first
		resp, err := remoting.ReadCommand(rc.r, 1<<24)
		if err != nil {
			t.Fatalf("heartbeat: no answer: %v", err)
		}
		if resp.IsResponse() {
			if resp.Opaque != req.Opaque || resp.Code != remoting.Success {
				t.Fatalf("heartbeat: %d %s", resp.Code, resp.Remark)
			}
			return
		}
	}
}

// TestPullSubscriptionLikeApache: a pull is filtered by the subscription it
// carries (sysFlag bit 2) with no heartbeat needed, and otherwise by the one
// its group registered with a heartbeat; without that it is refused with
// SUBSCRIPTION_NOT_EXIST and its piggy-backed offset is not stored, and an
// older registered subscription than the pull's subVersion is
// SUBSCRIPTION_NOT_LATEST (Apache 4.9 PullMessageProcessor.processRequest).
func TestPullSubscriptionLikeApache(t *testing.T) {
	b, addr := startBroker(t)
	rc := dial(t, addr)
	for _, tag := range []string{"a", "b", "c", "a"} {
		if resp := rc.call(remoting.CodeSendMessage, sendExt("T", "0", wire.Properties{wire.PropTags: tag}), []byte("x")); resp.Code != remoting.Success {
			t.Fatalf("send: %d %s", resp.Code, resp.Remark)
		}
	}
	pull := func(ext map[string]string) *remoting.Command {
		t.Helper()
		base := map[string]string{"consumerGroup": "g", "topic": "T", "queueId": "1", "queueOffset": "0", "maxMsgNums": "32", "sysFlag": "0"}
		for k, v := range ext {
			base[k] = v
		}
		return rc.call(remoting.CodePullMessage, base, nil)
	}
	expect := func(what string, resp *remoting.Command, code int16, remark string, tags ...string) {
		t.Helper()
		if resp.Code != code || !strings.Contains(resp.Remark, remark) {
			t.Errorf("%s: code %d %q, want %d with %q", what, resp.Code, resp.Remark, code, remark)
			return
		}
		if code == remoting.Success {
			if got := strings.Join(pulledTags(t, resp.Body), ","); got != strings.Join(tags, ",") {
				t.Errorf("%s: delivered tags %q, want %q", what, got, strings.Join(tags, ","))
			}
		}
	}

	// No heartbeat yet (a consumer returning to a restarted broker).
	expect("no heartbeat, no subscription flag", pull(map[string]string{"sysFlag": "1", "commitOffset": "3"}),
		codeSubscriptionNotExist, "group info not exist")
	if off, ok := b.getOffset("g", "T", 1); ok {
		t.Errorf("a refused pull stored offset %d", off)
	}
	expect("no heartbeat, own subscription", pull(map[string]string{"sysFlag": "4", "subscription": "a || b"}),
		remoting.Success, "", "a", "b", "a")
	expect("no heartbeat, own subscription *", pull(map[string]string{"sysFlag": "4", "subscription": "*"}),
		remoting.Success, "", "a", "b", "c", "a")
	expect("SQL92 expression", pull(map[string]string{"sysFlag": "4", "subscription": "a > 1", "expressionType": "SQL92"}),
		remoting.SystemError, "SQL92")
	if resp := rc.call(remoting.CodeGetConsumerListByGroup, map[string]string{"consumerGroup": "g"}, nil); resp.Code != remoting.SystemError ||
		!strings.Contains(resp.Remark, "no consumer for this group") {
		t.Errorf("consumer list of a group without members: %d %q, want SYSTEM_ERROR no consumer for this group", resp.Code, resp.Remark)
	}

	// A heartbeat of the group for another topic only.
	heartbeat(t, addr, "c1", "g", Subscription{Topic: "U", Expression: "*"})
	expect("group subscribes another topic", pull(nil), codeSubscriptionNotExist, "subscription not exist")

	// The group subscribes T to tag c, version 5.
	heartbeat(t, addr, "c1", "g", Subscription{Topic: "T", Expression: "c", Tags: []string{"c"}, Version: 5})
	expect("registered subscription", pull(map[string]string{"sysFlag": "1", "commitOffset": "2"}), remoting.Success, "", "c")
	if off, _ := b.getOffset("g", "T", 1); off != 2 {
		t.Errorf("offset after a served pull = %d, want the committed 2", off)
	}
	expect("registered subscription, same version", pull(map[string]string{"subVersion": "5"}), remoting.Success, "", "c")
	expect("pull newer than the registered subscription", pull(map[string]string{"subVersion": "6"}),
		codeSubscriptionNotLatest, "not latest")
	expect("own subscription wins over the registered one", pull(map[string]string{"sysFlag": "4", "subscription": "b"}),
		remoting.Success, "", "b")
}
