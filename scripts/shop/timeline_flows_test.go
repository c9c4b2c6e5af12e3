package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/labs"
	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/program"
)

// TestTimelineFlows proves the per-order timeline (issue 15, the timeline
// contract) end to end, on SQLite and on MariaDB: one lab shop per database
// (labs.Tune: check-backs after 2 s, consumers dead-lettered after 2
// redeliveries), and on it, one after the other, the transactional flows the
// workshop teaches. For each, the gateway's admin timeline of the order is
// read until the expected steps are there, and then its ORDER_PAID entries
// are asserted exactly — every entry (actor, step, outcome, attempt, group),
// none missing, none extra — and in order where order is guaranteed.
//
// What order is guaranteed. Entries are stamped by the process that took
// the step (microseconds), and the gateway sorts them by that time. Within
// one process the order is the program's; across processes it is the order
// of cause and effect, because here every process reads one host's clock
// and each effect is stamped after its cause left (the broker stamps a
// half-stored before it answers the producer, which journals half-sent
// after the answer; the producer journals end-transaction before the client
// sends it; the broker notes a delivery before its pull answer leaves, and a
// consumer journals after its handler returned). Deliveries to different
// groups race each other, so the test asserts causal chains (each one in
// timeline order), never one total order of everything. On hosts with
// skewed clocks only the chains inside one process would hold.
//
// Acks come when a consumer's client commits its offsets (every ~5 s), so
// each flow first waits for everything but the acks, and the acks of all
// flows are waited for together at the end.
func TestTimelineFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop on two databases; skipped with -short")
	}
	t.Parallel() // mostly waiting for the broker's timers: overlaps the other whole-shop waits
	for _, flavour := range []string{"sqlite", "mysql"} {
		t.Run(flavour, func(t *testing.T) {
			began := time.Now()
			shop, _ := startShopWith(t, flavour, labs.Tune)
			t.Logf("%s: shop started in %v", flavour, time.Since(began).Round(100*time.Millisecond))
			f := newTimelineFlows(t, shop)
			f.run("clean pay", f.cleanPay)
			f.run("payment answer lost", f.answerLost)
			f.run("decline", f.decline)
			f.run("consumer fails twice", f.failsTwice)
			f.run("redelivered duplicate", f.duplicate)
			f.run("dead letter and replay", f.deadLetter)
			f.run("slow motion", f.slowMotion)
			f.run("every flow complete, acks included", f.settle)
			f.run("the owner's timeline", f.userTimeline)
			t.Logf("%s: %v in all", flavour, time.Since(began).Round(100*time.Millisecond))
		})
	}
}

// tlEntry is a timeline entry as the gateway answers it.
type tlEntry struct {
	At       string `json:"at"`
	Actor    string `json:"actor"`
	Instance string `json:"instance"`
	Step     string `json:"step"`
	Key      string `json:"key"`
	Topic    string `json:"topic"`
	MsgID    string `json:"msgId"`
	TxID     string `json:"txId"`
	Group    string `json:"group"`
	Attempt  int    `json:"attempt"`
	Outcome  string `json:"outcome"`
	Detail   string `json:"detail"`
}

// String is the entry as the flows' expectations spell it:
// "actor step[ outcome][ #attempt][ @group]".
func (e tlEntry) String() string {
	return step(e.Actor, e.Step, e.Outcome, e.Attempt, e.Group)
}

func step(actor, name, outcome string, attempt int, group string) string {
	s := actor + " " + name
	if outcome != "" {
		s += " " + outcome
	}
	if attempt > 0 {
		s += fmt.Sprintf(" #%d", attempt)
	}
	if group != "" {
		s += " @" + group
	}
	return s
}

type tlDoc struct {
	OrderNo string    `json:"orderNo"`
	Status  string    `json:"status"`
	Entries []tlEntry `json:"entries"`
	Sources []struct {
		Source string `json:"source"`
		State  string `json:"state"`
		Detail string `json:"detail"`
	} `json:"sources"`
}

// paid is the document's ORDER_PAID entries, in the document's order.
func (d tlDoc) paid() []tlEntry {
	var out []tlEntry
	for _, e := range d.Entries {
		if e.Topic == contracts.TopicOrderPaid {
			out = append(out, e)
		}
	}
	return out
}

// dump writes entries one a line, for a failure's message.
func dump(entries []tlEntry) string {
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "\n  %s  %-10s %-60s %s %s", e.At, e.Topic, e.String(), e.MsgID, e.Detail)
	}
	return b.String()
}

// The names of the groups and the producer, and who consumes for each group.
const (
	gInventory = contracts.ConsumerInventoryOrderPaid
	gLogistics = contracts.ConsumerLogisticsOrderPaid
	gPoints    = contracts.ConsumerPointsOrderPaid
	gCart      = contracts.ConsumerCartOrderPaid
	producer   = contracts.ProducerOrderPaidTx
)

var paidGroups = []struct{ group, service string }{
	{gInventory, contracts.ServiceInventory}, {gLogistics, contracts.ServiceLogistics},
	{gPoints, contracts.ServicePoints}, {gCart, contracts.ServiceCart},
}

// flowWant is what one order's timeline must come to.
type flowWant struct {
	orderNo, user string
	// entries are every ORDER_PAID entry the timeline must end with.
	entries []string
	// chains are causal chains: each one's entries appear in this order.
	chains [][]string
	// decidedBy is the broker's decided entry's detail.
	decidedBy string
	// absentSteps are steps no ORDER_PAID entry may have.
	absentSteps []string
	// paid: the order ends PAID, with one status change to PAID.
	paid bool
}

// withoutAcks is the entries without the broker's acks.
func (w flowWant) withoutAcks() []string {
	return slices.DeleteFunc(slices.Clone(w.entries), func(s string) bool { return strings.HasPrefix(s, "broker acked") })
}

type timelineFlows struct {
	t     *testing.T
	shop  *launcher.Shop
	lab   *labs.Shop
	http  *http.Client
	flows []*flowWant
}

func newTimelineFlows(t *testing.T, shop *launcher.Shop) *timelineFlows {
	lab := labs.FromLauncher(shop)
	lab.Wait = 45 * time.Second
	f := &timelineFlows{t: t, shop: shop, lab: lab, http: &http.Client{Timeout: 15 * time.Second}}
	if err := lab.Fund(t.Context()); err != nil {
		t.Fatal(err)
	}
	return f
}

// run runs one flow as a subtest, timed; a failed flow stops the rest,
// since their faults and expectations build on a shop in a known state.
func (f *timelineFlows) run(name string, fn func(t *testing.T)) {
	if f.t.Failed() {
		return
	}
	began := time.Now()
	parent := f.t
	f.t.Run(name, func(t *testing.T) {
		f.t = t
		defer func() { f.t = parent }()
		fn(t)
	})
	parent.Logf("%s: %v", name, time.Since(began).Round(100*time.Millisecond))
}

// adminTimeline reads the gateway's admin timeline of orderNo.
func (f *timelineFlows) adminTimeline(orderNo string) tlDoc {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.shop.URL["web"]+"/api/admin/timeline/"+url.PathEscape(orderNo), nil)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("X-Admin-Token", f.shop.AdminToken)
	resp, err := f.http.Do(req)
	if err != nil {
		f.t.Fatalf("admin timeline of %s: %v", orderNo, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("admin timeline of %s: %d %s", orderNo, resp.StatusCode, body)
	}
	var d tlDoc
	if err := json.Unmarshal(body, &d); err != nil {
		f.t.Fatalf("admin timeline of %s: %v: %s", orderNo, err, body)
	}
	return d
}

// waitFor reads orderNo's admin timeline until its ORDER_PAID entries
// include every one of want (as a multiset), and returns it.
func (f *timelineFlows) waitFor(orderNo string, want []string) tlDoc {
	f.t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		d := f.adminTimeline(orderNo)
		missing := missingFrom(d.paid(), want)
		// A source that did not answer in time (2 s each) is a gap, not
		// an absence: ask again.
		for _, s := range d.Sources {
			if s.State != "ok" {
				missing = append(missing, "source "+s.Source+" "+s.State+": "+s.Detail)
			}
		}
		if len(missing) == 0 {
			return d
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("%s: after 45 s the timeline still lacks %q; its ORDER_PAID entries:%s", orderNo, missing, dump(d.paid()))
		}
		time.Sleep(250 * time.Millisecond) // polling interval
	}
}

// missingFrom lists the entries of want (a multiset) that entries lack.
func missingFrom(entries []tlEntry, want []string) []string {
	have := map[string]int{}
	for _, e := range entries {
		have[e.String()]++
	}
	var missing []string
	for _, w := range want {
		if have[w] > 0 {
			have[w]--
			continue
		}
		missing = append(missing, w)
	}
	return missing
}

// check asserts a flow's ORDER_PAID entries: exactly w's entries (acks
// optional unless complete), its chains in order, the broker's decision
// and one message id throughout.
func (f *timelineFlows) check(w *flowWant, d tlDoc, complete bool) {
	f.t.Helper()
	paid := d.paid()
	want := w.entries
	if !complete {
		want = w.withoutAcks()
	}
	if missing := missingFrom(paid, want); len(missing) > 0 {
		f.t.Errorf("%s: the timeline lacks %q:%s", w.orderNo, missing, dump(paid))
	}
	var got []tlEntry
	for _, e := range paid {
		if complete || e.Step != "acked" {
			got = append(got, e)
		}
	}
	if extra := extraIn(got, want); len(extra) > 0 {
		f.t.Errorf("%s: the timeline has entries no step explains: %q:%s", w.orderNo, extra, dump(paid))
	}
	for _, chain := range w.chains {
		if !complete {
			chain = slices.DeleteFunc(slices.Clone(chain), func(s string) bool { return strings.HasPrefix(s, "broker acked") })
		}
		if at, ok := inOrder(paid, chain); !ok {
			f.t.Errorf("%s: out of causal order: %q not found after %q:%s", w.orderNo, chain[at], chain[:at], dump(paid))
		}
	}
	for _, s := range w.absentSteps {
		for _, e := range paid {
			if e.Step == s {
				f.t.Errorf("%s: want no %s for ORDER_PAID, got %s", w.orderNo, s, e)
			}
		}
	}
	ids := map[string]bool{}
	for _, e := range paid {
		if e.Key != w.orderNo {
			f.t.Errorf("%s: entry %s has key %q", w.orderNo, e, e.Key)
		}
		for _, id := range []string{e.MsgID, e.TxID} {
			if id != "" {
				ids[id] = true
			}
		}
		if e.Step == "decided" && e.Detail != w.decidedBy {
			f.t.Errorf("%s: the broker's decided says %q, want %q", w.orderNo, e.Detail, w.decidedBy)
		}
	}
	// txmsg journals UNIQ_KEY as msgId and txId (what consumers see, what
	// minirmq's half carries); retries, the redelivery and the replay keep it.
	if len(ids) != 1 {
		f.t.Errorf("%s: the ORDER_PAID entries carry %d message/transaction ids %v, want one", w.orderNo, len(ids), ids)
	}
	for _, s := range d.Sources {
		if s.State != "ok" {
			f.t.Errorf("%s: source %s is %q (%s)", w.orderNo, s.Source, s.State, s.Detail)
		}
	}
	// The gateway's own entries, the order's status changes: the PAID
	// change is stamped when the order becomes PAID (inside the local
	// transaction or the check-back), so it sorts after the order's
	// half-sent.
	paidChanges, halfSent := 0, -1
	for i, e := range d.Entries {
		if e.Actor == "order" && e.Step == "half-sent" && halfSent < 0 {
			halfSent = i
		}
		if e.Step == "status-changed" && e.Outcome == "PAID" {
			paidChanges++
			if i < halfSent || halfSent < 0 {
				f.t.Errorf("%s: the PAID status change sorts before the order's half-sent", w.orderNo)
			}
		}
	}
	if w.paid && (paidChanges != 1 || d.Status != "PAID") {
		f.t.Errorf("%s is %s with %d status changes to PAID, want PAID and one", w.orderNo, d.Status, paidChanges)
	}
	if !w.paid && (paidChanges != 0 || d.Status == "PAID") {
		f.t.Errorf("%s is %s with %d status changes to PAID, want none", w.orderNo, d.Status, paidChanges)
	}
	if f.t.Failed() || os.Getenv("TIMELINE_VERBOSE") != "" {
		f.t.Logf("%s (%s):%s", w.orderNo, d.Status, dump(d.Entries))
	}
}

// extraIn lists the entries beyond want (a multiset).
func extraIn(entries []tlEntry, want []string) []string {
	left := map[string]int{}
	for _, w := range want {
		left[w]++
	}
	var extra []string
	for _, e := range entries {
		if left[e.String()] > 0 {
			left[e.String()]--
			continue
		}
		extra = append(extra, e.String())
	}
	return extra
}

// inOrder reports whether chain is a subsequence of entries; when not, the
// index of the first step of chain not found in order.
func inOrder(entries []tlEntry, chain []string) (int, bool) {
	i := 0
	for _, e := range entries {
		if i < len(chain) && e.String() == chain[i] {
			i++
		}
	}
	return i, i == len(chain)
}

// The steps of a transactional send, as the flows expect them.
var (
	orderHalfSent   = step("order", "half-sent", "", 0, "")
	brokerHalfStore = step("broker", "half-stored", "", 0, producer)
	brokerStored    = step("broker", "stored", "", 0, "")
)

func orderLocal(outcome string) string { return step("order", "local-transaction", outcome, 0, "") }
func orderEnd(outcome string) string   { return step("order", "end-transaction", outcome, 0, "") }
func brokerEnd(outcome string) string  { return step("broker", "end-transaction", outcome, 0, producer) }
func brokerDecided(outcome string) string {
	return step("broker", "decided", outcome, 0, producer)
}
func delivered(attempt int, group string) string {
	return step("broker", "delivered", "", attempt, group)
}
func acked(attempt int, group string) string { return step("broker", "acked", "", attempt, group) }
func consumed(service, outcome string, attempt int, group string) string {
	return step(service, "consumed", outcome, attempt, group)
}

// deliveries are the entries and chains of one processed first delivery to
// each ORDER_PAID group, after stored.
func deliveries(w *flowWant, except ...string) {
	for _, g := range paidGroups {
		if slices.Contains(except, g.group) {
			continue
		}
		chain := []string{brokerStored, delivered(1, g.group), consumed(g.service, "processed", 1, g.group), acked(1, g.group)}
		w.entries = append(w.entries, chain[1:]...)
		w.chains = append(w.chains, chain)
	}
}

// committed is a flow whose half message the producer commits at once.
func committed(orderNo, user string) *flowWant {
	w := &flowWant{orderNo: orderNo, user: user, decidedBy: "by the producer", paid: true,
		entries: []string{brokerHalfStore, orderHalfSent, orderLocal("commit"), orderEnd("commit"), brokerEnd("commit"),
			brokerDecided("commit"), brokerStored}}
	w.chains = [][]string{w.entries}
	return w
}

// placeAndPay places a mug for user and pays it, wanting the pay's status.
func (f *timelineFlows) placeAndPay(user string, status int) string {
	f.t.Helper()
	ctx := f.t.Context()
	no, err := f.lab.Place(ctx, user, labs.Line{SKU: "RM-MUG-STONE", Quantity: 1})
	if err != nil {
		f.t.Fatalf("place an order for %s: %v", user, err)
	}
	got, body, err := f.lab.Pay(ctx, user, no)
	if err != nil || got != status {
		f.t.Fatalf("pay %s: %d %s (%v), want %d", no, got, body, err, status)
	}
	return no
}

func (f *timelineFlows) arm(program, fault string) {
	f.t.Helper()
	if err := f.lab.Arm(f.t.Context(), program, fault); err != nil {
		f.t.Fatal(err)
	}
}

// expect waits for w's entries but the acks, checks them and keeps w for
// the acks at the end.
func (f *timelineFlows) expect(w *flowWant) {
	f.t.Helper()
	f.flows = append(f.flows, w)
	f.check(w, f.waitFor(w.orderNo, w.withoutAcks()), false)
}

// 1. A clean pay: the producer commits; each group gets one delivery,
// processes it, and (later) acks it.
func (f *timelineFlows) cleanPay(t *testing.T) {
	w := committed(f.placeAndPay("alice", http.StatusOK), "alice")
	deliveries(w)
	f.expect(w)
}

// 2. The payment's answer is lost (charged, the answer never reaches the
// order service): the producer cannot tell, the broker checks back, the
// check finds the charge and commits.
func (f *timelineFlows) answerLost(t *testing.T) {
	f.arm(contracts.ServicePayment, "charge=drop,count=1")
	no := f.placeAndPay("alice", http.StatusAccepted)
	checkSent := step("broker", "check-sent", "", 1, producer)
	checkBack := step("order", "check-back", "commit", 1, "")
	w := &flowWant{orderNo: no, user: "alice", decidedBy: "by a check-back", paid: true,
		entries: []string{brokerHalfStore, orderHalfSent, orderLocal("unknown"), orderEnd("unknown"), brokerEnd("unknown"),
			checkSent, checkBack, brokerEnd("commit"), brokerDecided("commit"), brokerStored}}
	w.chains = [][]string{w.entries}
	deliveries(w)
	f.expect(w)
}

// 3. A decline: the local transaction rolls back, so does the half
// message, and no consumer ever sees ORDER_PAID.
func (f *timelineFlows) decline(t *testing.T) {
	f.arm(contracts.ServicePayment, "charge=answer,value=decline,count=1")
	no := f.placeAndPay("carol", http.StatusPaymentRequired)
	w := &flowWant{orderNo: no, user: "carol", decidedBy: "by the producer",
		entries: []string{brokerHalfStore, orderHalfSent, orderLocal("rollback"), orderEnd("rollback"), brokerEnd("rollback"),
			brokerDecided("rollback")},
		absentSteps: []string{"stored", "delivered", "consumed", "acked", "check-sent", "check-back"}}
	w.chains = [][]string{w.entries}
	f.expect(w)
}

// 4. The logistics consumer fails twice, then processes the third
// delivery; each failure is sent back for a retry.
func (f *timelineFlows) failsTwice(t *testing.T) {
	f.arm(contracts.ServiceLogistics, "consume."+gLogistics+"=fail,count=2")
	w := committed(f.placeAndPay("bob", http.StatusOK), "bob")
	deliveries(w, gLogistics)
	chain := []string{brokerStored}
	for attempt := 1; attempt <= 3; attempt++ {
		outcome := "failed"
		if attempt == 3 {
			outcome = "processed"
		}
		chain = append(chain, delivered(attempt, gLogistics), consumed(contracts.ServiceLogistics, outcome, attempt, gLogistics))
		if attempt < 3 {
			chain = append(chain, step("broker", "retry", "", attempt+1, gLogistics))
		}
	}
	w.entries = append(w.entries, chain[1:]...)
	w.chains = append(w.chains, chain)
	// Each attempt is acked, the failed ones too: the client commits the
	// offset of a delivery it sent back.
	for i, outcome := range []string{"failed", "failed", "processed"} {
		attempt := i + 1
		w.entries = append(w.entries, acked(attempt, gLogistics))
		w.chains = append(w.chains, []string{consumed(contracts.ServiceLogistics, outcome, attempt, gLogistics), acked(attempt, gLogistics)})
	}
	f.expect(w)
}

// 5. The broker delivers ORDER_PAID to the points consumer again, as after
// a lost acknowledgement: points consumes it as a duplicate.
func (f *timelineFlows) duplicate(t *testing.T) {
	no := f.placeAndPay("carol", http.StatusOK)
	w := committed(no, "carol")
	deliveries(w)
	f.waitFor(no, w.withoutAcks())
	if err := f.redeliver(gPoints, no); err != nil {
		t.Fatal(err)
	}
	again := []string{consumed(contracts.ServicePoints, "processed", 1, gPoints), step("broker", "redelivered", "", 0, gPoints),
		delivered(1, gPoints), consumed(contracts.ServicePoints, "duplicate", 1, gPoints), acked(1, gPoints)}
	w.entries = append(w.entries, again[1:]...)
	w.chains = append(w.chains, again)
	f.expect(w)
}

// 7. Slow motion (the demo switch): every ORDER_PAID consumer holds its
// delivery for the armed delay, so the timeline shows each delivery, the
// consumer's held note and, at least that much later, the same single
// processed entry as a clean pay.
func (f *timelineFlows) slowMotion(t *testing.T) {
	const hold = 1500 * time.Millisecond
	for _, g := range paidGroups {
		f.arm(g.service, program.SlowMotionPoint+"=delay,delay="+hold.String())
	}
	defer func() {
		if err := f.lab.ClearFaults(context.WithoutCancel(t.Context())); err != nil {
			t.Error(err)
		}
	}()
	no := f.placeAndPay("alice", http.StatusOK)
	w := committed(no, "alice")
	for _, g := range paidGroups {
		chain := []string{brokerStored, delivered(1, g.group), step(g.service, "held", "", 1, g.group),
			consumed(g.service, "processed", 1, g.group), acked(1, g.group)}
		w.entries = append(w.entries, chain[1:]...)
		w.chains = append(w.chains, chain)
	}
	f.expect(w)

	at := func(e tlEntry) time.Time {
		ts, err := time.Parse(time.RFC3339Nano, e.At)
		if err != nil {
			t.Fatalf("entry %s: at %q: %v", e, e.At, err)
		}
		return ts
	}
	held := map[string]time.Time{}
	for _, e := range f.adminTimeline(no).paid() {
		switch {
		case e.Step == "held":
			held[e.Group] = at(e)
		case e.Step == "consumed" && e.Outcome == "processed":
			if waited := at(e).Sub(held[e.Group]); waited < hold {
				t.Errorf("%s processed %v after it was held, want at least the %v armed", e.Group, waited, hold)
			}
		}
	}
}

// redeliver has the broker deliver the ORDER_PAID message of orderNo to
// group again (labs.Shop's redeliver, which the package keeps to itself).
func (f *timelineFlows) redeliver(group, orderNo string) error {
	ctx := f.t.Context()
	var out struct {
		Messages []struct {
			OffsetMsgID string `json:"offsetMsgId"`
			Keys        string `json:"keys"`
		} `json:"messages"`
	}
	u := f.shop.BrokerAdmin + "/api/v1/topics/" + contracts.TopicOrderPaid + "/messages?key=" + url.QueryEscape(orderNo)
	if err := f.brokerCall(ctx, http.MethodGet, u, "", &out); err != nil {
		return err
	}
	for _, m := range out.Messages {
		if m.Keys == orderNo {
			body := fmt.Sprintf(`{"msgId":%q}`, m.OffsetMsgID)
			return f.brokerCall(ctx, http.MethodPost, f.shop.BrokerAdmin+"/api/v1/consumer-groups/"+url.PathEscape(group)+"/redeliver", body, nil)
		}
	}
	return fmt.Errorf("no ORDER_PAID message with key %s on the broker", orderNo)
}

func (f *timelineFlows) brokerCall(ctx context.Context, method, u, body string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("X-Admin-Token", f.shop.AdminToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// 6. The logistics consumer fails every delivery: after two redeliveries
// the message is dead-lettered. With the bug fixed, the dead letter is
// replayed to ORDER_PAID: logistics processes it, and every other group,
// which gets it too, consumes a duplicate.
func (f *timelineFlows) deadLetter(t *testing.T) {
	f.arm(contracts.ServiceLogistics, "consume."+gLogistics+"=fail")
	no := f.placeAndPay("bob", http.StatusOK)
	w := committed(no, "bob")
	deliveries(w, gLogistics)
	logistics := func(outcome string, attempt int) string {
		return consumed(contracts.ServiceLogistics, outcome, attempt, gLogistics)
	}
	chain := []string{brokerStored,
		delivered(1, gLogistics), logistics("failed", 1), step("broker", "retry", "", 2, gLogistics),
		delivered(2, gLogistics), logistics("failed", 2), step("broker", "retry", "", 3, gLogistics),
		delivered(3, gLogistics), logistics("dead-lettered", 3), step("broker", "dead-lettered", "", 0, gLogistics)}
	w.entries = append(w.entries, chain[1:]...)
	w.chains = append(w.chains, chain)
	// Each failed attempt is acked too: the client commits the offset of a
	// delivery it sent back.
	for i, outcome := range []string{"failed", "failed", "dead-lettered"} {
		attempt := i + 1
		w.entries = append(w.entries, acked(attempt, gLogistics))
		w.chains = append(w.chains, []string{logistics(outcome, attempt), acked(attempt, gLogistics)})
	}
	f.waitFor(no, w.withoutAcks())

	ctx := t.Context()
	if err := f.lab.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	var dl *labs.DeadLetter
	dls, err := f.lab.DeadLetters(ctx, gLogistics)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dls {
		if d.Keys == no && !d.Replayed {
			dl = &d
		}
	}
	if dl == nil {
		t.Fatalf("no dead letter of %s in %%DLQ%%%s: %+v", no, gLogistics, dls)
	}
	if err := f.lab.Replay(ctx, gLogistics, dl.Offset); err != nil {
		t.Fatal(err)
	}
	// The replay goes to every group of the topic: a second first delivery
	// to each, processed by logistics, a duplicate for the others.
	replayed := step("broker", "replayed", "", 0, gLogistics)
	w.entries = append(w.entries, replayed)
	for _, g := range paidGroups {
		before, outcome := consumed(g.service, "processed", 1, g.group), "duplicate"
		if g.group == gLogistics {
			before, outcome = step("broker", "dead-lettered", "", 0, gLogistics), "processed"
		}
		c := []string{before, replayed, delivered(1, g.group), consumed(g.service, outcome, 1, g.group), acked(1, g.group)}
		w.entries = append(w.entries, c[2:]...)
		w.chains = append(w.chains, c)
	}
	f.expect(w)
}

// settle waits for every flow's acks and checks each flow complete.
func (f *timelineFlows) settle(t *testing.T) {
	for _, w := range f.flows {
		f.check(w, f.waitFor(w.orderNo, w.entries), true)
	}
}

// userTimeline: through a signed-in session, the owner's timeline of an
// order is the admin one; another user's is a 404.
func (f *timelineFlows) userTimeline(t *testing.T) {
	w := f.flows[0]
	owner := newShopper(t, f.shop)
	owner.signIn(w.user)
	other := newShopper(t, f.shop)
	other.signIn(map[string]string{"alice": "bob", "bob": "carol", "carol": "alice"}[w.user])
	path := "/api/timeline/" + url.PathEscape(w.orderNo)
	// Entries may still be coming (the order's timeout message); compare a
	// user read with admin reads on either side that agree.
	var same bool
	for range 10 {
		before := f.adminTimeline(w.orderNo)
		var mine tlDoc
		owner.must(http.StatusOK, "GET", path, nil, &mine)
		after := f.adminTimeline(w.orderNo)
		if !slices.Equal(before.Entries, after.Entries) {
			time.Sleep(500 * time.Millisecond)
			continue
		}
		same = true
		if !slices.Equal(mine.Entries, after.Entries) || mine.Status != after.Status || mine.OrderNo != w.orderNo {
			t.Errorf("the owner's timeline of %s differs from the admin one:\nowner (%s):%s\nadmin (%s):%s",
				w.orderNo, mine.Status, dump(mine.Entries), after.Status, dump(after.Entries))
		}
		break
	}
	if !same {
		t.Errorf("the admin timeline of %s kept changing; the owner's was not compared", w.orderNo)
	}
	if code, body := other.do("GET", path, nil, nil); code != http.StatusNotFound {
		t.Errorf("another user's read of %s's timeline answered %d %s, want 404", w.user, code, body)
	}
	if code, _ := newShopper(t, f.shop).do("GET", path, nil, nil); code != http.StatusUnauthorized {
		t.Errorf("the timeline without a session answered %d, want 401", code)
	}
}
