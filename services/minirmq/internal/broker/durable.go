package broker

import (
	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
)

// codeFlushDiskTimeout is Apache's answer to a send whose group commit did
// not reach the disk (ResponseCode.FLUSH_DISK_TIMEOUT).
const codeFlushDiskTimeout int16 = 10

// Request codes whose success answer acknowledges stored records: sends
// (10, 310 SEND_MESSAGE_V2, 320 batch), CONSUMER_SEND_MSG_BACK (36) and
// END_TRANSACTION (37; one-way from the Go client, answered when asked).
var durableCodes = map[int16]bool{10: true, 310: true, 320: true, 36: true, 37: true}

// durable answers a request that stored something. With -fsync, a success
// answer leaves only once the store's group commit has put the records on
// disk ("acknowledged ⇒ on disk"), as Apache's SYNC_FLUSH answers after
// GroupCommitService's flush. dispatch calls it after the handler has
// released b.mu, so writers on other connections append meanwhile and share
// the next sync; being in dispatch, the rule covers every write code,
// whichever handler serves it.
func (b *Broker) durable(req *remoting.Command, resp *remoting.Command) *remoting.Command {
	if resp == nil || resp.Code != remoting.Success || !durableCodes[req.Code] {
		return resp
	}
	// The handler's records end at or before the log end now.
	_, end := b.store.CommitLogRange()
	if err := b.store.WaitDurable(end); err != nil {
		b.log.Error("group commit failed; answering the write with an error", "code", req.Code, "err", err)
		code := remoting.SystemError
		if req.Code == remoting.CodeSendMessage || req.Code == remoting.CodeSendMessageV2 || req.Code == remoting.CodeSendBatchMessage {
			code = codeFlushDiskTimeout
		}
		return remoting.NewResponse(req, code, "stored, but not flushed to disk: "+err.Error())
	}
	return resp
}
