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
import { t, tx, statusName } from '../i18n.js';

const pollMs = 3000;

// locked says the page (whatKey names it) needs the Trainer page's token first.
function locked(whatKey) {
  return h('p', { class: 'notice', 'data-testid': 'broker-locked' },
    ...tx('broker.locked', { what: t(whatKey), link: h('a', { href: '#/trainer' }, t('footer.trainer')) }));
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
  el.append(heading(t('broker.title')), h('p', {}, t('broker.intro')));
  const token = savedToken();
  if (!token) {
    el.append(locked('broker.thePage'));
    return;
  }
  const call = (path, options = {}) => api(`/api/trainer/broker/${path}`, { ...options, signal: ctx.signal, headers: { 'X-Admin-Token': token } });
  const half = section('broker-halves-section', t('broker.halves'), t('broker.halvesIntro'));
  const group = section('broker-groups-section', t('broker.groups'), t('broker.groupsIntro'));
  const dlq = section('broker-dlq-section', t('broker.dlq'), t('broker.dlqIntro'));
  const topic = section('broker-topics-section', t('broker.topics'), t('broker.topicsIntro'));
  const checked = h('p', { class: 'muted small', 'data-testid': 'broker-checked', 'aria-live': 'off' });
  const problem = h('div', { 'data-testid': 'broker-problem' });
  const page = h('div', { class: 'broker', 'data-testid': 'broker', 'data-state': 'loading' }, problem,
    half.el, group.el, dlq.el, topic.el, checked);
  el.append(page);

  const replay = async (g, m, button, note) => {
    button.disabled = true;
    setText(note, t('broker.replaying'));
    try {
      await call(`dead-letters/${encodeURIComponent(g)}/${m.queueOffset}/replay`, { method: 'POST' });
      setText(note, t('broker.replayed'));
      load().catch(() => {});
    } catch (err) {
      if (isAbort(err)) return;
      setText(note, err.status === 409 ? t('broker.alreadyReplayed') : t('broker.notReplayed', { message: err.message }));
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
    setText(checked, t('broker.checked', { time: timeOf(new Date().toISOString()), n: pollMs / 1000 }));
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
        if (isTokenRefusal(err)) problem.append(locked('broker.thePage'));
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
  el.append(h('p', { class: 'breadcrumb' }, h('a', { href: '#/broker' }, t('broker.back'))), heading(t('broker.timelineTitle', { orderNo })));
  const token = savedToken();
  if (!token) {
    el.append(locked('broker.otherTimeline'));
    return;
  }
  const status = h('p', { 'data-testid': 'admin-timeline-status' });
  const panel = timelinePanel({
    path: `/api/admin/timeline/${encodeURIComponent(orderNo)}`, signal: ctx.signal, headers: { 'X-Admin-Token': token },
    settled: (d) => d.status === 'PAID' || d.status === 'CANCELLED',
    onUpdate: (d) => setText(status, d.status ? t('broker.orderStatus', { status: statusName(d.status), code: d.status }) : t('broker.noStatus')),
  });
  el.append(h('p', { class: 'muted' }, t('broker.anyOrder')),
    status, h('div', { class: 'order' }, panel.el));
}
