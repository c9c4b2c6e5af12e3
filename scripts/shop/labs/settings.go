package labs

import (
	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
	"github.com/rocketmart/rocketmart/services/contracts"
)

// delayLevels are the broker's delay levels in a lab shop: retries and the
// payment timeout come in seconds, not minutes.
const delayLevels = "500ms 1s 2s 4s 8s 10s"

// Tune gives a shop the timings the labs are written for: check-backs 2 s
// after an undecided half message, consumers dead-lettered after 2
// redeliveries, a 12 s payment timeout. `make lab` and the labs' tests
// start their shops with it.
func Tune(opts *launcher.Options) {
	opts.BrokerFlags = append(opts.BrokerFlags, "-tx-check-after", "2s", "-tx-check-interval", "2s", "-delay-levels", delayLevels)
	if opts.Env == nil {
		opts.Env = map[string]string{}
	}
	for k, v := range map[string]string{
		"ORDER_PAYMENT_TIMEOUT": "12s", "ORDER_DELAY_LEVELS": delayLevels, "ORDER_SWEEP_INTERVAL": "1s",
		"ORDER_RESERVATION_GRACE": "2s", "INVENTORY_SWEEP_INTERVAL": "1s", "ROCKETMQ_CLIENT_LOG_LEVEL": "error",
	} {
		opts.Env[k] = v
	}
	for _, svc := range contracts.Services() {
		opts.Env[svc.MaxReconsumeVar()] = "2"
	}
}

// FromLauncher is the lab's view of a shop the launcher started.
func FromLauncher(s *launcher.Shop) *Shop {
	return &Shop{URL: s.URL, BrokerAdmin: s.BrokerAdmin, AdminToken: s.AdminToken, LogDir: s.LogDir, Control: s}
}
