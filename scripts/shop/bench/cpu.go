package main

import "fmt"

// cpuSnapshot is every program's CPU time at one moment, the benchmark's
// own, and the whole machine's.
type cpuSnapshot struct {
	pids        map[string]int
	millis      map[string]float64
	self        float64
	busy, total uint64 // the machine, in USER_HZ ticks
}

func (b *bench) snapshotCPU() (cpuSnapshot, error) {
	s := cpuSnapshot{pids: b.shop.PIDs(), millis: map[string]float64{}}
	for name, pid := range s.pids {
		ms, err := cpuMillis(pid)
		if err != nil {
			return s, fmt.Errorf("CPU time of %s: %w", name, err)
		}
		s.millis[name] = ms
	}
	var err error
	if s.self, err = cpuMillis(0); err != nil {
		return s, err
	}
	s.busy, s.total, err = machineCPU()
	return s, err
}

// CPU is CPU milliseconds per paid order: each program's, their total, the
// load generator's own, and the whole machine's (everything that ran on
// it, the shop or not: the noise of a shared machine shows as the gap
// between Machine and Total + Bench).
type CPU struct {
	Programs map[string]float64 `json:"programs"`
	Total    float64            `json:"total"`
	Bench    float64            `json:"bench"`
	Machine  float64            `json:"machine"`
	// BusyPercent is how busy the machine's CPUs were over the window.
	BusyPercent float64 `json:"busyPercent"`
	// Restarted names programs whose process changed in the window: their
	// figure is missing.
	Restarted []string `json:"restarted,omitempty"`
}

func cpuPerOrder(a, b cpuSnapshot, paid int) CPU {
	c := CPU{Programs: map[string]float64{}}
	per := func(ms float64) float64 {
		if paid == 0 {
			return 0
		}
		return ms / float64(paid)
	}
	for _, name := range sortedKeys(b.pids) {
		if a.pids[name] != b.pids[name] {
			c.Restarted = append(c.Restarted, name)
			continue
		}
		c.Programs[name] = per(b.millis[name] - a.millis[name])
		c.Total += c.Programs[name]
	}
	c.Bench = per(b.self - a.self)
	c.Machine = per(float64(b.busy-a.busy) * 1000 / userHZ)
	if b.total > a.total {
		c.BusyPercent = 100 * float64(b.busy-a.busy) / float64(b.total-a.total)
	}
	return c
}
