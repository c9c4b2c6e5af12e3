package labs

import (
	"context"
	"io"
	"strings"
	"sync"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

// ForControl is the labs as the launcher's control API serves them (the
// trainer page's Labs section): listed, and graded one at a time on shop,
// with the narration written to out (make workshop's terminal).
func ForControl(shop *Shop, out io.Writer) launcher.Labs {
	return &controlLabs{shop: shop, out: out}
}

type controlLabs struct {
	shop *Shop
	out  io.Writer
	// one grades one lab at a time: two labs on one shop would clear each
	// other's faults and read each other's damage.
	one sync.Mutex
}

func (c *controlLabs) List(lang launcher.Lang) []launcher.LabInfo {
	sep := " "
	if lang == launcher.Chinese {
		sep = "" // Chinese sentences end in "。" and run on without a space
	}
	out := make([]launcher.LabInfo, 0, len(catalogue))
	for _, l := range catalogue {
		out = append(out, launcher.LabInfo{Name: l.Name, Title: l.Title.In(lang), Summary: strings.Join(texts(l.Learn, lang), sep), Naive: l.Naive})
	}
	return out
}

// How a reason line reads: "ok: what — detail".
var (
	reasonOK     = Text{"ok: %s", "通过：%s"}
	reasonFailed = Text{"FAIL: %s", "失败：%s"}
	reasonDetail = Text{"%s — %s", "%s——%s"}
)

func (c *controlLabs) Grade(ctx context.Context, name string, lang launcher.Lang) (launcher.LabReport, error) {
	l, ok := Find(name)
	if !ok {
		return launcher.LabReport{}, launcher.ErrUnknownLab
	}
	c.one.Lock()
	defer c.one.Unlock()
	rep := Grade(ctx, c.shop, l, lang, c.out)
	rep.WriteText(c.out)
	reasons := make([]string, 0, len(rep.Checks))
	for _, ch := range rep.Checks {
		line := reasonOK
		if !ch.OK {
			line = reasonFailed
		}
		what := ch.What
		if ch.Detail != "" {
			what = reasonDetail.With(what, ch.Detail).In(lang)
		}
		reasons = append(reasons, line.With(what).In(lang))
	}
	return launcher.LabReport{Lab: l.Name, Passed: rep.Passed, Naive: rep.Naive, Reasons: reasons}, nil
}
