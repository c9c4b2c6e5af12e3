// Package audit checks that RocketMart's six services and its broker agree
// with each other: the invariants of SPEC §3, read through each service's
// read-only admin endpoints and the broker's admin API once the system is
// quiet (no undecided half messages, no consumer lag, no retries waiting).
// scripts/audit runs it from the command line; the web gateway serves it.
//
// Every text comes in English and Simplified Chinese: each Invariant has
// Title and TitleZh, each Violation Subject/Detail and SubjectZh/DetailZh,
// the Report Notes and NotesZh (the catalogue is zh.go), and
// Report.WriteTextIn prints either language: `make audit AUDIT_LANG=zh-CN`.
package audit

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Config says where the services are.
type Config struct {
	// URLs maps the name of every service in contracts.Services() to its
	// base URL.
	URLs map[string]string
	// BrokerAdminURL is minirmq's admin API; empty (Apache RocketMQ) skips
	// the broker's invariant and the quiescence wait, and says so.
	BrokerAdminURL string
	AdminToken     string
	// Quiescence bounds the wait for a quiet system; 0 means 30 s.
	Quiescence time.Duration
	// CallTimeout bounds every HTTP call; 0 means 10 s.
	CallTimeout time.Duration
}

func (c Config) callTimeout() time.Duration {
	if c.CallTimeout > 0 {
		return c.CallTimeout
	}
	return 10 * time.Second
}

func (c Config) quiescence() time.Duration {
	if c.Quiescence > 0 {
		return c.Quiescence
	}
	return 30 * time.Second
}

// Report is the audit's answer.
type Report struct {
	Passed     bool        `json:"passed"`
	Quiescent  bool        `json:"quiescent"`
	WaitedMs   int64       `json:"waitedMs"`
	CheckedAt  time.Time   `json:"checkedAt"`
	Notes      []string    `json:"notes"`
	NotesZh    []string    `json:"notesZh"` // Notes in Simplified Chinese, one for one
	Invariants []Invariant `json:"invariants"`
}

// pollInterval is the quiescence poll period.
const pollInterval = 200 * time.Millisecond

// Run waits for quiescence (up to Config.Quiescence), reads a snapshot and
// checks every invariant. An error means a service could not be read.
func Run(ctx context.Context, cfg Config) (Report, error) {
	r, err := newReader(cfg)
	if err != nil {
		return Report{}, err
	}
	start := time.Now()
	rep := Report{Notes: []string{}, NotesZh: []string{}}
	if cfg.BrokerAdminURL == "" {
		rep.note("no broker admin API configured (Apache RocketMQ): invariant 6 and the wait for quiescence are skipped; check half messages and dead letters in the RocketMQ dashboard",
			"未配置 Broker 管理接口（Apache RocketMQ）：跳过不变量 6 和等待系统静止；请在 RocketMQ 控制台检查半消息和死信")
	} else {
		quiet, why, whyZh, err := waitQuiet(ctx, r, cfg.quiescence())
		if err != nil {
			return Report{}, err
		}
		rep.Quiescent = quiet
		if !quiet {
			rep.note(fmt.Sprintf("the system did not become quiet within %v (%s); results may show work still in flight", cfg.quiescence(), why),
				fmt.Sprintf("系统在 %v 内未静止（%s）；结果可能包含仍在途的消息造成的问题", cfg.quiescence(), whyZh))
		}
	}
	rep.WaitedMs = time.Since(start).Milliseconds()
	snap, err := r.snapshot(ctx)
	if err != nil {
		return Report{}, err
	}
	rep.CheckedAt = time.Now().UTC()
	rep.Invariants = Check(snap, rep.CheckedAt)
	rep.Passed = true
	for _, inv := range rep.Invariants {
		if !inv.Passed {
			rep.Passed = false
		}
	}
	if snap.Broker != nil {
		for _, d := range snap.Broker.DeadLetters {
			if d.Replayed {
				rep.note(fmt.Sprintf("dead letter %s of group %s (%s, keys %s) was replayed", d.MsgID, d.Group, d.OriginalTopic, d.Keys),
					fmt.Sprintf("消费者组 %s 的死信 %s（%s，keys %s）已重新投递", d.Group, d.MsgID, d.OriginalTopic, d.Keys))
			}
		}
	}
	return rep, nil
}

// note adds a note in both languages.
func (r *Report) note(en, zh string) {
	r.Notes = append(r.Notes, en)
	r.NotesZh = append(r.NotesZh, zh)
}

// waitQuiet polls the broker until two polls in a row find nothing in
// flight, or until timeout; it returns what was still busy, in English and
// in Chinese.
func waitQuiet(ctx context.Context, r *reader, timeout time.Duration) (bool, string, string, error) {
	deadline := time.Now().Add(timeout)
	calm := 0
	for {
		b, err := r.broker(ctx)
		if err != nil {
			return false, "", "", err
		}
		busy, busyZh := busyReasons(b)
		if len(busy) == 0 {
			calm++
		} else {
			calm = 0
		}
		if calm == 2 {
			return true, "", "", nil
		}
		if time.Now().After(deadline) {
			return false, strings.Join(busy, "; "), strings.Join(busyZh, "；"), nil
		}
		select {
		case <-ctx.Done():
			return false, "", "", ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// busyReasons names what is still in flight, in English and in Chinese.
func busyReasons(b *BrokerState) (en, zh []string) {
	if n := len(b.PendingHalves); n > 0 {
		en = append(en, fmt.Sprintf("%d half messages undecided", n))
		zh = append(zh, fmt.Sprintf("%d 条半消息未决", n))
	}
	for _, g := range slices.Sorted(maps.Keys(b.Lag)) {
		if b.Lag[g] > 0 {
			en = append(en, fmt.Sprintf("group %s has %d messages to consume", g, b.Lag[g]))
			zh = append(zh, fmt.Sprintf("消费者组 %s 堆积 %d 条消息", g, b.Lag[g]))
		}
	}
	for _, t := range slices.Sorted(maps.Keys(b.Retrying)) {
		en = append(en, fmt.Sprintf("%d retries waiting in %s", b.Retrying[t], t))
		zh = append(zh, fmt.Sprintf("%s 中有 %d 条消息等待重试", t, b.Retrying[t]))
	}
	return en, zh
}
