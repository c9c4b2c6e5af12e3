package broker

import (
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

func sendExt(topic string, sysFlag string, props wire.Properties) map[string]string {
	return map[string]string{"producerGroup": "pg", "topic": topic, "queueId": "1", "sysFlag": sysFlag,
		"bornTimestamp": "1", "flag": "0", "properties": props.String()}
}

func states(t *testing.T, b *Broker) map[string]int {
	t.Helper()
	txs, err := b.Transactions("")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, tx := range txs {
		got[tx.State]++
	}
	return got
}

// The first record of a fresh broker is at commit-log offset 0: its commit
// must be recorded like any other, and a repeated commit must not publish twice.
func TestHalfAtOffsetZeroCommitsOnce(t *testing.T) {
	b, addr := startBroker(t)
	rc := dial(t, addr)
	half := wire.Properties{wire.PropTranMsg: "true", wire.PropProducerGroup: "pg", wire.PropUniqKey: "TX0"}
	resp := rc.call(remoting.CodeSendMessage, sendExt("orders", "4", half), []byte("paid"))
	if resp.Code != remoting.Success {
		t.Fatalf("half send: %d %s", resp.Code, resp.Remark)
	}
	_, off, err := wire.ParseOffsetMsgID(resp.Ext("msgId"))
	if err != nil || off != 0 {
		t.Fatalf("half at offset %d (%v), want 0", off, err)
	}
	end := map[string]string{"producerGroup": "pg", "tranStateTableOffset": resp.Ext("queueOffset"),
		"commitLogOffset": "0", "commitOrRollback": "8", "fromTransactionCheck": "false", "msgId": "TX0"}
	for i := 0; i < 2; i++ {
		// END_TRANSACTION is one-way; a round trip on the same connection
		// afterwards guarantees it was processed.
		frame, _ := remoting.Encode(remoting.NewRequest(remoting.CodeEndTransaction, false, end, nil))
		rc.c.Write(frame)
		rc.call(remoting.CodeGetMaxOffset, map[string]string{"topic": "orders", "queueId": "1"}, nil)
	}
	if got := rc.call(remoting.CodeGetMaxOffset, map[string]string{"topic": "orders", "queueId": "1"}, nil).Ext("offset"); got != "1" {
		t.Errorf("messages in orders/1 = %s, want exactly 1", got)
	}
	if got := states(t, b); got[txCommitted] != 1 || got[txPending] != 0 {
		t.Errorf("states = %v, want one committed", got)
	}
}

func TestClientCannotForgeACommit(t *testing.T) {
	b, addr := startBroker(t)
	rc := dial(t, addr)
	half := wire.Properties{wire.PropTranMsg: "true", wire.PropProducerGroup: "pg", wire.PropUniqKey: "TX0"}
	rc.call(remoting.CodeSendMessage, sendExt("orders", "4", half), []byte("half"))
	// sysFlag 8 = TRANSACTION_COMMIT on a plain message, with a zero prepared offset.
	if resp := rc.call(remoting.CodeSendMessage, sendExt("orders", "8", wire.Properties{}), []byte("forged")); resp.Code != remoting.Success {
		t.Fatalf("plain send: %d %s", resp.Code, resp.Remark)
	}
	if got := states(t, b); got[txPending] != 1 {
		t.Errorf("states = %v, want the half still pending", got)
	}
}

func TestQueueLocksAreExclusiveUntilExpiryOrRelease(t *testing.T) {
	now := time.Unix(1000, 0)
	locks := newLockTable()
	q := []messageQueue{{Topic: "T", BrokerName: "b", QueueID: 0}, {Topic: "T", BrokerName: "b", QueueID: 1}}
	if got := locks.lock("g", "A", q, now); len(got) != 2 {
		t.Fatalf("A got %d queues, want 2", len(got))
	}
	if got := locks.lock("g", "B", q, now.Add(time.Second)); len(got) != 0 {
		t.Errorf("B got %v while A holds the locks", got)
	}
	if got := locks.lock("other-group", "B", q, now); len(got) != 2 {
		t.Errorf("another group is independent: got %d, want 2", len(got))
	}
	locks.unlock("g", "A", q[:1])
	if got := locks.lock("g", "B", q, now.Add(time.Second)); len(got) != 1 || got[0].QueueID != 0 {
		t.Errorf("after A unlocked queue 0, B got %v, want queue 0 only", got)
	}
	if got := locks.lock("g", "B", q[1:], now.Add(lockLifetime+time.Second)); len(got) != 1 {
		t.Errorf("after expiry B got %v, want queue 1", got)
	}
	locks.releaseClient("B")
	if got := locks.lock("g", "C", q, now.Add(2*time.Second)); len(got) != 2 {
		t.Errorf("after B left, C got %d queues, want 2", len(got))
	}
}
