package broker

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// TestAdminReadOnlyCodes drives the read-only codes of mqadmin and the Java
// client with ROCKETMQ-serialized frames (as mqadmin sends them with
// rocketmq.serialize.type=ROCKETMQ) and checks each answer against what is
// stored.
func TestAdminReadOnlyCodes(t *testing.T) {
	_, addr := startBroker(t)
	rc := dial(t, addr)
	call := func(code int16, ext []kv, body []byte) *remoting.Command {
		t.Helper()
		resp := rc.roundTrip(rocketmqFrame(code, 11, ext, body))
		if resp.Serialization != remoting.SerializeRocketMQ {
			t.Errorf("code %d answered in %v", code, resp.Serialization)
		}
		return resp
	}
	// Three messages to queue 1 of Stats, keys order-1 (from v2Header) and m<i>.
	var firstOffset int64
	for i := range 3 {
		resp := call(remoting.CodeSendMessageV2, v2Header("Stats", 1, false, "i", props("KEYS", fmt.Sprintf("order-1 m%d", i), "UNIQ_KEY", fmt.Sprintf("U%d", i))), []byte(fmt.Sprintf("m%d", i)))
		if resp.Code != remoting.Success {
			t.Fatalf("send: %d %q", resp.Code, resp.Remark)
		}
		if i == 0 {
			_, firstOffset, _ = wire.ParseOffsetMsgID(resp.Ext("msgId"))
		}
	}

	t.Run("106 cluster info", func(t *testing.T) {
		resp := call(remoting.CodeGetBrokerClusterInfo, nil, nil)
		var ci struct {
			BrokerAddrTable map[string]struct {
				BrokerAddrs map[string]string `json:"brokerAddrs"`
				Cluster     string            `json:"cluster"`
			} `json:"brokerAddrTable"`
			ClusterAddrTable map[string][]string `json:"clusterAddrTable"`
		}
		if err := json.Unmarshal(resp.Body, &ci); err != nil || resp.Code != remoting.Success {
			t.Fatalf("%d %v: %s", resp.Code, err, resp.Body)
		}
		if ci.BrokerAddrTable["b"].BrokerAddrs["0"] != addr || ci.BrokerAddrTable["b"].Cluster != "c" || len(ci.ClusterAddrTable["c"]) != 1 {
			t.Errorf("cluster info %s", resp.Body)
		}
	})
	t.Run("28 runtime info", func(t *testing.T) {
		resp := call(remoting.CodeGetBrokerRuntimeInfo, nil, nil)
		var kv struct {
			Table map[string]string `json:"table"`
		}
		if err := json.Unmarshal(resp.Body, &kv); err != nil || resp.Code != remoting.Success {
			t.Fatalf("%d %v: %s", resp.Code, err, resp.Body)
		}
		if kv.Table["msgPutTotalTodayNow"] != "3" || kv.Table["putMessageTimesTotal"] != "3" || kv.Table["brokerVersionDesc"] != "V4_9_4" {
			t.Errorf("runtime info %v", kv.Table)
		}
		// Apache 4.9's keys (AdminBrokerProcessor.prepareRuntimeInfo and
		// StoreStatsService.getRuntimeInfo), less the disk and delay-queue ones.
		apache := strings.Fields(`brokerVersionDesc brokerVersion msgPutTotalYesterdayMorning msgPutTotalTodayMorning
			msgPutTotalTodayNow msgGetTotalYesterdayMorning msgGetTotalTodayMorning msgGetTotalTodayNow
			sendThreadPoolQueueSize sendThreadPoolQueueCapacity pullThreadPoolQueueSize pullThreadPoolQueueCapacity
			queryThreadPoolQueueSize queryThreadPoolQueueCapacity EndTransactionQueueSize EndTransactionThreadPoolQueueCapacity
			dispatchBehindBytes pageCacheLockTimeMills sendThreadPoolQueueHeadWaitTimeMills pullThreadPoolQueueHeadWaitTimeMills
			queryThreadPoolQueueHeadWaitTimeMills earliestMessageTimeStamp startAcceptSendRequestTimeStamp
			remainTransientStoreBufferNumbs remainHowManyDataToFlush bootTimestamp runtime putMessageEntireTimeMax
			putMessageTimesTotal putMessageFailedTimes putMessageSizeTotal putMessageDistributeTime putMessageAverageSize
			dispatchMaxBuffer getMessageEntireTimeMax putTps getFoundTps getMissTps getTotalTps getTransferedTps
			putLatency99 putLatency999 commitLogMinOffset commitLogMaxOffset`)
		var keys []string
		for k := range kv.Table {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		slices.Sort(apache)
		if !slices.Equal(keys, apache) {
			t.Errorf("keys %v\nwant %v", keys, apache)
		}
		javaTps := `^(\d+\.\d+) (\d+\.\d+) (\d+\.\d+)$`
		for k, pattern := range map[string]string{
			"putTps": javaTps, "getTransferedTps": javaTps, "getTotalTps": javaTps, "getFoundTps": javaTps,
			"runtime":                  `^\[ \d+ days, \d+ hours, \d+ minutes, \d+ seconds \]$`,
			"commitLogMaxOffset":       `^[1-9]\d*$`,
			"earliestMessageTimeStamp": `^1\d{12}$`,
			"remainHowManyDataToFlush": `^0 B$`,
			"putMessageDistributeTime": `^(\[[^\]]+\]:\d+ ){13}$`,
		} {
			if !regexpMatch(pattern, kv.Table[k]) {
				t.Errorf("%s = %q, want %s", k, kv.Table[k], pattern)
			}
		}
	})
	t.Run("202 topic stats", func(t *testing.T) {
		resp := call(remoting.CodeGetTopicStatsInfo, []kv{{"topic", "Stats"}}, nil)
		body := string(resp.Body)
		if resp.Code != remoting.Success || !strings.Contains(body, `{"brokerName":"b","queueId":1,"topic":"Stats"}:{"lastUpdateTimestamp":`) ||
			!strings.Contains(body, `"maxOffset":3,"minOffset":0}`) || !strings.Contains(body, `"queueId":0,"topic":"Stats"}:{"lastUpdateTimestamp":0,"maxOffset":0,"minOffset":0}`) {
			t.Errorf("%d %s", resp.Code, body)
		}
		if resp := call(remoting.CodeGetTopicStatsInfo, []kv{{"topic", "Nope"}}, nil); resp.Code != remoting.TopicNotExist {
			t.Errorf("unknown topic: %d %q", resp.Code, resp.Remark)
		}
	})
	t.Run("208 consume stats and 300 consumed by", func(t *testing.T) {
		rc.call(remoting.CodeUpdateConsumerOffset, map[string]string{"consumerGroup": "CG", "topic": "Stats", "queueId": "1", "commitOffset": "2"}, nil)
		resp := call(remoting.CodeGetConsumeStats, []kv{{"consumerGroup", "CG"}}, nil)
		if body := string(resp.Body); resp.Code != remoting.Success ||
			!regexpMatch(`"queueId":1,"topic":"Stats"\}:\{"brokerOffset":3,"consumerOffset":2,"lastTimestamp":[1-9]`, body) {
			t.Errorf("%d %s", resp.Code, body)
		}
		resp = call(remoting.CodeQueryTopicConsumeByWho, []kv{{"topic", "Stats"}}, nil)
		if string(resp.Body) != `{"groupList":["CG"]}` {
			t.Errorf("consumed by: %s", resp.Body)
		}
	})
	t.Run("208 consume stats, byte level", func(t *testing.T) {
		// CG2 has offsets on Stats and Other but its live member subscribes to Stats only.
		if resp := call(remoting.CodeSendMessageV2, v2Header("Other", 0, false), []byte("o")); resp.Code != remoting.Success {
			t.Fatalf("send: %d %q", resp.Code, resp.Remark)
		}
		for _, topic := range []string{"Stats", "Other"} {
			call(remoting.CodeUpdateConsumerOffset, []kv{{"consumerGroup", "CG2"}, {"topic", topic}, {"queueId", "1"}, {"commitOffset", "1"}}, nil)
		}
		call(remoting.CodeUpdateConsumerOffset, []kv{{"consumerGroup", "CG2"}, {"topic", "Stats"}, {"queueId", "2"}, {"commitOffset", "-1"}}, nil)
		hb := `{"clientID":"10.0.0.3@1","producerDataSet":[],"consumerDataSet":[{"groupName":"CG2","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","subscriptionDataSet":[{"topic":"Stats","subString":"*"}]}]}`
		if resp := call(remoting.CodeHeartbeat, nil, []byte(hb)); resp.Code != remoting.Success {
			t.Fatalf("heartbeat: %d %q", resp.Code, resp.Remark)
		}
		resp := call(remoting.CodeGetConsumeStats, []kv{{"consumerGroup", "CG2"}}, nil)
		ts := regexp.MustCompile(`"queueId":1,"topic":"Stats"\}:\{"brokerOffset":3,"consumerOffset":1,"lastTimestamp":(1\d{12})\}`).FindStringSubmatch(string(resp.Body))
		if ts == nil {
			t.Fatalf("%d %s", resp.Code, resp.Body)
		}
		q := func(id, broker, consumer int, last string) string {
			return fmt.Sprintf(`{"brokerName":"b","queueId":%d,"topic":"Stats"}:{"brokerOffset":%d,"consumerOffset":%d,"lastTimestamp":%s}`, id, broker, consumer, last)
		}
		want := `{"consumeTps":0.0,"offsetTable":{` + q(0, 0, 0, "0") + "," + q(1, 3, 1, ts[1]) + "," + q(2, 0, 0, "0") + "," + q(3, 0, 0, "0") + `}}`
		if string(resp.Body) != want {
			t.Errorf("body\n%s\nwant (Other left out: not subscribed; queue 2's -1 written as 0)\n%s", resp.Body, want)
		}
		if resp := call(remoting.CodeGetConsumeStats, []kv{{"consumerGroup", "CG2"}, {"topic", "Other"}}, nil); string(resp.Body) != `{"consumeTps":0.0,"offsetTable":{}}` {
			t.Errorf("topic Other asked: %s", resp.Body)
		}
	})
	t.Run("32 earliest store time", func(t *testing.T) {
		if resp := call(remoting.CodeGetEarliestMsgStoreTime, []kv{{"topic", "Stats"}, {"queueId", "1"}}, nil); resp.Ext("timestamp") == "0" || resp.Ext("timestamp") == "" {
			t.Errorf("queue with messages: %v", resp.ExtFields)
		}
		if resp := call(remoting.CodeGetEarliestMsgStoreTime, []kv{{"topic", "Stats"}, {"queueId", "0"}}, nil); resp.Ext("timestamp") != "0" {
			t.Errorf("empty queue: %v", resp.ExtFields)
		}
	})
	t.Run("33 view message by id", func(t *testing.T) {
		resp := call(remoting.CodeViewMessageByID, []kv{{"offset", strconv.FormatInt(firstOffset, 10)}}, nil)
		m, _, err := wire.Decode(resp.Body)
		if err != nil || string(m.Body) != "m0" || m.Topic != "Stats" {
			t.Errorf("%d %q: %v %+v", resp.Code, resp.Remark, err, m)
		}
		if resp := call(remoting.CodeViewMessageByID, []kv{{"offset", "99999999"}}, nil); resp.Code != remoting.SystemError || !strings.Contains(resp.Remark, "can not find message") {
			t.Errorf("bad offset: %d %q", resp.Code, resp.Remark)
		}
	})
	t.Run("12 query message", func(t *testing.T) {
		query := func(topic, key string, extra ...kv) ([]string, *remoting.Command) {
			resp := call(remoting.CodeQueryMessage, append([]kv{{"topic", topic}, {"key", key}, {"maxNum", "2"}, {"beginTimestamp", "0"}, {"endTimestamp", "9223372036854775807"}}, extra...), nil)
			var out []string
			for b := resp.Body; len(b) > 0; {
				m, n, err := wire.Decode(b)
				if err != nil {
					t.Fatalf("query %s: %v", key, err)
				}
				out = append(out, string(m.Body))
				b = b[n:]
			}
			return out, resp
		}
		if got, _ := query("Stats", "m1"); !slices.Equal(got, []string{"m1"}) {
			t.Errorf("key m1: %q", got)
		}
		// Apache's index lookup keeps the newest maxNum, answered in commit-log order.
		if got, _ := query("Stats", "order-1"); !slices.Equal(got, []string{"m1", "m2"}) {
			t.Errorf("key order-1 with maxNum 2: %q, want the newest two [m1 m2]", got)
		}
		// A unique-key query reads up to defaultQueryMaxNum (32) whatever maxNum says.
		if got, _ := query("Stats", "order-1", kv{"_UNIQUE_KEY_QUERY", "true"}); !slices.Equal(got, []string{"m0", "m1", "m2"}) {
			t.Errorf("key order-1 with the unique flag: %q", got)
		}
		// UNIQ_KEY and KEYS share Apache's index: either is found with or without the flag.
		for _, flag := range []string{"true", "false"} {
			if got, _ := query("Stats", "U2", kv{"_UNIQUE_KEY_QUERY", flag}); !slices.Equal(got, []string{"m2"}) {
				t.Errorf("unique key U2 (flag %s): %q", flag, got)
			}
		}
		// maxNum is capped at maxMsgsNumBatch (64).
		for i := range 70 {
			if resp := call(remoting.CodeSendMessageV2, v2Header("Many", i%4, false, "i", props("KEYS", "k")), []byte(strconv.Itoa(i))); resp.Code != remoting.Success {
				t.Fatalf("send: %d %q", resp.Code, resp.Remark)
			}
		}
		if got, _ := query("Many", "k", kv{"maxNum", "100"}); len(got) != 64 || got[0] != "6" || got[63] != "69" {
			t.Errorf("maxNum 100 over 70 matches: %d messages %q…, want the newest 64 (6…69)", len(got), got[:min(len(got), 3)])
		}
		// Not found: 22, and the index headers are on that answer too.
		got, resp := query("Stats", "none")
		if got != nil || resp.Code != remoting.QueryNotFound || resp.Remark != "can not find message, maybe time range not correct" ||
			resp.Ext("indexLastUpdateTimestamp") == "" || resp.Ext("indexLastUpdateTimestamp") == "0" || resp.Ext("indexLastUpdatePhyoffset") == "" {
			t.Errorf("unknown key: %q %d %q %v", got, resp.Code, resp.Remark, resp.ExtFields)
		}
	})
	t.Run("46 check client config", func(t *testing.T) {
		if resp := call(remoting.CodeCheckClientConfig, nil, []byte(`{"clientId":"x","group":"CG","subscriptionData":{"expressionType":"TAG","subString":"*","topic":"Stats"}}`)); resp.Code != remoting.Success {
			t.Errorf("TAG: %d %q", resp.Code, resp.Remark)
		}
		if resp := call(remoting.CodeCheckClientConfig, nil, []byte(`{"clientId":"x","group":"CG","subscriptionData":{"expressionType":"SQL92","subString":"a > 1","topic":"Stats"}}`)); resp.Code != remoting.SystemError || !strings.Contains(resp.Remark, "SQL92") {
			t.Errorf("SQL92: %d %q", resp.Code, resp.Remark)
		}
	})
	t.Run("203 consumer connections", func(t *testing.T) {
		if resp := call(remoting.CodeGetConsumerConnectionList, []kv{{"consumerGroup", "CG"}}, nil); resp.Code != remoting.ConsumerNotOnline || resp.Remark != "the consumer group[CG] not online" {
			t.Errorf("no members: %d %q", resp.Code, resp.Remark)
		}
		// A heartbeat as the Java client writes it (the frame says JAVA, version 395).
		hb := `{"clientID":"10.0.0.1@1","producerDataSet":[],"consumerDataSet":[{"groupName":"CG","consumeType":"CONSUME_ACTIVELY","messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","unitMode":false,` +
			`"subscriptionDataSet":[{"classFilterMode":false,"codeSet":[97,98],"expressionType":"TAG","subString":"a || b","subVersion":1700000000123,"tagsSet":["a","b"],"topic":"Stats"}]}]}`
		if resp := call(remoting.CodeHeartbeat, nil, []byte(hb)); resp.Code != remoting.Success {
			t.Fatalf("heartbeat: %d %q", resp.Code, resp.Remark)
		}
		resp := call(remoting.CodeGetConsumerConnectionList, []kv{{"consumerGroup", "CG"}}, nil)
		addr := regexp.MustCompile(`"clientAddr":"([^"]+)"`).FindStringSubmatch(string(resp.Body))
		if addr == nil {
			t.Fatalf("%d %s", resp.Code, resp.Body)
		}
		want := `{"connectionSet":[{"clientAddr":"` + addr[1] + `","clientId":"10.0.0.1@1","language":"JAVA","version":395}],` +
			`"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_ACTIVELY","messageModel":"CLUSTERING",` +
			`"subscriptionTable":{"Stats":{"classFilterMode":false,"codeSet":[97,98],"expressionType":"TAG","subString":"a || b","subVersion":1700000000123,"tagsSet":["a","b"],"topic":"Stats"}}}`
		if string(resp.Body) != want {
			t.Errorf("body\n%s\nwant\n%s", resp.Body, want)
		}
		// A client that leaves fields out gets SubscriptionData's defaults.
		lean := `{"clientID":"10.0.0.1@2","producerDataSet":[],"consumerDataSet":[{"groupName":"CG3","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET","subscriptionDataSet":[{"topic":"Stats","subString":"*","subVersion":5}]}]}`
		lc := dial(t, rc.c.RemoteAddr().String())
		if resp := lc.roundTrip(jsonFrame(remoting.CodeHeartbeat, 1, nil, []byte(lean))); resp.Code != remoting.Success {
			t.Fatalf("heartbeat: %d %q", resp.Code, resp.Remark)
		}
		resp = lc.roundTrip(jsonFrame(remoting.CodeGetConsumerConnectionList, 2, []kv{{"consumerGroup", "CG3"}}, nil))
		if body := string(resp.Body); !strings.Contains(body, `"subscriptionTable":{"Stats":{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":5,"tagsSet":[],"topic":"Stats"}}`) {
			t.Errorf("lean heartbeat: %s", body)
		}
		// Gone before the next subtest looks (a close alone is noticed asynchronously).
		if resp := lc.roundTrip(jsonFrame(remoting.CodeUnregisterClient, 3, []kv{{"clientID", "10.0.0.1@2"}, {"consumerGroup", "CG3"}}, nil)); resp.Code != remoting.Success {
			t.Fatalf("unregister: %d %q", resp.Code, resp.Remark)
		}
	})
	t.Run("204 producer connections", func(t *testing.T) {
		if resp := call(remoting.CodeGetProducerConnectionList, []kv{{"producerGroup", "PG2"}}, nil); resp.Code != remoting.SystemError || !strings.Contains(resp.Remark, "not exist") {
			t.Errorf("no members: %d %q", resp.Code, resp.Remark)
		}
		if resp := call(remoting.CodeHeartbeat, nil, []byte(`{"clientID":"10.0.0.2@7","producerDataSet":[{"groupName":"PG2"}],"consumerDataSet":[]}`)); resp.Code != remoting.Success {
			t.Fatalf("heartbeat: %d %q", resp.Code, resp.Remark)
		}
		resp := call(remoting.CodeGetProducerConnectionList, []kv{{"producerGroup", "PG2"}}, nil)
		if resp.Code != remoting.Success || !strings.Contains(string(resp.Body), `"clientId":"10.0.0.2@7"`) {
			t.Errorf("%d %s", resp.Code, resp.Body)
		}
	})
	t.Run("201 all subscription groups", func(t *testing.T) {
		resp := call(remoting.CodeGetAllSubscriptionGroupCfg, nil, nil)
		cfg := func(g string) string {
			return `"` + g + `":{"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,"consumeFromMinEnable":true,"groupName":"` + g +
				`","notifyConsumerIdsChangedEnable":true,"retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1}`
		}
		// Groups known by now: CG and CG2 (offsets, members; CG3's member has
		// unregistered); the seven are Apache's system groups.
		groups := []string{"CG", "CG2", "CID_ONS-HTTP-PROXY", "CID_ONSAPI_OWNER", "CID_ONSAPI_PERMISSION", "CID_ONSAPI_PULL",
			"FILTERSRV_CONSUMER", "SELF_TEST_C_GROUP", "TOOLS_CONSUMER"}
		var parts []string
		for _, g := range groups {
			parts = append(parts, cfg(g))
		}
		ts := regexp.MustCompile(`^\{"dataVersion":\{"counter":\d+,"timestamp":(1\d{12})\},`).FindStringSubmatch(string(resp.Body))
		if ts == nil {
			t.Fatalf("%d %s", resp.Code, resp.Body)
		}
		want := `{"dataVersion":{"counter":2,"timestamp":` + ts[1] + `},"subscriptionGroupTable":{` + strings.Join(parts, ",") + `}}`
		if resp.Code != remoting.Success || string(resp.Body) != want {
			t.Errorf("%d body\n%s\nwant\n%s", resp.Code, resp.Body, want)
		}
	})
	t.Run("unsupported codes name themselves", func(t *testing.T) {
		resp := call(26, nil, nil)
		if resp.Code != remoting.RequestCodeNotSupported || !strings.Contains(resp.Remark, "26 (GET_BROKER_CONFIG)") {
			t.Errorf("GET_BROKER_CONFIG: %d %q", resp.Code, resp.Remark)
		}
	})
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
