// The broker page (#/broker) and any order's timeline (#/timeline/{orderNo}),
// both trainer mode: they use the admin token the Trainer page keeps in this
// tab's sessionStorage. The broker page shows what minirmq holds now —
// half messages with their state and check-backs, consumer groups with their
// lag, dead letters with Replay, topics — read through the gateway's
// /api/trainer/broker/... routes every 3 s; each order number links to that
// order's timeline, read with GET /api/admin/timeline/{orderNo}.
import { api, isAbort } from '../api.js';
import { h, heading, errorBox, timeOf } from '../ui.js';
import { savedToken } from './trainer.js';
import { isTokenRefusal } from './trainer-faults.js';
import { halves, groups, deadLetters, topics } from './broker-parts.js';
import { timelinePanel } from './timeline.js';
import { setText } from './progress.js';

const pollMs = 3000;

function locked(what) {
  return h('p', { class: 'notice', 'data-testid': 'broker-locked' },
    `${what} is for trainers: enter the shop’s admin token on the `, h('a', { href: '#/trainer' }, 'Trainer page'),
    ' first (it stays in this tab), then come back.');
}

// sleep waits ms, or rejects with the abort when the page is left.
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new DOMException('left the page', 'AbortError'));
    }, { once: true });
  });
}

function section(testid, title, intro) {
  const body = h('div', { 'data-testid': `${testid}-body` });
  const el = h('section', { class: 'panel', 'aria-labelledby': `${testid}-title`, 'data-testid': testid },
    h('h2', { id: `${testid}-title` }, title), h('p', { class: 'muted' }, intro), body);
  let shown = '';
  // fill redraws the body only when what it shows changed, so a focused
  // button (Replay) is not replaced under the pointer every 3 s.
  const fill = (data, draw) => {
    const key = JSON.stringify(data);
    if (key === shown) return;
    shown = key;
    body.replaceChildren(...[draw(data)].flat().filter(Boolean));
  };
  return { el, fill };
}

/** view is the broker page. */
export async function view(el, ctx) {
  el.append(heading('Broker'), h('p', {},
    'What the message broker (minirmq) holds right now. Select an order number to see its transaction step by step.'));
  const token = savedToken();
  if (!token) {
    el.append(locked('The broker page'));
    return;
  }
  const call = (path, options = {}) => api(`/api/trainer/broker/${path}`, { ...options, signal: ctx.signal, headers: { 'X-Admin-Token': token } });
  const half = section('broker-halves-section', 'Half messages',
    'Sent by a transactional producer and stored, but hidden from consumers until the producer commits (or a check-back finds it committed).');
  const group = section('broker-groups-section', 'Consumer groups',
    'Each service reads each topic as its own group, with its own position; the lag is what it has not consumed yet.');
  const dlq = section('broker-dlq-section', 'Dead letters',
    'Messages a consumer failed on too many times. Replay sends one back to its topic for that group, with a fresh attempt count.');
  const topic = section('broker-topics-section', 'Topics', 'Where messages are stored; retry and dead-letter topics are per consumer group.');
  const checked = h('p', { class: 'muted small', 'data-testid': 'broker-checked', 'aria-live': 'off' });
  const problem = h('div', { 'data-testid': 'broker-problem' });
  const page = h('div', { class: 'broker', 'data-testid': 'broker', 'data-state': 'loading' }, problem,
    half.el, group.el, dlq.el, topic.el, checked);
  el.append(page);

  const replay = async (g, m, button, note) => {
    button.disabled = true;
    setText(note, 'Replaying…');
    try {
      await call(`dead-letters/${encodeURIComponent(g)}/${m.queueOffset}/replay`, { method: 'POST' });
      setText(note, 'Sent back to its topic: watch the order’s timeline.');
      load().catch(() => {});
    } catch (err) {
      if (isAbort(err)) return;
      setText(note, err.status === 409 ? 'Already replayed.' : `Not replayed: ${err.message}`);
      button.disabled = err.status === 409;
    }
  };

  async function load() {
    const [tx, gs, dl, ts] = await Promise.all([call('transactions'), call('consumer-groups'), call('dead-letters'), call('topics')]);
    const letters = await Promise.all((dl.groups || []).filter((g) => g.total > 0).map(async (g) =>
      ({ group: g.group, messages: (await call(`dead-letters/${encodeURIComponent(g.group)}`)).messages || [] })));
    half.fill(tx.transactions || [], halves);
    group.fill(gs.groups || [], groups);
    dlq.fill(letters, (d) => deadLetters(d, replay));
    topic.fill(ts.topics || [], topics);
    setText(checked, `Checked ${timeOf(new Date().toISOString())}; asks again every ${pollMs / 1000} s.`);
  }

  for (;;) {
    try {
      await load();
      problem.replaceChildren();
      page.dataset.state = 'open';
    } catch (err) {
      if (isAbort(err)) return;
      problem.replaceChildren(errorBox(err, 'broker-error'));
      if (isTokenRefusal(err) || err.code === 'BROKER_NOT_AVAILABLE') {
        page.dataset.state = 'refused';
        if (isTokenRefusal(err)) problem.append(locked('The broker page'));
        return;
      }
    }
    try {
      await sleep(pollMs, ctx.signal);
    } catch {
      return; // left the page
    }
  }
}

/** timelineView is any order's timeline, for trainers (#/timeline/{orderNo}). */
export async function timelineView(el, ctx) {
  const [orderNo] = ctx.params;
  el.append(h('p', { class: 'breadcrumb' }, h('a', { href: '#/broker' }, '← Broker')), heading(`Order ${orderNo}: the transaction`));
  const token = savedToken();
  if (!token) {
    el.append(locked('Another shopper’s timeline'));
    return;
  }
  const status = h('p', { 'data-testid': 'admin-timeline-status' });
  const panel = timelinePanel({
    path: `/api/admin/timeline/${encodeURIComponent(orderNo)}`, signal: ctx.signal, headers: { 'X-Admin-Token': token },
    settled: (d) => d.status === 'PAID' || d.status === 'CANCELLED',
    onUpdate: (d) => setText(status, d.status ? `Order status: ${d.status}.` : 'The order service did not say the order’s status.'),
  });
  el.append(h('p', { class: 'muted' }, 'Any shopper’s order, read with the trainer’s token. The shopper’s own order page shows the same timeline.'),
    status, h('div', { class: 'order' }, panel.el));
}
