package broker

import "time"

// runHousekeeping snapshots the state every second when it changed, keeps
// the retention floor current, and drops clients silent for 120 s (Apache's
// channel expiry).
func (b *Broker) runHousekeeping() {
	defer b.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-b.ctx.Done():
			return
		case <-t.C:
		}
		if err := b.saveState(); err != nil {
			b.log.Error("save broker state", "err", err)
		}
		if i%10 == 0 {
			b.updateRetentionFloor()
			for _, c := range b.reg.expired(b.now(), heartbeatLimit) {
				b.log.Warn("closing client silent for too long", "remote", c.remote, "limit", heartbeatLimit)
				c.close()
			}
		}
	}
}
