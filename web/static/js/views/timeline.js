// The order's timeline as a sequence diagram (GET /api/timeline/{orderNo}):
// one row per journaled step in time order, drawn across the lanes order,
// broker, payment, inventory, logistics, points and cart, each row a button
// that opens the step's details. It asks every second until the caller says
// the order has settled and nothing changed for a few seconds. Under 720 px
// the lanes fold away and the rows are a plain vertical list.
import { api, isAbort } from '../api.js';
import { h, number } from '../ui.js';
import { t, tx, locale } from '../i18n.js';
import { lanes, describe } from './timeline-words.js';
import { setText } from './progress.js';

const pollMs = 1000;
// Settled needs this long without a change: the brokers' acks follow the
// consumers' work by up to the client's offset-commit interval (5 s).
const quietMs = 8000;
const watchMs = 3 * 60 * 1000; // as the progress panel: stop after 3 minutes, offer to go on

// sourceStates are the source states the timeline names (tl.source.<state> in the catalogue).
const sourceStates = { ok: 'tl.source.ok', 'no journal': 'tl.source.noJournal', unreachable: 'tl.source.unreachable',
  'not available on this broker': 'tl.source.notOnBroker' };
const toneSigns = { ok: ['✓', 'tl.tone.ok'], warn: ['!', 'tl.tone.warn'], bad: ['✕', 'tl.tone.bad'], info: ['•', ''] };

/**
 * timelinePanel is the timeline section. path is the timeline's URL,
 * headers extra request headers (the admin variant's token), settled(doc)
 * tells whether the order will change no more by itself; onUpdate(doc), when
 * given, hears every answer. Returns {el, kick}:
 * kick restarts the polling after the page changed something (pay, cancel).
 */
export function timelinePanel({ path, signal, headers, settled, onUpdate }) {
  const list = h('ol', { class: 'seq-rows', 'aria-labelledby': 'timeline-title', 'data-testid': 'timeline-rows' });
  const empty = h('p', { class: 'muted', 'data-testid': 'timeline-empty', hidden: true }, t('tl.empty'));
  const sources = h('ul', { class: 'timeline-sources', 'data-testid': 'timeline-sources' });
  const noJournals = h('p', { class: 'notice', 'data-testid': 'timeline-no-journals', hidden: true }, t('tl.noJournals'));
  const status = h('p', { class: 'muted small', 'data-testid': 'timeline-status', 'aria-live': 'polite' });
  const keepWatching = h('button', { type: 'button', class: 'secondary', 'data-testid': 'timeline-keep-watching', hidden: true }, t('progress.keepWatching'));
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'timeline-error', hidden: true });
  const el = h('section', { class: 'panel timeline', 'aria-labelledby': 'timeline-title', 'data-testid': 'timeline', 'data-state': 'loading', 'data-entries': '0' },
    h('h2', { id: 'timeline-title' }, t('tl.title')),
    h('p', { class: 'muted' }, t('tl.intro')),
    legend(),
    h('div', { class: 'seq' }, header(), list), empty, noJournals,
    h('h3', {}, t('tl.sources')), sources,
    h('p', { class: 'muted small' }, ...tx('tl.brokerLink', { link: h('a', { href: '#/broker', 'data-testid': 'timeline-broker-link' }, t('tl.brokerPage')) })),
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
      setText(li.querySelector('.seq-offset'), Number.isFinite(off) ? `+${t('unit.s', { n: number(off / 1000, 3) })}` : '');
      if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
    });
    drawn = true;
    el.dataset.entries = String(d.entries.length);
    empty.hidden = d.entries.length > 0;
    const ok = d.sources.filter((s) => s.state === 'ok').length;
    el.dataset.journals = String(ok);
    noJournals.hidden = ok > 0 || !d.sources.every((s) => s.state === 'no journal' || s.state === 'not available on this broker');
    sources.replaceChildren(...d.sources.map((s) => h('li', { 'data-testid': 'timeline-source', 'data-source': s.source, 'data-state': s.state },
      h('strong', {}, s.source), `: ${sourceStates[s.state] ? t(sourceStates[s.state]) : s.state}`,
      s.state !== 'ok' && s.detail ? h('span', { class: 'muted' }, ` — ${s.detail}`) : null,
      s.retention ? h('span', { class: 'muted' }, ` · ${t('tl.keeps', { retention: s.retention })}`) : null)));
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
      setText(error, t('tl.unavailable', { message: err.message }));
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
      setState('settled', t('tl.settled', { n: Math.round(quiet / 1000) }));
      return;
    }
    if (Date.now() - started > watchMs) {
      setState('paused', t('tl.paused'));
      return;
    }
    setState('live', t('tl.live'));
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
    h('span', { class: 'seq-time' }, t('tl.time')),
    h('span', { class: 'seq-lanes' }, lanes.map((l) => h('span', { class: 'lane-name' }, l))),
    h('span', { class: 'seq-text' }, t('tl.what')));
}

function legend() {
  return h('div', { class: 'legend', 'data-testid': 'timeline-legend' },
    h('h3', { class: 'visually-hidden' }, t('tl.legend')),
    h('ul', {},
      h('li', {}, h('span', { class: 'legend-arrow', 'aria-hidden': 'true' }), t('tl.legendArrow')),
      h('li', {}, h('span', { class: 'legend-dot', 'aria-hidden': 'true' }), t('tl.legendDot')),
      h('li', {}, h('span', { class: 'sign tone-ok', 'aria-hidden': 'true' }, '✓'), t('tl.legendOk'), ' · ',
        h('span', { class: 'sign tone-warn', 'aria-hidden': 'true' }, '!'), t('tl.legendWarn'), ' · ',
        h('span', { class: 'sign tone-bad', 'aria-hidden': 'true' }, '✕'), t('tl.legendBad')),
      h('li', {}, t('tl.legendHalf'))));
}

// detailFields are the entry's fields a row's details show, each labelled tl.field.<name>.
const detailFields = ['step', 'actor', 'instance', 'at', 'topic', 'msgId', 'txId', 'group', 'attempt', 'outcome', 'detail', 'key'];

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
      signWords ? h('span', { class: 'visually-hidden' }, `${t(signWords)}: `) : null,
      h('span', { class: 'seq-who' }, who), ' ', h('span', { class: 'seq-words' }, d.text)));
  const details = h('dl', { id, class: 'seq-details', 'data-testid': 'timeline-entry-details', hidden: true },
    detailFields.filter((f) => e[f] !== undefined && e[f] !== '' && e[f] !== 0)
      .map((f) => h('div', {}, h('dt', {}, t(`tl.field.${f}`)), h('dd', {}, String(e[f])))));
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
  return d.toLocaleTimeString(locale(), { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 });
}
