// The banner every page shows while a training fault is armed, so nobody
// takes a fault for a bug. It polls GET /api/faults, which needs neither a
// sign-in nor the admin token: the gateway reads every program's faults
// with its own.
import { api } from './api.js';
import { h } from './ui.js';

const pollMs = 3000;
const hiddenPollMs = 15000; // a tab in the background asks less often

let timer = null;
let generation = 0; // the latest refresh; older answers are dropped
let shown = '';

/** describeFault says what an armed fault does: "pay.after-half crash (1 left)". */
export function describeFault(a) {
  const what = a.point === 'slow-motion'
    ? `slow motion: each delivery held ${a.delay}`
    : [a.point, a.action, a.value, a.delay].filter(Boolean).join(' ');
  const how = [a.left !== undefined && a.left !== null ? `${a.left} left` : 'every time'];
  if (a.expiresAt) {
    const d = new Date(a.expiresAt);
    if (!Number.isNaN(d.getTime())) how.push(`until ${d.toLocaleTimeString('en-US', { hour12: false })}`);
  }
  return `${what} (${how.join(', ')})`;
}

function draw(armed) {
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
    h('strong', {}, 'Training faults armed: '),
    h('span', { 'data-testid': 'fault-banner-text' }, text), ' ',
    h('a', { href: '#/trainer', 'data-testid': 'fault-banner-link' }, 'Open the trainer page'));
  el.hidden = false;
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
