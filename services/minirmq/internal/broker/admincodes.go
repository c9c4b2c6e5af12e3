package broker

// Read-only request codes of Apache's admin tooling (mqadmin) and a few the
// Java client sends that rocketmq-client-go does not. Bodies are written as
// Apache 4.9.4 writes them with fastjson: fields in alphabetical order, and
// maps keyed by a MessageQueue written with the key as a JSON object
// ({"brokerName":…,"queueId":…,"topic":…}:{…}), which fastjson reads back.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// queryMaxNum is Apache's defaultQueryMaxNum: QUERY_MESSAGE returns at most
// this many messages.
const queryMaxNum = 32

// queryScanPerQueue bounds how many of the newest messages of each queue
// QUERY_MESSAGE reads: minirmq has no key index, so it scans.
const queryScanPerQueue = 100000

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("broker: encode %T: %v", v, err)) // only maps and structs of plain values reach here
	}
	return b
}

func success(req *remoting.Command, body []byte) *remoting.Command {
	resp := remoting.NewResponse(req, remoting.Success, "")
	resp.Body = body
	return resp
}

// mqKey writes a MessageQueue as fastjson writes it when it is a map key.
func (b *Broker) mqKey(topic string, queueID int32) string {
	return fmt.Sprintf(`{"brokerName":%s,"queueId":%d,"topic":%s}`, jsonBody(b.opts.BrokerName), queueID, jsonBody(topic))
}

// storeTimeAt is the store timestamp of the message at a queue offset, 0
// when there is none (Apache's getMessageStoreTimeStamp).
func (b *Broker) storeTimeAt(topic string, queueID int32, offset int64) int64 {
	datas, err := b.store.ReadQueue(topic, queueID, offset, 1, 64<<20)
	if err != nil || len(datas) == 0 {
		return 0
	}
	m, _, err := wire.Decode(datas[0])
	if err != nil {
		return 0
	}
	return m.StoreTimestamp
}

// topicExists reports whether a topic was declared or has stored messages.
func (b *Broker) topicExists(topic string) bool {
	b.mu.Lock()
	_, ok := b.state.Topics[topic]
	b.mu.Unlock()
	if ok {
		return true
	}
	for _, tq := range b.store.Topics() {
		if tq.Topic == topic {
			return true
		}
	}
	return false
}

// handleClusterInfo serves GET_BROKER_CLUSTER_INFO (106), a name-server
// request: minirmq is a cluster of one broker.
func (b *Broker) handleClusterInfo(_ *conn, req *remoting.Command) *remoting.Command {
	type brokerData struct {
		BrokerAddrs map[string]string `json:"brokerAddrs"`
		BrokerName  string            `json:"brokerName"`
		Cluster     string            `json:"cluster"`
	}
	return success(req, jsonBody(struct {
		BrokerAddrTable  map[string]brokerData `json:"brokerAddrTable"`
		ClusterAddrTable map[string][]string   `json:"clusterAddrTable"`
	}{
		BrokerAddrTable: map[string]brokerData{b.opts.BrokerName: {
			BrokerAddrs: map[string]string{"0": b.opts.Advertise.String()}, BrokerName: b.opts.BrokerName, Cluster: b.opts.ClusterName,
		}},
		ClusterAddrTable: map[string][]string{b.opts.ClusterName: {b.opts.BrokerName}},
	}))
}

// handleRuntimeInfo serves GET_BROKER_RUNTIME_INFO (28): a KVTable with the
// keys mqadmin clusterList and brokerStatus read that minirmq can fill.
// Totals count since the broker started (Apache: since midnight), and the
// rates are averages over that time (Apache: the last 10 s, 1 min, 10 min).
func (b *Broker) handleRuntimeInfo(_ *conn, req *remoting.Command) *remoting.Command {
	in, out := b.counter("minirmq_messages_in_total"), b.counter("minirmq_messages_out_total")
	secs := max(b.now().Sub(b.started).Seconds(), 1)
	rate := func(n float64) string {
		r := strconv.FormatFloat(n/secs, 'f', 2, 64)
		return r + " " + r + " " + r
	}
	total := strconv.FormatInt(int64(in), 10)
	got := strconv.FormatInt(int64(out), 10)
	table := map[string]string{
		"brokerVersionDesc":           "V4_9_4",
		"brokerVersion":               strconv.Itoa(remoting.Version),
		"msgPutTotalYesterdayMorning": "0",
		"msgPutTotalTodayMorning":     "0",
		"msgPutTotalTodayNow":         total,
		"msgGetTotalYesterdayMorning": "0",
		"msgGetTotalTodayMorning":     "0",
		"msgGetTotalTodayNow":         got,
		"putTps":                      rate(in),
		"getTransferedTps":            rate(out),
		"sendThreadPoolQueueSize":     "0",
		"pullThreadPoolQueueSize":     "0",
		"bootTimestamp":               strconv.FormatInt(b.started.UnixMilli(), 10),
		"runtime":                     fmt.Sprintf("[ %s ]", b.now().Sub(b.started).Round(time.Second)),
	}
	return success(req, jsonBody(struct {
		Table map[string]string `json:"table"`
	}{table}))
}

// counter reads one of the broker's counters.
func (b *Broker) counter(name string) float64 {
	mfs, err := b.metrics.Registry.Gather()
	if err != nil {
		return 0
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) > 0 {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}

// handleTopicStats serves GET_TOPIC_STATS_INFO (202) as Apache's
// AdminBrokerProcessor.getTopicStatsInfo: per queue min and max offset and
// the store time of the newest message.
func (b *Broker) handleTopicStats(_ *conn, req *remoting.Command) *remoting.Command {
	topic := req.Ext("topic")
	if validTopic(topic) != nil || !b.topicExists(topic) {
		return badRequest(req, remoting.TopicNotExist, "topic[%s] not exist", topic)
	}
	var sb strings.Builder
	sb.WriteString(`{"offsetTable":{`)
	for q := range int32(b.queueCount(topic)) {
		minOff, maxOff := b.store.QueueOffsets(topic, q)
		var last int64
		if maxOff > 0 {
			last = b.storeTimeAt(topic, q, maxOff-1)
		}
		if q > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `%s:{"lastUpdateTimestamp":%d,"maxOffset":%d,"minOffset":%d}`, b.mqKey(topic, q), last, maxOff, minOff)
	}
	sb.WriteString(`}}`)
	return success(req, []byte(sb.String()))
}

// handleEarliestStoreTime serves GET_EARLIEST_MSG_STORETIME (32): the store
// time of the oldest message still in a queue, 0 when it is empty.
func (b *Broker) handleEarliestStoreTime(_ *conn, req *remoting.Command) *remoting.Command {
	ref, err := parseQueueRef(req)
	if err != nil {
		return badRequest(req, remoting.SystemError, "bad request: %v", err)
	}
	minOff, maxOff := b.store.QueueOffsets(ref.topic, ref.queueID)
	var ts int64
	if maxOff > minOff {
		ts = b.storeTimeAt(ref.topic, ref.queueID, minOff)
	}
	resp := remoting.NewResponse(req, remoting.Success, "")
	resp.ExtFields["timestamp"] = strconv.FormatInt(ts, 10)
	return resp
}

// handleViewMessage serves VIEW_MESSAGE_BY_ID (33): the stored bytes of the
// message at a commit-log offset (what an offset message id encodes).
func (b *Broker) handleViewMessage(_ *conn, req *remoting.Command) *remoting.Command {
	off, err := extInt(req, "offset")
	if err != nil {
		return badRequest(req, remoting.SystemError, "bad request: %v", err)
	}
	data, err := b.store.ReadAt(off)
	if err != nil {
		return badRequest(req, remoting.SystemError, "can not find message by the offset, %d", off)
	}
	return success(req, data)
}

// handleQueryMessage serves QUERY_MESSAGE (12): messages of a topic with a
// key (KEYS) or, with _UNIQUE_KEY_QUERY=true, a UNIQ_KEY, stored within
// [beginTimestamp, endTimestamp], at most maxNum (capped at 32), as raw
// stored messages. Apache looks the key up in its index; minirmq scans the
// newest messages of each queue.
func (b *Broker) handleQueryMessage(_ *conn, req *remoting.Command) *remoting.Command {
	topic, key := req.Ext("topic"), req.Ext("key")
	maxNum, err := extIntOr(req, "maxNum", queryMaxNum)
	var begin, end int64
	if err == nil {
		begin, err = extIntOr(req, "beginTimestamp", 0)
	}
	if err == nil {
		end, err = extIntOr(req, "endTimestamp", 1<<62)
	}
	if err == nil {
		err = validTopic(topic)
	}
	if err != nil {
		return badRequest(req, remoting.SystemError, "bad query: %v", err)
	}
	if req.Ext("_UNIQUE_KEY_QUERY") == "true" || maxNum <= 0 || maxNum > queryMaxNum {
		maxNum = queryMaxNum
	}
	var body []byte
	var lastStore, lastOffset int64
	found := 0
	for q := int32(0); q < int32(b.queueCount(topic)) && found < int(maxNum); q++ {
		minOff, maxOff := b.store.QueueOffsets(topic, q)
		for off := max(minOff, maxOff-queryScanPerQueue); off < maxOff && found < int(maxNum); {
			datas, err := b.store.ReadQueue(topic, q, off, 256, 16<<20)
			if err != nil || len(datas) == 0 {
				break
			}
			off += int64(len(datas))
			for _, d := range datas {
				m, _, err := wire.Decode(d)
				if err != nil || !hasKey(m, key) || m.StoreTimestamp < begin || m.StoreTimestamp > end {
					continue
				}
				body = append(body, d...)
				lastStore, lastOffset = max(lastStore, m.StoreTimestamp), max(lastOffset, m.CommitLogOffset)
				if found++; found == int(maxNum) {
					break
				}
			}
		}
	}
	if found == 0 {
		return badRequest(req, remoting.QueryNotFound, "can not find message, maybe time range not correct")
	}
	resp := success(req, body)
	resp.ExtFields["indexLastUpdateTimestamp"] = strconv.FormatInt(lastStore, 10)
	resp.ExtFields["indexLastUpdatePhyoffset"] = strconv.FormatInt(lastOffset, 10)
	return resp
}

// handleCheckClientConfig serves CHECK_CLIENT_CONFIG (46), which a Java
// consumer sends before its heartbeat when it filters by anything but tags:
// like Apache with enablePropertyFilter=false (its default), tag filters
// pass and SQL92 filters are refused.
func (b *Broker) handleCheckClientConfig(_ *conn, req *remoting.Command) *remoting.Command {
	var body struct {
		SubscriptionData *struct {
			ExpressionType string `json:"expressionType"`
		} `json:"subscriptionData"`
	}
	if len(req.Body) > 0 {
		if err := json.Unmarshal(req.Body, &body); err != nil {
			return badRequest(req, remoting.SystemError, "CHECK_CLIENT_CONFIG body is not JSON: %v", err)
		}
	}
	if s := body.SubscriptionData; s != nil && s.ExpressionType != "" && s.ExpressionType != "TAG" {
		return badRequest(req, remoting.SystemError, "The broker does not support consumer to filter message by %s", s.ExpressionType)
	}
	return remoting.NewResponse(req, remoting.Success, "")
}
