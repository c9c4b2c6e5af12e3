package remoting

import "strconv"

// Request codes minirmq serves or sends (RocketMQ RequestCode).
const (
	CodeSendMessage                int16 = 10
	CodePullMessage                int16 = 11
	CodeQueryMessage               int16 = 12
	CodeQueryConsumerOffset        int16 = 14
	CodeUpdateConsumerOffset       int16 = 15
	CodeUpdateAndCreateTopic       int16 = 17
	CodeGetBrokerRuntimeInfo       int16 = 28
	CodeSearchOffsetByTimestamp    int16 = 29
	CodeGetMaxOffset               int16 = 30
	CodeGetMinOffset               int16 = 31
	CodeGetEarliestMsgStoreTime    int16 = 32
	CodeViewMessageByID            int16 = 33
	CodeHeartbeat                  int16 = 34
	CodeUnregisterClient           int16 = 35
	CodeConsumerSendMsgBack        int16 = 36
	CodeEndTransaction             int16 = 37
	CodeGetConsumerListByGroup     int16 = 38
	CodeCheckTransactionState      int16 = 39
	CodeNotifyConsumerIDsChanged   int16 = 40
	CodeLockBatchMQ                int16 = 41
	CodeUnlockBatchMQ              int16 = 42
	CodeCheckClientConfig          int16 = 46
	CodeGetRouteInfoByTopic        int16 = 105
	CodeGetBrokerClusterInfo       int16 = 106
	CodeGetAllSubscriptionGroupCfg int16 = 201
	CodeGetTopicStatsInfo          int16 = 202
	CodeGetConsumerConnectionList  int16 = 203
	CodeGetProducerConnectionList  int16 = 204
	CodeGetAllTopicListFromNameSrv int16 = 206
	CodeGetConsumeStats            int16 = 208
	CodeDeleteTopicInBroker        int16 = 215
	CodeDeleteTopicInNameSrv       int16 = 216
	CodeQueryTopicConsumeByWho     int16 = 300
	CodeSendBatchMessage           int16 = 320
	CodeSendMessageV2              int16 = 310
)

// Response codes (RocketMQ ResponseCode).
const (
	Success                 int16 = 0
	SystemError             int16 = 1
	RequestCodeNotSupported int16 = 3
	MessageIllegal          int16 = 13
	TopicNotExist           int16 = 17
	PullNotFound            int16 = 19
	PullRetryImmediately    int16 = 20
	PullOffsetMoved         int16 = 21
	QueryNotFound           int16 = 22
	ConsumerNotOnline       int16 = 206
)

// requestNames are the names of Apache RocketMQ 4.9.4's request codes
// (RequestCode.java), for remarks and logs.
var requestNames = map[int16]string{
	10: "SEND_MESSAGE", 11: "PULL_MESSAGE", 12: "QUERY_MESSAGE", 13: "QUERY_BROKER_OFFSET",
	14: "QUERY_CONSUMER_OFFSET", 15: "UPDATE_CONSUMER_OFFSET", 17: "UPDATE_AND_CREATE_TOPIC",
	21: "GET_ALL_TOPIC_CONFIG", 22: "GET_TOPIC_CONFIG_LIST", 23: "GET_TOPIC_NAME_LIST", 25: "UPDATE_BROKER_CONFIG",
	26: "GET_BROKER_CONFIG", 27: "TRIGGER_DELETE_FILES", 28: "GET_BROKER_RUNTIME_INFO", 29: "SEARCH_OFFSET_BY_TIMESTAMP",
	30: "GET_MAX_OFFSET", 31: "GET_MIN_OFFSET", 32: "GET_EARLIEST_MSG_STORETIME", 33: "VIEW_MESSAGE_BY_ID",
	34: "HEART_BEAT", 35: "UNREGISTER_CLIENT", 36: "CONSUMER_SEND_MSG_BACK", 37: "END_TRANSACTION",
	38: "GET_CONSUMER_LIST_BY_GROUP", 39: "CHECK_TRANSACTION_STATE", 40: "NOTIFY_CONSUMER_IDS_CHANGED",
	41: "LOCK_BATCH_MQ", 42: "UNLOCK_BATCH_MQ", 43: "GET_ALL_CONSUMER_OFFSET", 45: "GET_ALL_DELAY_OFFSET",
	46: "CHECK_CLIENT_CONFIG", 50: "UPDATE_AND_CREATE_ACL_CONFIG", 51: "DELETE_ACL_CONFIG",
	52: "GET_BROKER_CLUSTER_ACL_INFO", 53: "UPDATE_GLOBAL_WHITE_ADDRS_CONFIG", 54: "GET_BROKER_CLUSTER_ACL_CONFIG",
	100: "PUT_KV_CONFIG", 101: "GET_KV_CONFIG", 102: "DELETE_KV_CONFIG", 103: "REGISTER_BROKER",
	104: "UNREGISTER_BROKER", 105: "GET_ROUTEINFO_BY_TOPIC", 106: "GET_BROKER_CLUSTER_INFO",
	200: "UPDATE_AND_CREATE_SUBSCRIPTIONGROUP", 201: "GET_ALL_SUBSCRIPTIONGROUP_CONFIG", 202: "GET_TOPIC_STATS_INFO",
	203: "GET_CONSUMER_CONNECTION_LIST", 204: "GET_PRODUCER_CONNECTION_LIST", 205: "WIPE_WRITE_PERM_OF_BROKER",
	206: "GET_ALL_TOPIC_LIST_FROM_NAMESERVER", 207: "DELETE_SUBSCRIPTIONGROUP", 208: "GET_CONSUME_STATS",
	209: "SUSPEND_CONSUMER", 210: "RESUME_CONSUMER", 211: "RESET_CONSUMER_OFFSET_IN_CONSUMER",
	212: "RESET_CONSUMER_OFFSET_IN_BROKER", 213: "ADJUST_CONSUMER_THREAD_POOL", 214: "WHO_CONSUME_THE_MESSAGE",
	215: "DELETE_TOPIC_IN_BROKER", 216: "DELETE_TOPIC_IN_NAMESRV", 219: "GET_KVLIST_BY_NAMESPACE",
	220: "RESET_CONSUMER_CLIENT_OFFSET", 221: "GET_CONSUMER_STATUS_FROM_CLIENT", 222: "INVOKE_BROKER_TO_RESET_OFFSET",
	223: "INVOKE_BROKER_TO_GET_CONSUMER_STATUS", 224: "GET_TOPICS_BY_CLUSTER", 300: "QUERY_TOPIC_CONSUME_BY_WHO",
	301: "REGISTER_FILTER_SERVER", 302: "REGISTER_MESSAGE_FILTER_CLASS", 303: "QUERY_CONSUME_TIME_SPAN",
	304: "GET_SYSTEM_TOPIC_LIST_FROM_NS", 305: "GET_SYSTEM_TOPIC_LIST_FROM_BROKER", 306: "CLEAN_EXPIRED_CONSUMEQUEUE",
	307: "GET_CONSUMER_RUNNING_INFO", 308: "QUERY_CORRECTION_OFFSET", 309: "CONSUME_MESSAGE_DIRECTLY",
	310: "SEND_MESSAGE_V2", 311: "GET_UNIT_TOPIC_LIST", 312: "GET_HAS_UNIT_SUB_TOPIC_LIST",
	313: "GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST", 314: "CLONE_GROUP_OFFSET", 315: "VIEW_BROKER_STATS_DATA",
	316: "CLEAN_UNUSED_TOPIC", 317: "GET_BROKER_CONSUME_STATS", 318: "UPDATE_NAMESRV_CONFIG", 319: "GET_NAMESRV_CONFIG",
	320: "SEND_BATCH_MESSAGE", 321: "QUERY_CONSUME_QUEUE", 322: "QUERY_DATA_VERSION", 323: "RESUME_CHECK_HALF_MESSAGE",
	324: "SEND_REPLY_MESSAGE", 325: "SEND_REPLY_MESSAGE_V2", 326: "PUSH_REPLY_MESSAGE_TO_CLIENT",
	327: "ADD_WRITE_PERM_OF_BROKER", 328: "GET_ALL_PRODUCER_INFO", 329: "DELETE_EXPIRED_COMMITLOG",
}

// RequestName names a request code as Apache does ("SEND_MESSAGE_V2"), or
// gives the number for a code Apache 4.9.4 does not define.
func RequestName(code int16) string {
	if n, ok := requestNames[code]; ok {
		return n
	}
	return strconv.Itoa(int(code))
}
