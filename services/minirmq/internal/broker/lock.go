package broker

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
)

type messageQueue struct {
	Topic      string `json:"topic"`
	BrokerName string `json:"brokerName"`
	QueueID    int    `json:"queueId"`
}

type lockKey struct {
	group, topic string
	queueID      int
}

type lockEntry struct {
	clientID string
	expires  time.Time
}

// lockTable grants orderly consumers exclusive queues per group, like
// Apache's RebalanceLockManager: a lock lasts 60 s unless renewed.
type lockTable struct {
	mu    sync.Mutex
	locks map[lockKey]lockEntry
}

func newLockTable() *lockTable { return &lockTable{locks: map[lockKey]lockEntry{}} }

func (t *lockTable) lock(group, clientID string, mqs []messageQueue, now time.Time) []messageQueue {
	t.mu.Lock()
	defer t.mu.Unlock()
	granted := []messageQueue{}
	for _, mq := range mqs {
		k := lockKey{group, mq.Topic, mq.QueueID}
		if cur, ok := t.locks[k]; ok && cur.clientID != clientID && now.Before(cur.expires) {
			continue
		}
		t.locks[k] = lockEntry{clientID: clientID, expires: now.Add(lockLifetime)}
		granted = append(granted, mq)
	}
	return granted
}

func (t *lockTable) unlock(group, clientID string, mqs []messageQueue) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, mq := range mqs {
		k := lockKey{group, mq.Topic, mq.QueueID}
		if t.locks[k].clientID == clientID {
			delete(t.locks, k)
		}
	}
}

// releaseClient frees a departed client's locks at once rather than after
// 60 s, so its queues re-balance quickly.
func (t *lockTable) releaseClient(clientID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, e := range t.locks {
		if e.clientID == clientID {
			delete(t.locks, k)
		}
	}
}

type lockBody struct {
	ConsumerGroup string         `json:"consumerGroup"`
	ClientID      string         `json:"clientId"`
	MQSet         []messageQueue `json:"mqSet"`
}

func (b *Broker) handleLock(_ *conn, req *remoting.Command) *remoting.Command {
	var body lockBody
	if err := json.Unmarshal(req.Body, &body); err != nil || body.ClientID == "" || body.ConsumerGroup == "" {
		return badRequest(req, remoting.SystemError, "lock body must be JSON with consumerGroup, clientId and mqSet")
	}
	granted := b.locks.lock(body.ConsumerGroup, body.ClientID, body.MQSet, b.now())
	out, _ := json.Marshal(struct {
		LockOKMQSet []messageQueue `json:"lockOKMQSet"`
	}{granted})
	resp := remoting.NewResponse(req, remoting.Success, "")
	resp.Body = out
	return resp
}

func (b *Broker) handleUnlock(_ *conn, req *remoting.Command) *remoting.Command {
	var body lockBody
	if err := json.Unmarshal(req.Body, &body); err != nil {
		return badRequest(req, remoting.SystemError, "unlock body must be JSON with consumerGroup, clientId and mqSet")
	}
	b.locks.unlock(body.ConsumerGroup, body.ClientID, body.MQSet)
	return remoting.NewResponse(req, remoting.Success, "")
}
