// The broker page's sections, each drawn from one of minirmq's admin views
// (see the minirmq README for the shapes): half messages, consumer groups,
// dead letters and topics. Order numbers (message keys) link to the order's
// timeline (#/timeline/{orderNo}).
import { h, dateTime } from '../ui.js';

const maxHalves = 30; // the newest; the broker remembers every decided half too

/** orderLinks turns a message's keys (space-separated) into links to their timelines. */
export function orderLinks(keys) {
  const list = (keys || '').split(/\s+/).filter(Boolean);
  if (!list.length) return h('span', { class: 'muted' }, '—');
  return list.flatMap((k, i) => [i ? ' ' : null, orderNumber.test(k)
    ? h('a', { href: `#/timeline/${encodeURIComponent(k)}`, 'data-testid': 'broker-order-link', 'data-order-no': k }, k)
    : k]);
}

// orderNumber is what the order service's numbers look like (RM20261203-…);
// other keys (the launcher's warm-up, the labs' probes) are no orders.
const orderNumber = /^RM\d{8}-[A-Z0-9]+$/;

// table is a table that scrolls sideways on its own on a narrow screen,
// rather than the whole page.
function table(testid, caption, heads, rows) {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'broker-table', 'data-testid': testid },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, heads.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows)));
}

const halfStates = {
  pending: 'pending — consumers cannot see it; waiting for COMMIT or a check-back',
  committed: 'committed — delivered to consumers',
  rolled_back: 'rolled back — discarded',
  discarded: 'discarded after too many check-backs',
};

/** halves is the half-message table: pending first, then the newest. */
export function halves(list) {
  const sorted = [...list].sort((a, b) => (b.state === 'pending') - (a.state === 'pending') || Date.parse(b.bornTime) - Date.parse(a.bornTime));
  const shown = sorted.slice(0, maxHalves);
  if (!shown.length) return h('p', { class: 'muted', 'data-testid': 'broker-halves-empty' }, 'No half message yet: nobody has paid or cancelled an order since the broker started.');
  return [
    table('broker-halves', 'Half messages', ['Order', 'Topic', 'State', 'Check-backs', 'Sent', 'Producer group'],
      shown.map((t) => h('tr', { 'data-testid': 'broker-half', 'data-state': t.state, 'data-check-count': String(t.checkCount) },
        h('td', {}, orderLinks(t.keys)), h('td', {}, t.topic), h('td', {}, halfStates[t.state] || t.state),
        h('td', {}, String(t.checkCount)), h('td', {}, dateTime(t.bornTime)), h('td', {}, t.producerGroup || '')))),
    sorted.length > shown.length ? h('p', { class: 'muted small' }, `The newest ${shown.length} of ${sorted.length}.`) : null,
  ];
}

/** groups is the consumer-group table with each group's lag. */
export function groups(list) {
  if (!list.length) return h('p', { class: 'muted' }, 'No consumer group has connected yet.');
  return table('broker-groups', 'Consumer groups', ['Group', 'Topics', 'Consumers online', 'Lag'],
    [...list].sort((a, b) => a.group.localeCompare(b.group)).map((g) => {
      const topics = [...new Set((g.queues || []).map((q) => q.topic).filter((t) => !t.startsWith('%RETRY%')))];
      return h('tr', { 'data-testid': 'broker-group', 'data-group': g.group, 'data-lag': String(g.lag) },
        h('td', {}, g.group), h('td', {}, topics.join(', ') || '—'), h('td', {}, String((g.members || []).length)),
        h('td', {}, g.lag ? `${g.lag} message${g.lag === 1 ? '' : 's'} waiting` : 'none — caught up'));
    }));
}

/**
 * deadLetters is one table per group holding dead letters, each message
 * with a Replay button; replay(group, message, button, note) sends it.
 */
export function deadLetters(byGroup, replay) {
  const withLetters = byGroup.filter((g) => g.messages.length);
  if (!withLetters.length) return h('p', { class: 'muted', 'data-testid': 'broker-dlq-empty' }, 'No dead letters: every consumer has handled what it was given.');
  return withLetters.map((g) => h('div', { class: 'dlq-group', 'data-testid': 'broker-dlq-group', 'data-group': g.group },
    h('h3', {}, `${g.group} `, h('span', { class: 'muted small' }, `(%DLQ%${g.group})`)),
    table('broker-dlq', `Dead letters of ${g.group}`, ['Order', 'Topic', 'Attempts', 'Stored', 'State', ''],
      g.messages.map((m) => {
        const note = h('span', { class: 'small', role: 'status' });
        const button = h('button', { type: 'button', class: 'secondary', 'data-testid': 'dlq-replay', disabled: m.replayed },
          m.replayed ? 'Replayed' : 'Replay');
        button.addEventListener('click', () => replay(g.group, m, button, note));
        return h('tr', { 'data-testid': 'broker-dead-letter', 'data-offset': String(m.queueOffset), 'data-replayed': String(!!m.replayed) },
          h('td', {}, orderLinks(m.keys)), h('td', {}, m.originalTopic || m.topic), h('td', {}, String((m.reconsumeTimes || 0) + 1)),
          h('td', {}, dateTime(m.storeTime)), h('td', {}, m.replayed ? 'replayed to its topic' : 'waiting for a replay'),
          h('td', {}, button, ' ', note));
      }))));
}

const kindOrder = { normal: 0, retry: 1, dlq: 2, system: 3 };

/** topics is the topic table with how many messages each holds. */
export function topics(list) {
  const sorted = [...list].sort((a, b) => (kindOrder[a.kind] ?? 9) - (kindOrder[b.kind] ?? 9) || a.topic.localeCompare(b.topic));
  return table('broker-topics', 'Topics', ['Topic', 'Kind', 'Queues', 'Messages stored'],
    sorted.map((t) => {
      const stored = (t.queues || []).reduce((n, q) => n + Math.max(0, q.maxOffset - q.minOffset), 0);
      return h('tr', { 'data-testid': 'broker-topic', 'data-topic': t.topic, 'data-kind': t.kind },
        h('td', {}, t.topic), h('td', {}, t.kind), h('td', {}, String((t.queues || []).length)), h('td', {}, String(stored)));
    }));
}
