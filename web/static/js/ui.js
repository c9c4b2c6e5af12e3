// Small DOM and formatting helpers. Every text goes through text nodes, never
// innerHTML, so product names or error messages cannot inject markup. Words
// come from the catalogues (t); money, dates and times follow the language's
// locale.
import { t, locale } from './i18n.js';

/**
 * h builds an element: h('a', {href: '#/', class: 'x', 'data-testid': 'y', onclick: fn}, 'text', child).
 * Attribute values of false/null/undefined are left out; true sets an empty attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'value') {
      el.value = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

const currencies = new Map(); // locale → its USD format

/** money formats integer cents as dollars in the page's locale; cents stay integers everywhere else. */
export function money(cents) {
  const loc = locale();
  if (!currencies.has(loc)) currencies.set(loc, new Intl.NumberFormat(loc, { style: 'currency', currency: 'USD' }));
  return currencies.get(loc).format(Number(cents) / 100);
}

/** dateTime formats an RFC 3339 time for people, or '' for none. */
export function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'medium' });
}

/** timeOf formats just the time of day, with seconds: effects land seconds apart. */
export function timeOf(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(locale(), { hour12: false });
}

/** number formats a count or amount with the locale's digits grouping. */
export function number(n, digits = 0) {
  return Number(n).toLocaleString(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** elapsed describes b - a for people ("45 ms", "2.3 s"), or null when either time is missing. */
export function elapsed(a, b) {
  const ms = new Date(b).getTime() - new Date(a).getTime();
  if (!Number.isFinite(ms)) return null;
  return ms < 1000 ? t('unit.ms', { n: number(Math.max(0, Math.round(ms))) }) : t('unit.s', { n: number(ms / 1000, 1) });
}

/**
 * newKey makes an Idempotency-Key. crypto.getRandomValues works on plain
 * http:// hosts too, unlike crypto.randomUUID.
 */
export function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** parseDollars turns "12.5" into 1250 cents, or null when it is not an amount. */
export function parseDollars(text) {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '0').padEnd(2, '0'));
}

const statusRegion = () => document.getElementById('status');
const alertRegion = () => document.getElementById('alert');

// syncMessages shows the toast's dismiss button, and room below the page for
// the toast, while a message is up.
function syncMessages() {
  const shown = !statusRegion().hidden || !alertRegion().hidden;
  document.getElementById('dismiss-message').hidden = !shown;
  document.body.classList.toggle('has-message', shown);
}

/** announce shows a short success or progress message and reads it out (aria-live polite). */
export function announce(text) {
  const el = statusRegion();
  el.textContent = text;
  el.hidden = !text;
  if (text) alertRegion().hidden = true;
  syncMessages();
}

/**
 * showError shows a failure that belongs to no field (the shop unreachable,
 * a service error) in the page-wide alert (role=alert). Input mistakes and
 * sign-in hints go next to their field instead (fieldMessage).
 */
export function showError(err) {
  const el = alertRegion();
  el.replaceChildren(h('strong', {}, t('message.failed')), messageOf(err));
  el.dataset.code = (err && err.code) || 'ERROR';
  el.hidden = false;
  statusRegion().hidden = true;
  syncMessages();
}

/**
 * fieldMessage shows text in el (a .field-error paragraph next to input) and
 * marks input invalid; an empty text clears both.
 */
export function fieldMessage(el, input, text) {
  el.textContent = text || '';
  el.hidden = !text;
  if (!input) return;
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/** clearMessages hides both regions, on every navigation. */
export function clearMessages() {
  statusRegion().textContent = '';
  statusRegion().hidden = true;
  alertRegion().replaceChildren();
  alertRegion().hidden = true;
  syncMessages();
}

/** messageOf returns the readable message of an error: the API's own message when there is one. */
export function messageOf(err) {
  if (!err) return t('message.unknownError');
  return err.message || String(err);
}

/** errorBox is an inline error for one part of a page. */
export function errorBox(err, testid = 'error') {
  return h('p', { class: 'error', role: 'alert', 'data-testid': testid, 'data-code': (err && err.code) || 'ERROR' },
    messageOf(err));
}

/** heading is the focus target of a page (tabindex=-1 so it can take focus after navigation). */
export function heading(text) {
  return h('h1', { tabindex: '-1', 'data-testid': 'page-title' }, text);
}

/** signInPrompt is shown on pages that need a user; whatKey names what signing in is for. */
export function signInPrompt(whatKey) {
  return h('p', { class: 'notice', 'data-testid': 'signin-required' }, t('signin.prompt', { what: t(whatKey) }), ' ', t('signin.users'));
}
