package labs

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
	"github.com/rocketmart/rocketmart/services/audit"
	"github.com/rocketmart/rocketmart/services/contracts"
)

// Control starts and stops the shop's programs (the launcher's supervisor
// in the embedded run).
type Control interface {
	StopProgram(name string) error
	StartProgram(ctx context.Context, name string) error
}

// Shop is a running shop as a lab drives it: each service's admin and user
// API (a lab acts as the demo users, with X-User-ID, the way Swagger does),
// the broker's admin API, the logs.
type Shop struct {
	// URL is each service's base URL by name; launcher.SecondOrder's too
	// when a second order instance runs.
	URL         map[string]string
	BrokerAdmin string
	AdminToken  string
	// LogDir holds <program>.log (the launcher's layout); empty skips the
	// checks that read logs.
	LogDir string
	// Control, when set, lets a lab stop and start programs.
	Control Control
	// Wait bounds every wait for something to happen; 0 means 60 s.
	Wait time.Duration

	http *http.Client
}

func (s *Shop) wait() time.Duration {
	if s.Wait > 0 {
		return s.Wait
	}
	return 60 * time.Second
}

func (s *Shop) client() *http.Client {
	if s.http == nil {
		s.http = &http.Client{Timeout: 40 * time.Second}
	}
	return s.http
}

// programs are the programs that have fault switches, the broker last.
func (s *Shop) programs() []string {
	ps := append(contracts.ServiceNames(), "minirmq")
	if _, ok := s.URL[contracts.ServiceOrder+"-2"]; ok {
		ps = append(ps, contracts.ServiceOrder+"-2")
	}
	return ps
}

// faultsURL is program's fault API.
func (s *Shop) faultsURL(program string) (string, error) {
	if program == "minirmq" {
		return s.BrokerAdmin + "/api/v1/faults", nil
	}
	base, ok := s.URL[program]
	if !ok {
		return "", fmt.Errorf("no program %q in this shop", program)
	}
	return base + "/api/v1/admin/faults", nil
}

// Arm arms a fault on program, written as in <PREFIX>_FAULTS:
// "pay.after-half=crash,count=1".
func (s *Shop) Arm(ctx context.Context, program, fault string) error {
	body, err := armBody(fault)
	if err != nil {
		return err
	}
	u, err := s.faultsURL(program)
	if err != nil {
		return err
	}
	status, out, err := s.do(ctx, http.MethodPost, u, "", body)
	if err != nil {
		return err
	}
	if status != http.StatusCreated {
		return fmt.Errorf("arm %s on %s: %d %s", fault, program, status, out)
	}
	return nil
}

// armOrders arms fault on every order instance: the broker sends a
// check-back to any live member of the producer group.
func (s *Shop) armOrders(ctx context.Context, fault string) error {
	for _, p := range []string{contracts.ServiceOrder, contracts.ServiceOrder + "-2"} {
		if _, ok := s.URL[p]; !ok {
			continue
		}
		if err := s.Arm(ctx, p, fault); err != nil {
			return err
		}
	}
	return nil
}

// armBody turns "point=action,count=N,…" into the fault API's JSON.
func armBody(fault string) (map[string]any, error) {
	fields := strings.Split(fault, ",")
	point, action, ok := strings.Cut(fields[0], "=")
	if !ok {
		return nil, fmt.Errorf("fault %q: want point=action", fault)
	}
	body := map[string]any{"point": point, "action": action}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		if k == "count" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("fault %q: %w", fault, err)
			}
			body[k] = n
			continue
		}
		body[k] = v
	}
	return body, nil
}

// ClearFaults clears every program's faults. A program that does not answer
// is an error: a lab must not run with faults it cannot see.
func (s *Shop) ClearFaults(ctx context.Context) error {
	var errs []error
	for _, p := range s.programs() {
		u, err := s.faultsURL(p)
		if err != nil {
			continue
		}
		status, out, err := s.do(ctx, http.MethodDelete, u, "", nil)
		if err == nil && status != http.StatusNoContent {
			err = fmt.Errorf("%d %s", status, out)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("clear the faults of %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

// do sends one request with the admin token (and X-User-ID when user is
// set) and returns the status and body.
func (s *Shop) do(ctx context.Context, method, u, user string, in any, headers ...string) (int, []byte, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Admin-Token", s.AdminToken)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("X-User-ID", user)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	return resp.StatusCode, out, err
}

// getJSON reads a JSON answer that must be 200.
func (s *Shop) getJSON(ctx context.Context, u string, out any) error {
	status, body, err := s.do(ctx, http.MethodGet, u, "", nil)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", u, status, body)
	}
	return json.Unmarshal(body, out)
}

// Line is one order line.
type Line struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

var labAddress = map[string]string{"name": "Workshop Attendee", "line1": "1 Lab Street", "city": "Springfield", "postalCode": "12345", "country": "US"}

// Place places an order for user and returns its number.
func (s *Shop) Place(ctx context.Context, user string, lines ...Line) (string, error) {
	status, body, err := s.do(ctx, http.MethodPost, s.URL[contracts.ServiceOrder]+"/api/v1/orders", user,
		map[string]any{"lines": lines, "address": labAddress}, "Idempotency-Key", "lab-"+rand.Text())
	if err != nil {
		return "", err
	}
	if status != http.StatusCreated {
		return "", &APIError{Status: status, Body: string(body)}
	}
	var o struct {
		OrderNo string `json:"orderNo"`
	}
	return o.OrderNo, json.Unmarshal(body, &o)
}

// APIError is an answer that was not the one a step needed.
type APIError struct {
	Status int
	Body   string
}

func (e *APIError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Body) }

// Pay asks the order service to pay orderNo as user and returns the status
// and body of its answer; err is a transport failure (the order service
// died while paying, say).
func (s *Shop) Pay(ctx context.Context, user, orderNo string) (int, string, error) {
	return s.orderPost(ctx, user, orderNo, "pay")
}

// Cancel cancels orderNo as user.
func (s *Shop) Cancel(ctx context.Context, user, orderNo string) (int, string, error) {
	return s.orderPost(ctx, user, orderNo, "cancel")
}

func (s *Shop) orderPost(ctx context.Context, user, orderNo, what string) (int, string, error) {
	status, body, err := s.do(ctx, http.MethodPost, s.URL[contracts.ServiceOrder]+"/api/v1/orders/"+url.PathEscape(orderNo)+"/"+what, user, nil)
	return status, string(body), err
}

// Order is an order as the admin API shows it.
type Order struct {
	OrderNo    string `json:"orderNo"`
	Status     string `json:"status"`
	TotalCents int64  `json:"totalCents"`
}

// Order reads orderNo.
func (s *Shop) Order(ctx context.Context, orderNo string) (Order, error) {
	var o Order
	err := s.getJSON(ctx, s.URL[contracts.ServiceOrder]+"/api/v1/admin/orders/"+url.PathEscape(orderNo), &o)
	return o, err
}

// Half is a half message as minirmq shows it.
type Half struct {
	TransactionID string `json:"transactionId"`
	Topic         string `json:"topic"`
	Keys          string `json:"keys"`
	State         string `json:"state"`
	CheckCount    int    `json:"checkCount"`
}

// Halves lists the half messages whose key is key (an order number).
func (s *Shop) Halves(ctx context.Context, key string) ([]Half, error) {
	var out struct {
		Transactions []Half `json:"transactions"`
	}
	if err := s.getJSON(ctx, s.BrokerAdmin+"/api/v1/transactions", &out); err != nil {
		return nil, err
	}
	var hs []Half
	for _, h := range out.Transactions {
		if h.Keys == key {
			hs = append(hs, h)
		}
	}
	return hs, nil
}

// Deliveries is how many deliveries of group's consumer in service ended
// with outcome (processed, duplicate, failed, …), from its /metrics.
func (s *Shop) Deliveries(ctx context.Context, service, group, outcome string) (int, error) {
	status, body, err := s.do(ctx, http.MethodGet, s.URL[service]+"/metrics", "", nil)
	if err != nil {
		return 0, err
	}
	if status != http.StatusOK {
		return 0, fmt.Errorf("%s /metrics: %d", service, status)
	}
	total := 0
	for line := range strings.SplitSeq(string(body), "\n") {
		if !strings.HasPrefix(line, "rocketmart_consumer_deliveries_total{") ||
			!strings.Contains(line, `group="`+group+`"`) || !strings.Contains(line, `outcome="`+outcome+`"`) {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, fmt.Errorf("%s /metrics: %q: %w", service, line, err)
		}
		total += int(v)
	}
	return total, nil
}

// PointsBalance is user's points balance and the sum of their ledger, as
// the points service's admin view reads them together.
func (s *Shop) PointsBalance(ctx context.Context, user string) (balance, ledger int64, err error) {
	var out struct {
		Accounts []struct {
			UserID    string `json:"userId"`
			Balance   int64  `json:"balance"`
			LedgerSum int64  `json:"ledgerSum"`
		} `json:"accounts"`
	}
	if err := s.getJSON(ctx, s.URL[contracts.ServicePoints]+"/api/v1/admin/points/accounts", &out); err != nil {
		return 0, 0, err
	}
	for _, a := range out.Accounts {
		if a.UserID == user {
			return a.Balance, a.LedgerSum, nil
		}
	}
	return 0, 0, nil
}

// Available is the available stock of sku.
func (s *Shop) Available(ctx context.Context, sku string) (int, error) {
	var out struct {
		Stock []struct {
			SKU       string `json:"sku"`
			Available int    `json:"available"`
		} `json:"stock"`
	}
	if err := s.getJSON(ctx, s.URL[contracts.ServiceInventory]+"/api/v1/admin/stock", &out); err != nil {
		return 0, err
	}
	for _, st := range out.Stock {
		if st.SKU == sku {
			return st.Available, nil
		}
	}
	return 0, fmt.Errorf("no stock row for %s", sku)
}

// DeadLetter is a dead-lettered message.
type DeadLetter struct {
	Offset   int64  `json:"queueOffset"`
	Keys     string `json:"keys"`
	Replayed bool   `json:"replayed"`
}

// DeadLetters lists group's dead-letter queue.
func (s *Shop) DeadLetters(ctx context.Context, group string) ([]DeadLetter, error) {
	var out struct {
		Messages []DeadLetter `json:"messages"`
	}
	err := s.getJSON(ctx, s.BrokerAdmin+"/api/v1/dead-letters/"+url.PathEscape(group), &out)
	return out.Messages, err
}

// Replay re-publishes a dead letter to its topic.
func (s *Shop) Replay(ctx context.Context, group string, offset int64) error {
	status, body, err := s.do(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/dead-letters/%s/%d/replay", s.BrokerAdmin, url.PathEscape(group), offset), "", nil)
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("replay: %d %s", status, body)
	}
	return nil
}

// LogLines are the lines of program's log that contain every one of subs.
func (s *Shop) LogLines(program string, subs ...string) []string {
	if s.LogDir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(s.LogDir, program+".log"))
	if err != nil {
		return nil
	}
	var out []string
	for line := range strings.SplitSeq(string(b), "\n") {
		all := true
		for _, sub := range subs {
			all = all && strings.Contains(line, sub)
		}
		if all {
			out = append(out, line)
		}
	}
	return out
}

// Eventually polls cond until it holds or the shop's wait passes; it
// reports whether it held.
func (s *Shop) Eventually(ctx context.Context, cond func() bool) bool {
	deadline := time.Now().Add(s.wait())
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
}

// auditResult is what a lab compares before and after.
type auditResult struct {
	violations map[string]finding // "invariant N: subject" → what the audit found
	checked    int
}

// finding is one audit violation as the audit wrote it, in English and in
// Chinese (services/audit's zh.go): the audit's words, not the lab's, so
// not a Text.
type finding struct{ en, zh string }

func (f finding) in(lang launcher.Lang) string {
	if lang == launcher.Chinese {
		return f.zh
	}
	return f.en
}

// Audit runs the shop's audit after waiting for quiescence.
func (s *Shop) Audit(ctx context.Context) (auditResult, error) {
	urls := map[string]string{}
	for _, name := range contracts.ServiceNames() {
		urls[name] = s.URL[name]
	}
	rep, err := audit.Run(ctx, audit.Config{URLs: urls, BrokerAdminURL: s.BrokerAdmin, AdminToken: s.AdminToken, Quiescence: s.wait()})
	if err != nil {
		return auditResult{}, fmt.Errorf("audit: %w", err)
	}
	res := auditResult{violations: map[string]finding{}}
	for _, inv := range rep.Invariants {
		res.checked += inv.Checked
		for _, v := range inv.Violations {
			subjectZh, detailZh := cmp.Or(v.SubjectZh, v.Subject), cmp.Or(v.DetailZh, v.Detail)
			res.violations[fmt.Sprintf("invariant %d: %s", inv.ID, v.Subject)] = finding{
				en: fmt.Sprintf("invariant %d: %s: %s", inv.ID, v.Subject, v.Detail),
				zh: fmt.Sprintf("不变量 %d：%s：%s", inv.ID, subjectZh, detailZh),
			}
		}
	}
	return res, nil
}

// newSince lists, in lang, the violations that were not there before (the
// same invariant and subject), and counts the ones that were.
func (a auditResult) newSince(before auditResult, lang launcher.Lang) (fresh []string, old int) {
	for key, f := range a.violations {
		if _, ok := before.violations[key]; ok {
			old++
			continue
		}
		fresh = append(fresh, f.in(lang))
	}
	return fresh, old
}

// ready reports whether program answers /readyz with 200.
func (s *Shop) ready(ctx context.Context, program string) bool {
	status, _, err := s.do(ctx, http.MethodGet, s.URL[program]+"/readyz", "", nil)
	return err == nil && status == http.StatusOK
}

// redeliver has the broker deliver the message of topic with key to group
// again, as after a lost acknowledgement.
func (s *Shop) redeliver(ctx context.Context, group, topic, key string) error {
	var out struct {
		Messages []struct {
			OffsetMsgID string `json:"offsetMsgId"`
			Keys        string `json:"keys"`
		} `json:"messages"`
	}
	if err := s.getJSON(ctx, s.BrokerAdmin+"/api/v1/topics/"+url.PathEscape(topic)+"/messages?key="+url.QueryEscape(key), &out); err != nil {
		return err
	}
	for _, m := range out.Messages {
		if m.Keys == key {
			status, body, err := s.do(ctx, http.MethodPost, s.BrokerAdmin+"/api/v1/consumer-groups/"+url.PathEscape(group)+"/redeliver", "",
				map[string]string{"msgId": m.OffsetMsgID})
			if err != nil {
				return err
			}
			if status/100 != 2 {
				return fmt.Errorf("redeliver %s to %s: %d %s", m.OffsetMsgID, group, status, body)
			}
			return nil
		}
	}
	return fmt.Errorf("no %s message with key %s on the broker", topic, key)
}

// shipped reports whether logistics has a shipment for orderNo.
func shipped(ctx context.Context, s *Shop, orderNo string) bool {
	status, _, err := s.do(ctx, http.MethodGet, s.URL[contracts.ServiceLogistics]+"/api/v1/admin/shipments/"+url.PathEscape(orderNo), "", nil)
	return err == nil && status == http.StatusOK
}

// labUsers are the demo users the labs buy as.
var labUsers = []string{"alice", "bob", "carol"}

// Fund tops up every lab user's wallet, so a lab's payments are never
// declined for want of money after many runs.
func (s *Shop) Fund(ctx context.Context) error {
	for _, user := range labUsers {
		status, body, err := s.do(ctx, http.MethodPost, s.URL[contracts.ServicePayment]+"/api/v1/wallet/top-ups", user,
			map[string]int64{"amountCents": 100_000}, "Idempotency-Key", "lab-"+rand.Text())
		if err != nil {
			return fmt.Errorf("top up %s: %w", user, err)
		}
		if status/100 != 2 {
			return fmt.Errorf("top up %s: %d %s", user, status, body)
		}
	}
	return nil
}
