// The broker page's sections, each drawn from one of minirmq's admin views
// (see the minirmq README for the shapes): half messages, consumer groups,
// dead letters and topics. Order numbers (message keys) link to the order's
// timeline (#/timeline/{orderNo}).
import { h, dateTime } from '../ui.js';
import { t } from '../i18n.js';

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

// halfStates are the half-message states minirmq names (broker.half.<state> in the catalogue).
const halfStates = ['pending', 'committed', 'rolled_back', 'discarded'];

/** halves is the half-message table: pending first, then the newest. */
export function halves(list) {
  const sorted = [...list].sort((a, b) => (b.state === 'pending') - (a.state === 'pending') || Date.parse(b.bornTime) - Date.parse(a.bornTime));
  const shown = sorted.slice(0, maxHalves);
  if (!shown.length) return h('p', { class: 'muted', 'data-testid': 'broker-halves-empty' }, t('broker.noHalves'));
  return [
    table('broker-halves', t('broker.halves'), ['orders.order', 'tl.field.topic', 'broker.col.state', 'broker.col.checks', 'broker.col.sent', 'broker.col.producerGroup'].map((k) => t(k)),
      shown.map((x) => h('tr', { 'data-testid': 'broker-half', 'data-state': x.state, 'data-check-count': String(x.checkCount) },
        h('td', {}, orderLinks(x.keys)), h('td', {}, x.topic), h('td', {}, halfStates.includes(x.state) ? t(`broker.half.${x.state}`) : x.state),
        h('td', {}, String(x.checkCount)), h('td', {}, dateTime(x.bornTime)), h('td', {}, x.producerGroup || '')))),
    sorted.length > shown.length ? h('p', { class: 'muted small' }, t('broker.newest', { n: shown.length, total: sorted.length })) : null,
  ];
}

/** groups is the consumer-group table with each group's lag. */
export function groups(list) {
  if (!list.length) return h('p', { class: 'muted' }, t('broker.noGroups'));
  return table('broker-groups', t('broker.groups'), ['tl.field.group', 'broker.topics', 'broker.col.online', 'broker.col.lag'].map((k) => t(k)),
    [...list].sort((a, b) => a.group.localeCompare(b.group)).map((g) => {
      const topics = [...new Set((g.queues || []).map((q) => q.topic).filter((name) => !name.startsWith('%RETRY%')))];
      return h('tr', { 'data-testid': 'broker-group', 'data-group': g.group, 'data-lag': String(g.lag) },
        h('td', {}, g.group), h('td', {}, topics.join(', ') || '—'), h('td', {}, String((g.members || []).length)),
        h('td', {}, g.lag ? t('broker.lag', { n: g.lag }) : t('broker.caughtUp')));
    }));
}

/**
 * deadLetters is one table per group holding dead letters, each message
 * with a Replay button; replay(group, message, button, note) sends it.
 */
export function deadLetters(byGroup, replay) {
  const withLetters = byGroup.filter((g) => g.messages.length);
  if (!withLetters.length) return h('p', { class: 'muted', 'data-testid': 'broker-dlq-empty' }, t('broker.noDlq'));
  return withLetters.map((g) => h('div', { class: 'dlq-group', 'data-testid': 'broker-dlq-group', 'data-group': g.group },
    h('h3', {}, `${g.group} `, h('span', { class: 'muted small' }, t('broker.dlqTopic', { group: g.group }))),
    table('broker-dlq', t('broker.dlqOf', { group: g.group }), [t('orders.order'), t('tl.field.topic'), t('broker.col.attempts'), t('broker.col.stored'), t('broker.col.state'), ''],
      g.messages.map((m) => {
        const note = h('span', { class: 'small', role: 'status' });
        const button = h('button', { type: 'button', class: 'secondary', 'data-testid': 'dlq-replay', disabled: m.replayed },
          m.replayed ? t('broker.replayedButton') : t('broker.replay'));
        button.addEventListener('click', () => replay(g.group, m, button, note));
        return h('tr', { 'data-testid': 'broker-dead-letter', 'data-offset': String(m.queueOffset), 'data-replayed': String(!!m.replayed) },
          h('td', {}, orderLinks(m.keys)), h('td', {}, m.originalTopic || m.topic), h('td', {}, String((m.reconsumeTimes || 0) + 1)),
          h('td', {}, dateTime(m.storeTime)), h('td', {}, m.replayed ? t('broker.replayedState') : t('broker.waitingState')),
          h('td', {}, button, ' ', note));
      }))));
}

const kindOrder = { normal: 0, retry: 1, dlq: 2, system: 3 };
const topicKinds = Object.keys(kindOrder); // broker.kind.<kind> in the catalogue

/** topics is the topic table with how many messages each holds. */
export function topics(list) {
  const sorted = [...list].sort((a, b) => (kindOrder[a.kind] ?? 9) - (kindOrder[b.kind] ?? 9) || a.topic.localeCompare(b.topic));
  return table('broker-topics', t('broker.topics'), ['tl.field.topic', 'broker.col.kind', 'broker.col.queues', 'broker.col.messages'].map((k) => t(k)),
    sorted.map((x) => {
      const stored = (x.queues || []).reduce((n, q) => n + Math.max(0, q.maxOffset - q.minOffset), 0);
      return h('tr', { 'data-testid': 'broker-topic', 'data-topic': x.topic, 'data-kind': x.kind },
        h('td', {}, x.topic), h('td', {}, topicKinds.includes(x.kind) ? t(`broker.kind.${x.kind}`) : x.kind), h('td', {}, String((x.queues || []).length)), h('td', {}, String(stored)));
    }));
}
