package broker

// Read-only request codes of Apache's admin tooling (mqadmin) and a few the
// Java client sends that rocketmq-client-go does not. Bodies are written as
// Apache 4.9.4 writes them with fastjson: fields in alphabetical order, and
// maps keyed by a MessageQueue written with the key as a JSON object
// ({"brokerName":…,"queueId":…,"topic":…}:{…}), which fastjson reads back.

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// queryMaxNum is Apache's defaultQueryMaxNum: QUERY_MESSAGE's maxNum for a
// unique-key query; queryMaxBatch (maxMsgsNumBatch) caps any other.
const (
	queryMaxNum   = 32
	queryMaxBatch = 64
)

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
// keys Apache 4.9's AdminBrokerProcessor.prepareRuntimeInfo and
// StoreStatsService.getRuntimeInfo write, values in their formats (rates
// are Java doubles, three of them for 10 s, 1 min and 10 min; runtime is
// "[ d days, h hours, m minutes, s seconds ]"). What minirmq measures is
// filled in; the rest is what Apache reports for an idle broker, see
// runtimeInfoIdle. Differences: totals count since the broker started
// (Apache: yesterday's and today's morning snapshots, so those are 0 here),
// the three rates are the same average since the start, and the disk keys
// (commitLogDiskRatio…, consumeQueueDiskRatio, commitLogDirCapacity) and the
// delay queues' scheduleMessageOffset_<level> are left out.
func (b *Broker) handleRuntimeInfo(_ *conn, req *remoting.Command) *remoting.Command {
	in, out := b.counter("minirmq_messages_in_total"), b.counter("minirmq_messages_out_total")
	pulls := b.counter("minirmq_requests_total", remoting.CodePullMessage)
	up := b.now().Sub(b.started)
	secs := max(up.Seconds(), 1)
	rate := func(n float64) string {
		r := javaDouble(n / secs)
		return r + " " + r + " " + r
	}
	logMin, logMax := b.store.CommitLogRange()
	var earliest int64
	if data, err := b.store.ReadAt(logMin); err == nil {
		if m, _, err := wire.Decode(data); err == nil {
			earliest = m.StoreTimestamp
		}
	}
	ms := up.Milliseconds()
	table := map[string]string{
		"brokerVersionDesc":        "V4_9_4",
		"brokerVersion":            strconv.Itoa(remoting.Version),
		"msgPutTotalTodayNow":      strconv.FormatInt(int64(in), 10),
		"msgGetTotalTodayNow":      strconv.FormatInt(int64(out), 10),
		"putMessageTimesTotal":     strconv.FormatInt(max(int64(in), 1), 10), // Apache: at least 1
		"putTps":                   rate(in),
		"getTransferedTps":         rate(out),
		"getTotalTps":              rate(pulls),
		"bootTimestamp":            strconv.FormatInt(b.started.UnixMilli(), 10),
		"runtime":                  fmt.Sprintf("[ %d days, %d hours, %d minutes, %d seconds ]", ms/86400000, ms%86400000/3600000, ms%3600000/60000, ms%60000/1000),
		"commitLogMinOffset":       strconv.FormatInt(logMin, 10),
		"commitLogMaxOffset":       strconv.FormatInt(logMax, 10),
		"earliestMessageTimeStamp": strconv.FormatInt(earliest, 10),
	}
	for k, v := range runtimeInfoIdle {
		if _, ok := table[k]; !ok {
			table[k] = v
		}
	}
	return success(req, jsonBody(struct {
		Table map[string]string `json:"table"`
	}{table}))
}

// runtimeInfoIdle is the rest of Apache's runtime table with the values it
// has on a broker with its default config and nothing waiting: empty thread
// pool queues and their default capacities (BrokerConfig), nothing behind
// in dispatch or flush (minirmq dispatches as it appends), no transient
// store pool (remainTransientStoreBufferNumbs is Integer.MAX_VALUE then).
// minirmq does not time its appends, so the latency keys stay 0 too.
var runtimeInfoIdle = map[string]string{
	"msgPutTotalYesterdayMorning": "0", "msgPutTotalTodayMorning": "0",
	"msgGetTotalYesterdayMorning": "0", "msgGetTotalTodayMorning": "0",
	"sendThreadPoolQueueSize": "0", "sendThreadPoolQueueCapacity": "10000",
	"pullThreadPoolQueueSize": "0", "pullThreadPoolQueueCapacity": "100000",
	"queryThreadPoolQueueSize": "0", "queryThreadPoolQueueCapacity": "20000",
	"EndTransactionQueueSize": "0", "EndTransactionThreadPoolQueueCapacity": "100000",
	"dispatchBehindBytes": "0", "pageCacheLockTimeMills": "0",
	"sendThreadPoolQueueHeadWaitTimeMills": "0", "pullThreadPoolQueueHeadWaitTimeMills": "0",
	"queryThreadPoolQueueHeadWaitTimeMills": "0", "startAcceptSendRequestTimeStamp": "0",
	"remainTransientStoreBufferNumbs": "2147483647", "remainHowManyDataToFlush": "0 B",
	"putMessageEntireTimeMax": "0", "putMessageFailedTimes": "0", "putMessageSizeTotal": "0",
	"putMessageDistributeTime": "[<=0ms]:0 [0~10ms]:0 [10~50ms]:0 [50~100ms]:0 [100~200ms]:0 [200~500ms]:0 " +
		"[500ms~1s]:0 [1~2s]:0 [2~3s]:0 [3~4s]:0 [4~5s]:0 [5~10s]:0 [10s~]:0 ",
	"putMessageAverageSize": "0.0", "dispatchMaxBuffer": "0", "getMessageEntireTimeMax": "0",
	"getFoundTps": "0.0 0.0 0.0", "getMissTps": "0.0 0.0 0.0",
	"putLatency99": "0.00", "putLatency999": "0.00",
}

// javaDouble writes a float as Java's Double.toString does for ordinary
// magnitudes: shortest digits, and ".0" on whole numbers.
func javaDouble(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// counter reads one of the broker's counters; with code, the series of
// minirmq_requests_total for that request code.
func (b *Broker) counter(name string, code ...int16) float64 {
	mfs, err := b.metrics.Registry.Gather()
	if err != nil {
		return 0
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if len(code) == 0 {
				return m.GetCounter().GetValue()
			}
			for _, l := range m.GetLabel() {
				if l.GetName() == "code" && l.GetValue() == strconv.Itoa(int(code[0])) {
					return m.GetCounter().GetValue()
				}
			}
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

// handleQueryMessage serves QUERY_MESSAGE (12) as Apache 4.9's
// QueryMessageProcessor and DefaultMessageStore.queryMessage: the newest
// messages of the topic stored within [beginTimestamp, endTimestamp] whose
// KEYS or UNIQ_KEY (both are indexed, whatever the flag) equal key, at most
// maxNum of them (capped at maxMsgsNumBatch, 64; 32 with
// _UNIQUE_KEY_QUERY=true), written as stored in commit-log order. Both
// answers carry indexLastUpdateTimestamp and indexLastUpdatePhyoffset:
// Apache's are those of its newest index entry, minirmq's those of the
// topic's newest message. Apache looks the key up in its index; minirmq
// scans the newest queryScanPerQueue messages of each queue.
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
	if req.Ext("_UNIQUE_KEY_QUERY") == "true" {
		maxNum = queryMaxNum
	}
	maxNum = min(maxNum, queryMaxBatch)
	type hit struct {
		offset int64
		data   []byte
	}
	var hits []hit
	var lastStore, lastOffset int64
	newestFirst := func(x, y hit) int { return cmp.Compare(y.offset, x.offset) }
	for q := int32(0); q < int32(b.queueCount(topic)) && maxNum > 0; q++ {
		minOff, maxOff := b.store.QueueOffsets(topic, q)
		for off := max(minOff, maxOff-queryScanPerQueue); off < maxOff; {
			datas, err := b.store.ReadQueue(topic, q, off, 256, 16<<20)
			if err != nil || len(datas) == 0 {
				break
			}
			off += int64(len(datas))
			for _, d := range datas {
				m, _, err := wire.Decode(d)
				if err != nil {
					continue
				}
				if m.CommitLogOffset >= lastOffset {
					lastStore, lastOffset = m.StoreTimestamp, m.CommitLogOffset
				}
				if hasKey(m, key) && m.StoreTimestamp >= begin && m.StoreTimestamp <= end {
					hits = append(hits, hit{m.CommitLogOffset, d})
				}
			}
			if len(hits) > 4*int(maxNum) { // keep the newest, bounded
				slices.SortFunc(hits, newestFirst)
				hits = hits[:maxNum]
			}
		}
	}
	slices.SortFunc(hits, newestFirst)
	hits = hits[:min(len(hits), max(int(maxNum), 0))]
	slices.Reverse(hits)
	var body []byte
	for _, h := range hits {
		body = append(body, h.data...)
	}
	resp := success(req, body)
	if len(body) == 0 {
		resp = badRequest(req, remoting.QueryNotFound, "can not find message, maybe time range not correct")
	}
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
