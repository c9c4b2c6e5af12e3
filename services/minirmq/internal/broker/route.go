package broker

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
)

// Permission bits of a topic route (PermName).
const (
	permInherit = 1
	permWrite   = 2
	permRead    = 4
)

var topicPattern = regexp.MustCompile(`^[%|a-zA-Z0-9_-]{1,127}$`)

// validTopic applies Apache RocketMQ's topic name rule.
func validTopic(topic string) error {
	if !topicPattern.MatchString(topic) {
		return fmt.Errorf("topic %q is invalid: use 1 to 127 characters from [%%|a-zA-Z0-9_-]", topic)
	}
	return nil
}

func isSystemTopic(topic string) bool {
	switch topic {
	case HalfTopic, OpTopic, CheckMaxTopic, ScheduleTopic:
		return true
	}
	return false
}

// queueCount returns a topic's queue count: its configured count, or the
// default for topics that do not exist yet (retry and DLQ topics have one).
func (b *Broker) queueCount(topic string) int {
	b.mu.Lock()
	n, ok := b.state.Topics[topic]
	b.mu.Unlock()
	if ok {
		return n
	}
	if strings.HasPrefix(topic, RetryPrefix) || strings.HasPrefix(topic, DLQPrefix) {
		return 1
	}
	if topic == ScheduleTopic {
		return len(b.opts.DelayLevels)
	}
	return b.opts.DefaultQueues
}

// ensureTopic records a topic with a queue count unless it exists.
func (b *Broker) ensureTopic(topic string, queues int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ensureTopicLocked(topic, queues)
}

func (b *Broker) ensureTopicLocked(topic string, queues int) {
	if _, ok := b.state.Topics[topic]; !ok {
		b.state.Topics[topic] = queues
		b.dirty = true
	}
}

type queueData struct {
	BrokerName     string `json:"brokerName"`
	ReadQueueNums  int    `json:"readQueueNums"`
	WriteQueueNums int    `json:"writeQueueNums"`
	Perm           int    `json:"perm"`
	TopicSynFlag   int    `json:"topicSynFlag"`
}

type brokerData struct {
	Cluster     string            `json:"cluster"`
	BrokerName  string            `json:"brokerName"`
	BrokerAddrs map[string]string `json:"brokerAddrs"`
}

type topicRoute struct {
	QueueDatas  []queueData  `json:"queueDatas"`
	BrokerDatas []brokerData `json:"brokerDatas"`
}

// handleRoute answers GET_ROUTEINFO_BY_TOPIC for any valid topic, so clients
// never take the TBW102 detour and consumers of new topics start at once.
// encoding/json writes compact JSON: the client splits brokerAddrs by hand
// and breaks on whitespace.
func (b *Broker) handleRoute(_ *conn, req *remoting.Command) *remoting.Command {
	topic := req.Ext("topic")
	if err := validTopic(topic); err != nil {
		return badRequest(req, remoting.TopicNotExist, "No topic route info in name server for the topic: %s (%v)", topic, err)
	}
	n, perm := b.queueCount(topic), permRead|permWrite
	if topic == DefaultTopic {
		n, perm = 8, permInherit|permRead|permWrite
	}
	route := topicRoute{
		QueueDatas: []queueData{{BrokerName: b.opts.BrokerName, ReadQueueNums: n, WriteQueueNums: n, Perm: perm}},
		BrokerDatas: []brokerData{{
			Cluster:     b.opts.ClusterName,
			BrokerName:  b.opts.BrokerName,
			BrokerAddrs: map[string]string{"0": b.opts.Advertise.String()},
		}},
	}
	body, err := json.Marshal(route)
	if err != nil {
		return badRequest(req, remoting.SystemError, "encode route: %v", err)
	}
	resp := remoting.NewResponse(req, remoting.Success, "")
	resp.Body = body
	return resp
}

func (b *Broker) handleTopicList(_ *conn, req *remoting.Command) *remoting.Command {
	b.mu.Lock()
	topics := make([]string, 0, len(b.state.Topics))
	for t := range b.state.Topics {
		topics = append(topics, t)
	}
	b.mu.Unlock()
	sort.Strings(topics)
	body, _ := json.Marshal(struct {
		TopicList []string `json:"topicList"`
	}{topics})
	resp := remoting.NewResponse(req, remoting.Success, "")
	resp.Body = body
	return resp
}

// handleCreateTopic serves UPDATE_AND_CREATE_TOPIC from admin tools.
func (b *Broker) handleCreateTopic(_ *conn, req *remoting.Command) *remoting.Command {
	topic := req.Ext("topic")
	if err := validTopic(topic); err != nil {
		return badRequest(req, remoting.SystemError, "%v", err)
	}
	n, err := strconv.Atoi(req.Ext("writeQueueNums"))
	if err != nil || n < 1 || n > 1024 {
		return badRequest(req, remoting.SystemError, "writeQueueNums %q must be 1..1024", req.Ext("writeQueueNums"))
	}
	b.mu.Lock()
	if cur := b.state.Topics[topic]; n > cur {
		b.state.Topics[topic] = n
		b.dirty = true
	}
	b.mu.Unlock()
	return remoting.NewResponse(req, remoting.Success, "")
}
