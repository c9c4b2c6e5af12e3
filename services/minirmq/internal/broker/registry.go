package broker

import (
	"encoding/json"
	"sort"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
)

// Subscription is one topic a consumer group subscribes to.
type Subscription struct {
	Topic      string   `json:"topic"`
	Expression string   `json:"subString"`
	Tags       []string `json:"tagsSet"`
	Version    int64    `json:"subVersion"`
	// As the heartbeat sent them, for GET_CONSUMER_CONNECTION_LIST.
	CodeSet         []int32 `json:"codeSet"`
	ExpressionType  string  `json:"expressionType"`
	ClassFilterMode bool    `json:"classFilterMode"`
}

// consumerData is what a heartbeat says about one consumer group.
type consumerData struct {
	GroupName        string         `json:"groupName"`
	ConsumeType      string         `json:"consumeType"`
	MessageModel     string         `json:"messageModel"`
	ConsumeFromWhere string         `json:"consumeFromWhere"`
	Subscriptions    []Subscription `json:"subscriptionDataSet"`
}

type heartbeatData struct {
	language  string // of the heartbeat request, not its body
	version   int16
	ClientID  string `json:"clientID"`
	Producers []struct {
		GroupName string `json:"groupName"`
	} `json:"producerDataSet"`
	Consumers []consumerData `json:"consumerDataSet"`
}

// client is what the broker knows about one connection that sent heartbeats.
type client struct {
	conn          *conn
	id            string
	producers     map[string]bool
	consumers     map[string]consumerData
	lastHeartbeat time.Time
	language      string
	version       int16
}

// registry tracks live producers and consumers by group. Membership is keyed
// by connection: a TCP close unregisters (the Go client never sends
// UNREGISTER_CLIENT).
type registry struct {
	mu      sync.Mutex
	clients map[*conn]*client
	rr      map[string]int // round-robin cursor per producer group
}

func newRegistry() *registry {
	return &registry{clients: map[*conn]*client{}, rr: map[string]int{}}
}

// update applies a heartbeat and returns the consumer groups whose
// membership changed.
func (r *registry) update(c *conn, hb heartbeatData, now time.Time) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	cl := r.clients[c]
	if cl == nil {
		cl = &client{conn: c, consumers: map[string]consumerData{}}
		r.clients[c] = cl
	}
	cl.id = hb.ClientID
	cl.lastHeartbeat = now
	cl.language, cl.version = hb.language, hb.version
	cl.producers = map[string]bool{}
	for _, p := range hb.Producers {
		cl.producers[p.GroupName] = true
	}
	var changed []string
	next := map[string]consumerData{}
	for _, cd := range hb.Consumers {
		next[cd.GroupName] = cd
		if _, had := cl.consumers[cd.GroupName]; !had {
			changed = append(changed, cd.GroupName)
		}
	}
	for g := range cl.consumers {
		if _, still := next[g]; !still {
			changed = append(changed, g)
		}
	}
	cl.consumers = next
	return changed
}

// remove forgets a connection and returns the groups it belonged to and its client id.
func (r *registry) remove(c *conn) (groups []string, clientID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cl := r.clients[c]
	if cl == nil {
		return nil, ""
	}
	delete(r.clients, c)
	for g := range cl.consumers {
		groups = append(groups, g)
	}
	return groups, cl.id
}

// clientID returns the client id a connection heartbeated with, "" before
// its first heartbeat.
func (r *registry) clientID(c *conn) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cl := r.clients[c]; cl != nil {
		return cl.id
	}
	return ""
}

// clientIDLive reports whether any connection still carries the client id.
func (r *registry) clientIDLive(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cl := range r.clients {
		if cl.id == id {
			return true
		}
	}
	return false
}

// consumerIDs returns the sorted, distinct client ids of a consumer group.
func (r *registry) consumerIDs(group string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	ids := []string{}
	for _, cl := range r.clients {
		if _, ok := cl.consumers[group]; ok && !seen[cl.id] {
			seen[cl.id] = true
			ids = append(ids, cl.id)
		}
	}
	sort.Strings(ids)
	return ids
}

func (r *registry) consumerConns(group string) []*conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	var conns []*conn
	for c, cl := range r.clients {
		if _, ok := cl.consumers[group]; ok {
			conns = append(conns, c)
		}
	}
	return conns
}

// groupSubscription returns the subscription a consumer group registered
// for a topic: known when a live client heartbeated the group, found when
// one of them subscribes the topic.
func (r *registry) groupSubscription(group, topic string) (sub Subscription, known, found bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cl := range r.clients {
		if cd, ok := cl.consumers[group]; ok {
			known = true
			for _, s := range cd.Subscriptions {
				if s.Topic == topic {
					return s, true, true
				}
			}
		}
	}
	return Subscription{}, known, false
}

// pickProducer returns a live connection of a producer group, round-robin.
func (r *registry) pickProducer(group string) *conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	var conns []*conn
	for c, cl := range r.clients {
		if cl.producers[group] && c.alive() {
			conns = append(conns, c)
		}
	}
	if len(conns) == 0 {
		return nil
	}
	// Map iteration order is random; sort for a fair round-robin.
	sort.Slice(conns, func(i, j int) bool { return conns[i].remote.String() < conns[j].remote.String() })
	i := r.rr[group] % len(conns)
	r.rr[group] = i + 1
	return conns[i]
}

// clientView is a copy of one registered client, safe to read unlocked.
type clientView struct {
	id        string
	addr      string
	language  string
	version   int16
	producers []string
	consumers []consumerData
}

// snapshot copies every registered client for the admin views.
func (r *registry) snapshot() []clientView {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]clientView, 0, len(r.clients))
	for c, cl := range r.clients {
		v := clientView{id: cl.id, addr: c.remote.String(), language: cl.language, version: cl.version}
		for g := range cl.producers {
			v.producers = append(v.producers, g)
		}
		for _, cd := range cl.consumers {
			v.consumers = append(v.consumers, cd)
		}
		out = append(out, v)
	}
	return out
}

// expired returns connections whose last heartbeat is older than limit.
func (r *registry) expired(now time.Time, limit time.Duration) []*conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*conn
	for c, cl := range r.clients {
		if now.Sub(cl.lastHeartbeat) > limit {
			out = append(out, c)
		}
	}
	return out
}

func (b *Broker) handleHeartbeat(c *conn, req *remoting.Command) *remoting.Command {
	var hb heartbeatData
	if err := json.Unmarshal(req.Body, &hb); err != nil {
		return badRequest(req, remoting.SystemError, "heartbeat body is not valid JSON: %v", err)
	}
	if hb.ClientID == "" {
		return badRequest(req, remoting.SystemError, "heartbeat without clientID")
	}
	for _, cd := range hb.Consumers {
		if cd.MessageModel != "BROADCASTING" {
			b.ensureTopic(RetryPrefix+cd.GroupName, 1)
		}
	}
	hb.language, hb.version = req.Language, req.Version
	changed := b.reg.update(c, hb, b.now())
	for _, g := range changed {
		b.log.Info("consumer group membership changed", "group", g, "client", hb.ClientID, "remote", c.remote)
		b.notifyGroup(g)
	}
	return remoting.NewResponse(req, remoting.Success, "")
}

func (b *Broker) handleUnregister(c *conn, req *remoting.Command) *remoting.Command {
	b.connClosed(c)
	return remoting.NewResponse(req, remoting.Success, "")
}

// connClosed unregisters a connection and tells the remaining members of its
// consumer groups to re-balance.
func (b *Broker) connClosed(c *conn) {
	groups, id := b.reg.remove(c)
	for _, g := range groups {
		b.log.Info("consumer left group", "group", g, "client", id, "remote", c.remote)
		b.notifyGroup(g)
	}
	if id != "" && !b.reg.clientIDLive(id) {
		b.locks.releaseClient(id)
	}
}

func (b *Broker) notifyGroup(group string) {
	for _, c := range b.reg.consumerConns(group) {
		c.request(remoting.NewRequest(remoting.CodeNotifyConsumerIDsChanged, true,
			map[string]string{"consumerGroup": group}, nil))
	}
}

// handleConsumerList answers GET_CONSUMER_LIST_BY_GROUP like Apache's
// ConsumerManageProcessor.getConsumerListByGroup: a group without live
// members is SYSTEM_ERROR "no consumer for this group" (the Go client reads
// that as an empty list, the Java client skips that rebalance).
func (b *Broker) handleConsumerList(_ *conn, req *remoting.Command) *remoting.Command {
	group := req.Ext("consumerGroup")
	ids := b.reg.consumerIDs(group)
	if len(ids) == 0 {
		return remoting.NewResponse(req, remoting.SystemError, "no consumer for this group, "+group)
	}
	body, _ := json.Marshal(struct {
		ConsumerIDList []string `json:"consumerIdList"`
	}{ids})
	resp := remoting.NewResponse(req, remoting.Success, "")
	resp.Body = body
	return resp
}
