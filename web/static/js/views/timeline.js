// The order's timeline as a sequence diagram (GET /api/timeline/{orderNo}):
// one row per journaled step in time order, drawn across the lanes order,
// broker, payment, inventory, logistics, points and cart, each row a button
// that opens the step's details. It asks every second until the caller says
// the order has settled and nothing changed for a few seconds. Under 720 px
// the lanes fold away and the rows are a plain vertical list.
import { api, isAbort } from '../api.js';
import { h } from '../ui.js';
import { lanes, describe } from './timeline-words.js';
import { setText } from './progress.js';

const pollMs = 1000;
// Settled needs this long without a change: the brokers' acks follow the
// consumers' work by up to the client's offset-commit interval (5 s).
const quietMs = 8000;
const watchMs = 3 * 60 * 1000; // as the progress panel: stop after 3 minutes, offer to go on

const sourceWords = {
  ok: 'journal read',
  'no journal': 'no journal',
  unreachable: 'unreachable',
  'not available on this broker': 'not available on this broker',
};
const toneSigns = { ok: ['✓', 'went as planned'], warn: ['!', 'needs another try or a check'], bad: ['✕', 'failed or undone'], info: ['•', ''] };

/**
 * timelinePanel is the timeline section. path is the timeline's URL,
 * headers extra request headers (the admin variant's token), settled(doc)
 * tells whether the order will change no more by itself; onUpdate(doc), when
 * given, hears every answer. Returns {el, kick}:
 * kick restarts the polling after the page changed something (pay, cancel).
 */
export function timelinePanel({ path, signal, headers, settled, onUpdate }) {
  const list = h('ol', { class: 'seq-rows', 'aria-labelledby': 'timeline-title', 'data-testid': 'timeline-rows' });
  const empty = h('p', { class: 'muted', 'data-testid': 'timeline-empty', hidden: true },
    'Nothing has happened to this order’s messages yet.');
  const sources = h('ul', { class: 'timeline-sources', 'data-testid': 'timeline-sources' });
  const noJournals = h('p', { class: 'notice', 'data-testid': 'timeline-no-journals', hidden: true },
    'No program keeps a journal in this version of the shop, so only the order’s own status changes show here.');
  const status = h('p', { class: 'muted small', 'data-testid': 'timeline-status', 'aria-live': 'polite' });
  const keepWatching = h('button', { type: 'button', class: 'secondary', 'data-testid': 'timeline-keep-watching', hidden: true }, 'Keep watching');
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'timeline-error', hidden: true });
  const el = h('section', { class: 'panel timeline', 'aria-labelledby': 'timeline-title', 'data-testid': 'timeline', 'data-state': 'loading', 'data-entries': '0' },
    h('h2', { id: 'timeline-title' }, 'The transaction, step by step'),
    h('p', { class: 'muted' }, 'Every step every program recorded about this order’s messages, in time order. Select a step for its details.'),
    legend(),
    h('div', { class: 'seq' }, header(), list), empty, noJournals,
    h('h3', {}, 'Where this comes from'), sources,
    h('p', { class: 'muted small' }, 'Trainers: the ', h('a', { href: '#/broker', 'data-testid': 'timeline-broker-link' }, 'broker page'),
      ' shows what the broker holds now: half messages, consumer groups and their lag, dead letters.'),
    status, keepWatching, error);

  const rows = new Map(); // entry key → <li>, so open rows stay open across polls
  let doc = null;
  let timer = null;
  let asking = false;
  let started = Date.now();
  let lastChange = Date.now();
  let shownKeys = '';
  let drawn = false;

  function render(d) {
    const keys = keysOf(d.entries);
    if (keys.join('\n') !== shownKeys) lastChange = Date.now();
    shownKeys = keys.join('\n');
    const t0 = d.entries.length ? Date.parse(d.entries[0].at) : NaN;
    const wanted = new Set(keys);
    for (const [k, li] of rows) {
      if (!wanted.has(k)) {
        li.remove();
        rows.delete(k);
      }
    }
    keys.forEach((k, i) => {
      let li = rows.get(k);
      if (!li) {
        li = entryRow(d.entries[i]);
        if (drawn) flash(li);
        rows.set(k, li);
      }
      const off = Date.parse(d.entries[i].at) - t0;
      setText(li.querySelector('.seq-offset'), Number.isFinite(off) ? `+${(off / 1000).toFixed(3)} s` : '');
      if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
    });
    drawn = true;
    el.dataset.entries = String(d.entries.length);
    empty.hidden = d.entries.length > 0;
    const ok = d.sources.filter((s) => s.state === 'ok').length;
    el.dataset.journals = String(ok);
    noJournals.hidden = ok > 0 || !d.sources.every((s) => s.state === 'no journal' || s.state === 'not available on this broker');
    sources.replaceChildren(...d.sources.map((s) => h('li', { 'data-testid': 'timeline-source', 'data-source': s.source, 'data-state': s.state },
      h('strong', {}, s.source), `: ${sourceWords[s.state] || s.state}`,
      s.state !== 'ok' && s.detail ? h('span', { class: 'muted' }, ` — ${s.detail}`) : null,
      s.retention ? h('span', { class: 'muted' }, ` · keeps ${s.retention}`) : null)));
  }

  function setState(state, text) {
    el.dataset.state = state;
    setText(status, text);
    keepWatching.hidden = state !== 'paused';
  }

  async function poll() {
    timer = null;
    asking = true;
    try {
      doc = await api(path, { signal, headers });
      render(doc);
      if (onUpdate) onUpdate(doc);
      error.hidden = true;
    } catch (err) {
      if (isAbort(err)) return;
      setText(error, `The timeline is unavailable right now (${err.message}).`);
      error.hidden = false;
      if ([401, 403, 404].includes(err.status)) {
        setState('error', '');
        return;
      }
    } finally {
      asking = false;
    }
    schedule();
  }

  function schedule() {
    if (signal.aborted || timer || asking) return;
    const quiet = Date.now() - lastChange;
    if (doc && settled(doc) && quiet >= quietMs) {
      setState('settled', `Complete: nothing has changed for ${Math.round(quiet / 1000)} s and the order is settled.`);
      return;
    }
    if (Date.now() - started > watchMs) {
      setState('paused', 'Stopped asking after 3 minutes.');
      return;
    }
    setState('live', 'Live: asking every second…');
    timer = setTimeout(poll, pollMs);
  }

  function kick() {
    started = Date.now();
    lastChange = Date.now();
    if (!timer && !asking) poll();
  }

  keepWatching.addEventListener('click', kick);
  signal.addEventListener('abort', () => clearTimeout(timer));
  poll();
  return { el, kick };
}

// flash marks a row that just arrived for a moment. The class goes by timer,
// not animationend: a row moved later must not flash again, and a tab that
// draws no frames (hidden, headless) must not keep it.
function flash(li) {
  li.classList.add('fresh');
  setTimeout(() => li.classList.remove('fresh'), 2000);
}

// keysOf names each entry by its content, numbering identical ones, so a
// row keeps its element (and its open details) however the list grows.
function keysOf(entries) {
  const seen = new Map();
  return entries.map((e) => {
    const k = [e.at, e.actor, e.instance, e.step, e.msgId, e.txId, e.group, e.attempt, e.outcome, e.detail].join('|');
    const n = (seen.get(k) || 0) + 1;
    seen.set(k, n);
    return `${k}#${n}`;
  });
}

function header() {
  return h('div', { class: 'seq-head', 'aria-hidden': 'true' },
    h('span', { class: 'seq-time' }, 'Time'),
    h('span', { class: 'seq-lanes' }, lanes.map((l) => h('span', { class: 'lane-name' }, l))),
    h('span', { class: 'seq-text' }, 'What happened'));
}

function legend() {
  return h('div', { class: 'legend', 'data-testid': 'timeline-legend' },
    h('h3', { class: 'visually-hidden' }, 'How to read the timeline'),
    h('ul', {},
      h('li', {}, h('span', { class: 'legend-arrow', 'aria-hidden': 'true' }), 'An arrow: a message or an answer from one program to another (“order → broker”).'),
      h('li', {}, h('span', { class: 'legend-dot', 'aria-hidden': 'true' }), 'A dot: a step inside one program (a local transaction, a message stored).'),
      h('li', {}, h('span', { class: 'sign tone-ok', 'aria-hidden': 'true' }, '✓'), 'went as planned · ',
        h('span', { class: 'sign tone-warn', 'aria-hidden': 'true' }, '!'), 'a retry, a duplicate or a check-back · ',
        h('span', { class: 'sign tone-bad', 'aria-hidden': 'true' }, '✕'), 'rolled back, failed or dead-lettered. Every row says it in words too.'),
      h('li', {}, 'A half message is stored by the broker but hidden from consumers until the order service commits; if the broker does not hear, it checks back.')));
}

const detailFields = [['Step', 'step'], ['By', 'actor'], ['Instance', 'instance'], ['At', 'at'], ['Topic', 'topic'],
  ['Message id', 'msgId'], ['Transaction id', 'txId'], ['Group', 'group'], ['Attempt', 'attempt'], ['Outcome', 'outcome'],
  ['Detail', 'detail'], ['Key', 'key']];

let rowIds = 0; // ids for aria-controls, unique on the page

function entryRow(e) {
  const d = describe(e);
  const id = `timeline-step-${++rowIds}`;
  const [sign, signWords] = toneSigns[d.tone] || toneSigns.info;
  const who = d.from && d.to ? `${d.from} → ${d.to}` : (d.from || e.actor || '');
  const toggle = h('button', { type: 'button', class: 'seq-summary', 'aria-expanded': 'false', 'aria-controls': id, 'data-testid': 'timeline-entry-toggle' },
    h('span', { class: 'seq-time' }, h('time', { datetime: e.at }, clock(e.at)), ' ', h('span', { class: 'seq-offset muted' })),
    strip(d),
    h('span', { class: 'seq-text' },
      h('span', { class: `sign tone-${d.tone}`, 'aria-hidden': 'true' }, sign),
      signWords ? h('span', { class: 'visually-hidden' }, `${signWords}: `) : null,
      h('span', { class: 'seq-who' }, who), ' ', h('span', { class: 'seq-words' }, d.text)));
  const details = h('dl', { id, class: 'seq-details', 'data-testid': 'timeline-entry-details', hidden: true },
    detailFields.filter(([, f]) => e[f] !== undefined && e[f] !== '' && e[f] !== 0)
      .map(([label, f]) => h('div', {}, h('dt', {}, label), h('dd', {}, String(e[f])))));
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    details.hidden = !open;
  });
  return h('li', {
    class: `seq-row tone-${d.tone}`, 'data-testid': 'timeline-entry', 'data-step': e.step, 'data-actor': e.actor,
    'data-outcome': e.outcome || '', 'data-attempt': e.attempt || '', 'data-group': e.group || '',
    'data-from': d.from || '', 'data-to': d.to || '',
  }, toggle, details);
}

// strip draws the row's lanes with its arrow or dot. Grid placement goes
// through CSSOM: the page's Content-Security-Policy refuses style attributes.
function strip(d) {
  const el = h('span', { class: 'seq-lanes', 'aria-hidden': 'true' }, lanes.map(() => h('span', { class: 'lane-line' })));
  const from = lanes.indexOf(d.from);
  const to = lanes.indexOf(d.to);
  if (from >= 0 && to >= 0 && from !== to) {
    const [a, b] = from < to ? [from, to] : [to, from];
    const arrow = h('span', { class: `seq-arrow ${from < to ? 'right' : 'left'}` });
    arrow.style.gridColumn = `${a + 1} / ${b + 2}`;
    arrow.style.setProperty('--span', String(b - a + 1));
    el.append(arrow);
  } else if (from >= 0) {
    const dot = h('span', { class: 'seq-dot' });
    dot.style.gridColumn = String(from + 1);
    el.append(dot);
  }
  return el;
}

// clock is the time of day with milliseconds: steps land milliseconds apart.
function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '';
  return `${d.toLocaleTimeString('en-US', { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}
