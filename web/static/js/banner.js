// The banner every page shows while a training fault is armed, so nobody
// takes a fault for a bug. It polls GET /api/faults, which needs neither a
// sign-in nor the admin token: the gateway reads every program's faults
// with its own.
import { api } from './api.js';
import { h, timeOf } from './ui.js';
import { t } from './i18n.js';

const pollMs = 3000;
const hiddenPollMs = 15000; // a tab in the background asks less often

let timer = null;
let generation = 0; // the latest refresh; older answers are dropped
let shown = '';
let last = []; // the armed faults last drawn

/** describeFault says what an armed fault does: "pay.after-half crash (1 left)". */
export function describeFault(a) {
  const what = a.point === 'slow-motion'
    ? t('banner.slowMotion', { delay: a.delay })
    : [a.point, a.action, a.value, a.delay].filter(Boolean).join(' ');
  const how = [a.left !== undefined && a.left !== null ? t('banner.left', { n: a.left }) : t('banner.everyTime')];
  if (a.expiresAt && !Number.isNaN(new Date(a.expiresAt).getTime())) how.push(t('banner.until', { time: timeOf(a.expiresAt) }));
  return t('banner.fault', { what, how: how.join(t('banner.joiner')) });
}

function draw(armed) {
  last = armed;
  const el = document.getElementById('fault-banner');
  el.dataset.armed = String(armed.length);
  const text = armed.map((a) => `${a.program} ${describeFault(a)}`).join(' · ');
  if (text === shown) return; // unchanged: no re-announcement for screen readers
  shown = text;
  if (!text) {
    el.replaceChildren();
    el.hidden = true;
    return;
  }
  el.replaceChildren(
    h('strong', {}, t('banner.armed')),
    h('span', { 'data-testid': 'fault-banner-text' }, text), ' ',
    h('a', { href: '#/trainer', 'data-testid': 'fault-banner-link' }, t('banner.open')));
  el.hidden = false;
}

/** redrawBanner draws the last answer again, in the language just chosen. */
export function redrawBanner() {
  shown = '';
  draw(last);
}

/** refreshBanner asks for the armed faults now and schedules the next poll. */
export async function refreshBanner() {
  const mine = ++generation;
  clearTimeout(timer);
  try {
    const data = await api('/api/faults');
    if (mine === generation) draw(data.armed || []);
  } catch {
    // The gateway did not answer: the page itself says so; keep the last banner.
  } finally {
    if (mine === generation) timer = setTimeout(refreshBanner, document.hidden ? hiddenPollMs : pollMs);
  }
}

/** startBanner starts polling, faster again as soon as the tab is looked at. */
export function startBanner() {
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) refreshBanner();
  });
  refreshBanner();
}
