package remoting

// Request codes minirmq serves or sends (RocketMQ RequestCode).
const (
	CodeSendMessage                int16 = 10
	CodePullMessage                int16 = 11
	CodeQueryConsumerOffset        int16 = 14
	CodeUpdateConsumerOffset       int16 = 15
	CodeUpdateAndCreateTopic       int16 = 17
	CodeSearchOffsetByTimestamp    int16 = 29
	CodeGetMaxOffset               int16 = 30
	CodeGetMinOffset               int16 = 31
	CodeHeartbeat                  int16 = 34
	CodeUnregisterClient           int16 = 35
	CodeConsumerSendMsgBack        int16 = 36
	CodeEndTransaction             int16 = 37
	CodeGetConsumerListByGroup     int16 = 38
	CodeCheckTransactionState      int16 = 39
	CodeNotifyConsumerIDsChanged   int16 = 40
	CodeLockBatchMQ                int16 = 41
	CodeUnlockBatchMQ              int16 = 42
	CodeGetRouteInfoByTopic        int16 = 105
	CodeGetAllSubscriptionGroupCfg int16 = 201
	CodeGetAllTopicListFromNameSrv int16 = 206
	CodeDeleteTopicInBroker        int16 = 215
	CodeDeleteTopicInNameSrv       int16 = 216
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
)
