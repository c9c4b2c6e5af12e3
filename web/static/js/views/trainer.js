// The trainer page: a workshop's switchboard. With the shop's admin token
// (kept in this tab's sessionStorage only, sent only on /api/trainer/
// calls) it ships and delivers paid orders and accepts returns, arms and
// clears fault switches on every program, stops, starts and crashes
// programs, resets the shop to its seed and grades the labs.
import { api, isAbort } from '../api.js';
import { h, heading, fieldMessage, errorBox } from '../ui.js';
import { faultCard, isTokenRefusal } from './trainer-faults.js';
import { programsPart, resetPart, labsPart, isControlMissing } from './trainer-control.js';
import { slowMotionPart } from './trainer-slowmo.js';
import { ordersPart } from './trainer-orders.js';
import { t, tx } from '../i18n.js';

const tokenKey = 'rocketmart.trainer.token';
const programsPollMs = 2000;
const faultsPollMs = 4000;

/** savedToken is the admin token the trainer typed in this tab, or ''. The broker pages use it too. */
export function savedToken() {
  try {
    return sessionStorage.getItem(tokenKey) || '';
  } catch {
    return '';
  }
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

/** view is the trainer page. */
export async function view(el, ctx) {
  const root = h('div', { class: 'trainer', 'data-testid': 'trainer', 'data-state': 'locked' });
  el.append(heading(t('trainer.title')), root);
  root.append(h('p', {}, ...tx('trainer.intro', { link: h('a', { href: '#/broker', 'data-testid': 'trainer-broker-link' }, t('tl.brokerPage')) })));

  const input = h('input', {
    id: 'trainer-token', type: 'password', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'trainer-token',
    'aria-describedby': 'trainer-token-help trainer-token-error',
  });
  const tokenError = h('p', { id: 'trainer-token-error', class: 'field-error', role: 'alert', 'data-testid': 'trainer-token-error', hidden: true });
  const forget = h('button', { type: 'button', class: 'secondary', 'data-testid': 'trainer-token-forget' }, t('trainer.forget'));
  const form = h('form', { class: 'panel token-form', 'data-testid': 'trainer-token-form', novalidate: true },
    h('label', { for: 'trainer-token' }, t('trainer.token')),
    h('p', { id: 'trainer-token-help', class: 'muted small' }, t('trainer.tokenHelp')),
    h('div', { class: 'inline' }, input,
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'trainer-token-use' }, t('trainer.use')), forget),
    tokenError);
  const sections = h('div', { class: 'trainer-sections', 'data-testid': 'trainer-sections' });
  root.append(form, sections);

  let session = null; // the AbortController of the sections on screen
  const close = () => {
    if (session) session.abort();
    session = null;
    sections.replaceChildren();
  };
  ctx.signal.addEventListener('abort', close, { once: true });

  const open = async (token) => {
    close();
    fieldMessage(tokenError, input, '');
    delete tokenError.dataset.code;
    session = new AbortController();
    const signal = session.signal;
    ctx.signal.addEventListener('abort', () => session && session.abort(), { once: true });
    root.dataset.state = 'loading';
    try {
      await openSections(token, signal, sections, root);
    } catch (err) {
      if (isAbort(err)) return;
      if (!isTokenRefusal(err)) throw err;
      close();
      try { sessionStorage.removeItem(tokenKey); } catch { /* private mode */ }
      root.dataset.state = 'refused';
      tokenError.dataset.code = err.code;
      fieldMessage(tokenError, input, t('trainer.refused', { status: err.status, code: err.code, message: err.message }));
      input.focus();
    }
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) {
      fieldMessage(tokenError, input, t('trainer.enterToken'));
      input.focus();
      return;
    }
    try { sessionStorage.setItem(tokenKey, token); } catch { /* private mode: this page only */ }
    open(token);
  });
  forget.addEventListener('click', () => {
    try { sessionStorage.removeItem(tokenKey); } catch { /* nothing kept */ }
    input.value = '';
    close();
    root.dataset.state = 'locked';
    fieldMessage(tokenError, input, '');
  });

  const token = savedToken();
  if (token) {
    input.value = token;
    await open(token);
  }
}

// openSections draws the fault cards and the control parts with token and
// keeps them fresh until signal ends. A token refusal anywhere is thrown.
async function openSections(token, signal, sections, root) {
  const call = (path, options = {}) => api(path, { ...options, signal, headers: { ...(options.headers || {}), 'X-Admin-Token': token } });
  const { programs = [] } = await api('/api/faults', { signal });
  const cards = programs.map((p) => faultCard(p, call, signal));
  const progs = programsPart(call, signal);
  const labs = labsPart(call, signal);
  const reload = () => [slowmo, ...cards].forEach((c) => c.load().catch(() => {}));
  const slowmo = slowMotionPart(programs, call, signal, reload);
  const orders = ordersPart(call, signal);
  const controlBox = h('div', { class: 'trainer-control' });
  sections.replaceChildren(controlBox, orders.el, slowmo.el,
    h('section', { 'aria-labelledby': 'faults-title', 'data-testid': 'trainer-faults' },
      h('h2', { id: 'faults-title' }, t('faults.title')),
      h('div', { class: 'fault-cards' }, cards.map((c) => c.el))));

  // Everything at once; the first token refusal wins.
  let controlMissing = false;
  let controlError = null;
  const loadControl = async () => {
    try {
      await progs.load();
    } catch (err) {
      if (isAbort(err) || isTokenRefusal(err)) throw err;
      if (isControlMissing(err)) controlMissing = true;
      else controlError = err; // the launcher did not answer: say so, keep the faults
    }
  };
  const results = await Promise.allSettled([loadControl(), labs.load(), slowmo.load(), orders.load(), ...cards.map((c) => c.load())]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  if (controlMissing) {
    controlBox.replaceChildren(h('p', { class: 'notice', 'data-testid': 'control-unavailable' },
      t('control.unavailable')));
  } else {
    controlBox.replaceChildren(progs.el);
    sections.append(resetPart(call, signal, reload), labs.el);
    if (controlError) progs.el.append(errorBox(controlError, 'control-error'));
  }
  root.dataset.state = 'open';

  // Fresh states and restart counts, and faults that fire or expire.
  for (let tick = 1; ; tick++) {
    await sleep(programsPollMs, signal);
    if (!controlMissing) progs.load().catch(() => {});
    if (tick % Math.round(faultsPollMs / programsPollMs) === 0) reload();
  }
}
