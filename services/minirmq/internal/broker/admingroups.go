package broker

// Read-only request codes about consumer and producer groups (mqadmin's
// consumerProgress, consumerConnection, producerConnection, topicList -c).
// Bodies are written as Apache 4.9.4's fastjson writes them; see admincodes.go.

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
)

// handleConsumeStats serves GET_CONSUME_STATS (208) as Apache 4.9's
// AdminBrokerProcessor.getConsumeStats: for the topic asked, or every topic
// the group has offsets on, less topics the group's live members do not
// subscribe to, per queue the broker's max offset, the group's committed
// offset (0 when none or negative) and the store time of the last message it
// consumed (0 when none). Difference: consumeTps (Apache: the group's pulled
// messages per second over the last minute) is 0.0.
func (b *Broker) handleConsumeStats(_ *conn, req *remoting.Command) *remoting.Command {
	group, topic := req.Ext("consumerGroup"), req.Ext("topic")
	g, _ := b.ConsumerGroup(group) // an unknown group has no offsets: an empty table, as Apache answers
	committed := map[string]int64{}
	var topics []string
	for _, q := range g.Queues {
		committed[offsetKey(q.Topic, q.QueueID)] = q.CommittedOffset
		if !slices.Contains(topics, q.Topic) {
			topics = append(topics, q.Topic)
		}
	}
	if strings.TrimSpace(topic) != "" {
		topics = []string{topic}
	}
	slices.Sort(topics)
	var sb strings.Builder
	sb.WriteString(`{"consumeTps":0.0,"offsetTable":{`)
	first := true
	for _, t := range topics {
		if validTopic(t) != nil || !b.topicExists(t) {
			continue
		}
		// Apache skips a topic the group's live members do not subscribe to
		// (while any of them subscribes to something).
		if _, known, found := b.reg.groupSubscription(group, t); known && !found {
			continue
		}
		for q := range int32(b.queueCount(t)) {
			_, maxOff := b.store.QueueOffsets(t, q)
			consumer := max(committed[offsetKey(t, q)], 0)
			var last int64
			if consumer > 0 {
				last = b.storeTimeAt(t, q, consumer-1)
			}
			if !first {
				sb.WriteByte(',')
			}
			first = false
			fmt.Fprintf(&sb, `%s:{"brokerOffset":%d,"consumerOffset":%d,"lastTimestamp":%d}`, b.mqKey(t, q), maxOff, consumer, last)
		}
	}
	sb.WriteString(`}}`)
	return success(req, []byte(sb.String()))
}

// handleConsumerConnections serves GET_CONSUMER_CONNECTION_LIST (203) as
// Apache 4.9's AdminBrokerProcessor.getConsumerConnectionList: the live
// members of a group (client id, address, and the language and version of
// their heartbeat requests) and the subscriptions they heartbeated, as sent,
// with SubscriptionData's defaults for what a client left out (tagsSet and
// codeSet empty, expressionType TAG); CONSUMER_NOT_ONLINE without members.
func (b *Broker) handleConsumerConnections(_ *conn, req *remoting.Command) *remoting.Command {
	group := req.Ext("consumerGroup")
	type connection struct {
		ClientAddr string `json:"clientAddr"`
		ClientID   string `json:"clientId"`
		Language   string `json:"language"`
		Version    int16  `json:"version"`
	}
	type subscription struct {
		ClassFilterMode bool     `json:"classFilterMode"`
		CodeSet         []int32  `json:"codeSet"`
		ExpressionType  string   `json:"expressionType"`
		SubString       string   `json:"subString,omitempty"`
		SubVersion      int64    `json:"subVersion"`
		TagsSet         []string `json:"tagsSet"`
		Topic           string   `json:"topic"`
	}
	var cd consumerData
	conns := []connection{}
	subs := map[string]subscription{}
	for _, cl := range b.reg.snapshot() {
		for _, d := range cl.consumers {
			if d.GroupName != group {
				continue
			}
			cd = d
			conns = append(conns, connection{ClientAddr: cl.addr, ClientID: cl.id, Language: cl.language, Version: cl.version})
			for _, s := range d.Subscriptions {
				sub := subscription{ClassFilterMode: s.ClassFilterMode, CodeSet: s.CodeSet,
					ExpressionType: cmp.Or(s.ExpressionType, "TAG"), SubString: s.Expression, SubVersion: s.Version,
					TagsSet: s.Tags, Topic: s.Topic}
				if sub.CodeSet == nil {
					sub.CodeSet = []int32{}
				}
				if sub.TagsSet == nil {
					sub.TagsSet = []string{}
				}
				subs[s.Topic] = sub
			}
		}
	}
	if len(conns) == 0 {
		return badRequest(req, remoting.ConsumerNotOnline, "the consumer group[%s] not online", group)
	}
	slices.SortFunc(conns, func(x, y connection) int { return strings.Compare(x.ClientID, y.ClientID) })
	return success(req, jsonBody(struct {
		ConnectionSet     []connection            `json:"connectionSet"`
		ConsumeFromWhere  string                  `json:"consumeFromWhere"`
		ConsumeType       string                  `json:"consumeType"`
		MessageModel      string                  `json:"messageModel"`
		SubscriptionTable map[string]subscription `json:"subscriptionTable"`
	}{conns, cd.ConsumeFromWhere, cd.ConsumeType, cd.MessageModel, subs}))
}

// handleTopicConsumers serves QUERY_TOPIC_CONSUME_BY_WHO (300): the groups
// subscribed to a topic or holding offsets on it.
func (b *Broker) handleTopicConsumers(_ *conn, req *remoting.Command) *remoting.Command {
	topic := req.Ext("topic")
	groups := []string{}
	for _, g := range b.ConsumerGroups() {
		found := slices.ContainsFunc(g.Queues, func(q GroupQueueView) bool { return q.Topic == topic })
		for _, m := range g.Members {
			found = found || slices.ContainsFunc(m.Subscriptions, func(s SubscriptionView) bool { return s.Topic == topic })
		}
		if found {
			groups = append(groups, g.Group)
		}
	}
	return success(req, jsonBody(struct {
		GroupList []string `json:"groupList"`
	}{groups}))
}

// handleProducerConnections serves GET_PRODUCER_CONNECTION_LIST (204): the
// live members of a producer group, or SYSTEM_ERROR as Apache answers.
func (b *Broker) handleProducerConnections(_ *conn, req *remoting.Command) *remoting.Command {
	group := req.Ext("producerGroup")
	type connection struct {
		ClientAddr string `json:"clientAddr"`
		ClientID   string `json:"clientId"`
	}
	conns := []connection{}
	for _, g := range b.ProducerGroups() {
		if g.Group != group {
			continue
		}
		for _, m := range g.Members {
			conns = append(conns, connection{ClientAddr: m.Addr, ClientID: m.ClientID})
		}
	}
	if len(conns) == 0 {
		return badRequest(req, remoting.SystemError, "the producer group[%s] not exist", group)
	}
	return success(req, jsonBody(struct {
		ConnectionSet []connection `json:"connectionSet"`
	}{conns}))
}

// apacheSystemGroups are the consumer groups Apache's
// SubscriptionGroupManager.init puts in every broker's table; the last four
// with consumeBroadcastEnable set (which is also its default).
var apacheSystemGroups = []string{"TOOLS_CONSUMER", "FILTERSRV_CONSUMER", "SELF_TEST_C_GROUP",
	"CID_ONS-HTTP-PROXY", "CID_ONSAPI_PULL", "CID_ONSAPI_PERMISSION", "CID_ONSAPI_OWNER"}

// handleAllSubscriptionGroups serves GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201)
// as Apache 4.9's getAllSubscriptionGroup: SubscriptionGroupManager.encode(),
// its table of group configs with their defaults (minirmq has no per-group
// settings) and a dataVersion. Apache's table holds its seven system groups
// plus every group it ever auto-created (on a heartbeat or pull, kept across
// restarts); minirmq's holds the system groups plus the groups it knows now
// (live members or stored offsets). dataVersion: the broker's start time,
// and one step per group added beyond the system ones.
func (b *Broker) handleAllSubscriptionGroups(_ *conn, req *remoting.Command) *remoting.Command {
	type groupConfig struct {
		BrokerID                       int64  `json:"brokerId"`
		ConsumeBroadcastEnable         bool   `json:"consumeBroadcastEnable"`
		ConsumeEnable                  bool   `json:"consumeEnable"`
		ConsumeFromMinEnable           bool   `json:"consumeFromMinEnable"`
		GroupName                      string `json:"groupName"`
		NotifyConsumerIdsChangedEnable bool   `json:"notifyConsumerIdsChangedEnable"`
		RetryMaxTimes                  int    `json:"retryMaxTimes"`
		RetryQueueNums                 int    `json:"retryQueueNums"`
		WhichBrokerWhenConsumeSlowly   int64  `json:"whichBrokerWhenConsumeSlowly"`
	}
	table := map[string]groupConfig{}
	add := func(g string) {
		table[g] = groupConfig{ConsumeBroadcastEnable: true, ConsumeEnable: true, ConsumeFromMinEnable: true, GroupName: g,
			NotifyConsumerIdsChangedEnable: true, RetryMaxTimes: defaultMaxReconsume, RetryQueueNums: 1, WhichBrokerWhenConsumeSlowly: 1}
	}
	for _, g := range apacheSystemGroups {
		add(g)
	}
	for _, g := range b.ConsumerGroups() {
		add(g.Group)
	}
	type dataVersion struct {
		Counter   int   `json:"counter"`
		Timestamp int64 `json:"timestamp"`
	}
	return success(req, jsonBody(struct {
		DataVersion            dataVersion            `json:"dataVersion"`
		SubscriptionGroupTable map[string]groupConfig `json:"subscriptionGroupTable"`
	}{dataVersion{len(table) - len(apacheSystemGroups), b.started.UnixMilli()}, table}))
}
