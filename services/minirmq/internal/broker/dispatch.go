package broker

import (
	"fmt"
	"strconv"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
)

type handler func(b *Broker, c *conn, req *remoting.Command) *remoting.Command

// handlers maps request codes to their processors. A nil response means no
// answer (one-way requests, or a pull answered later).
var handlers = map[int16]handler{
	remoting.CodeGetRouteInfoByTopic:        (*Broker).handleRoute,
	remoting.CodeGetAllTopicListFromNameSrv: (*Broker).handleTopicList,
	remoting.CodeHeartbeat:                  (*Broker).handleHeartbeat,
	remoting.CodeUnregisterClient:           (*Broker).handleUnregister,
	remoting.CodeSendMessage:                (*Broker).handleSend,
	remoting.CodeSendMessageV2:              (*Broker).handleSend,
	remoting.CodeSendBatchMessage:           (*Broker).handleSend,
	remoting.CodePullMessage:                (*Broker).handlePull,
	remoting.CodeQueryConsumerOffset:        (*Broker).handleQueryOffset,
	remoting.CodeUpdateConsumerOffset:       (*Broker).handleUpdateOffset,
	remoting.CodeGetMaxOffset:               (*Broker).handleMaxOffset,
	remoting.CodeGetMinOffset:               (*Broker).handleMinOffset,
	remoting.CodeSearchOffsetByTimestamp:    (*Broker).handleSearchOffset,
	remoting.CodeGetConsumerListByGroup:     (*Broker).handleConsumerList,
	remoting.CodeConsumerSendMsgBack:        (*Broker).handleSendBack,
	remoting.CodeEndTransaction:             (*Broker).handleEndTransaction,
	remoting.CodeLockBatchMQ:                (*Broker).handleLock,
	remoting.CodeUnlockBatchMQ:              (*Broker).handleUnlock,
	remoting.CodeUpdateAndCreateTopic:       (*Broker).handleCreateTopic,
	remoting.CodeGetAllSubscriptionGroupCfg: (*Broker).handleAllSubscriptionGroups,
	remoting.CodeDeleteTopicInBroker:        (*Broker).handleAck,
	remoting.CodeDeleteTopicInNameSrv:       (*Broker).handleAck,
	// Read-only codes of mqadmin and the Java client (admincodes.go).
	remoting.CodeGetBrokerClusterInfo:      (*Broker).handleClusterInfo,
	remoting.CodeGetBrokerRuntimeInfo:      (*Broker).handleRuntimeInfo,
	remoting.CodeGetTopicStatsInfo:         (*Broker).handleTopicStats,
	remoting.CodeGetConsumeStats:           (*Broker).handleConsumeStats,
	remoting.CodeGetConsumerConnectionList: (*Broker).handleConsumerConnections,
	remoting.CodeGetProducerConnectionList: (*Broker).handleProducerConnections,
	remoting.CodeQueryTopicConsumeByWho:    (*Broker).handleTopicConsumers,
	remoting.CodeGetEarliestMsgStoreTime:   (*Broker).handleEarliestStoreTime,
	remoting.CodeViewMessageByID:           (*Broker).handleViewMessage,
	remoting.CodeQueryMessage:              (*Broker).handleQueryMessage,
	remoting.CodeCheckClientConfig:         (*Broker).handleCheckClientConfig,
}

func (b *Broker) dispatch(c *conn, req *remoting.Command) *remoting.Command {
	b.metrics.requests.WithLabelValues(strconv.Itoa(int(req.Code))).Inc()
	h, ok := handlers[req.Code]
	if !ok {
		// Apache answers REQUEST_CODE_NOT_SUPPORTED (3), " request type N not supported".
		name := remoting.RequestName(req.Code)
		b.log.Info("unsupported request code", "code", req.Code, "name", name, "remote", c.remote)
		return remoting.NewResponse(req, remoting.RequestCodeNotSupported,
			fmt.Sprintf("request code %d (%s) is not supported by minirmq", req.Code, name))
	}
	return b.durable(req, h(b, c, req))
}

func (b *Broker) handleAck(_ *conn, req *remoting.Command) *remoting.Command {
	return remoting.NewResponse(req, remoting.Success, "")
}

// badRequest answers a request whose fields cannot be used.
func badRequest(req *remoting.Command, code int16, format string, args ...any) *remoting.Command {
	return remoting.NewResponse(req, code, fmt.Sprintf(format, args...))
}

// extInt parses an integer extension field; missing fields are an error.
func extInt(req *remoting.Command, key string) (int64, error) {
	v, ok := req.ExtFields[key]
	if !ok {
		return 0, fmt.Errorf("missing field %q", key)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("field %q=%q is not an integer", key, v)
	}
	return n, nil
}

// extIntOr parses an optional integer extension field.
func extIntOr(req *remoting.Command, key string, def int64) (int64, error) {
	if _, ok := req.ExtFields[key]; !ok {
		return def, nil
	}
	return extInt(req, key)
}
