// The storefront's words: one catalogue per language (i18n/en.js,
// i18n/zh-CN.js, with the terms in i18n/GLOSSARY.md), t() to look a message
// up, and the locale-aware formats of money, dates and times. The language
// is the one the shopper chose with the header's switch (kept in
// localStorage), or else the first of the browser's languages we have
// (navigator.languages, which is what it sends as Accept-Language), or
// English. web/i18n_test.go checks that both catalogues hold the same keys,
// that every key is used and that no view writes words of its own.
import en from './i18n/en.js';
import zhCN from './i18n/zh-CN.js';

const catalogues = { en, 'zh-CN': zhCN };
// The locale each language formats numbers and dates with: English keeps
// the shop's US dollars and US dates.
const locales = { en: 'en-US', 'zh-CN': 'zh-CN' };
const storageKey = 'rocketmart.lang';

/** languages are the codes the switch offers, each named in its own language. */
export const languages = Object.keys(catalogues);

/**
 * pickLanguage returns the first of the browser's language tags we have a
 * catalogue for: any Chinese tag gets Simplified Chinese (the only Chinese
 * catalogue), any English tag English; nothing known is English.
 */
export function pickLanguage(tags) {
  for (const tag of tags || []) {
    const low = String(tag).toLowerCase();
    if (low === 'zh' || low.startsWith('zh-')) return 'zh-CN';
    if (low === 'en' || low.startsWith('en-')) return 'en';
  }
  return 'en';
}

function initialLanguage() {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved && catalogues[saved]) return saved;
  } catch {
    // private mode: no saved choice
  }
  return pickLanguage(navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]);
}

let current = initialLanguage();
let plurals = new Intl.PluralRules(locales[current]);
const listeners = [];

/** lang is the language shown now: 'en' or 'zh-CN'. */
export function lang() {
  return current;
}

/** locale is the BCP 47 locale numbers and dates are formatted with. */
export function locale() {
  return locales[current];
}

/** nameOf is a language's own name for itself ("English", "中文"), for the switch. */
export function nameOf(code) {
  return catalogues[code]['lang.name'];
}

/** setLanguage switches the language, remembers it and tells every listener. */
export function setLanguage(code) {
  if (!catalogues[code] || code === current) return;
  current = code;
  plurals = new Intl.PluralRules(locales[current]);
  try {
    localStorage.setItem(storageKey, code);
  } catch {
    // private mode: this page only
  }
  document.documentElement.lang = code;
  for (const fn of listeners) fn(code);
}

/** onLanguageChange registers fn(code), called after every switch. */
export function onLanguageChange(fn) {
  listeners.push(fn);
}

// lookup finds key's text in the current catalogue (English when missing,
// which the catalogue test forbids), choosing the plural form by params.n.
function lookup(key, params) {
  let text = catalogues[current][key] ?? en[key];
  if (text === undefined) return key;
  if (typeof text === 'object') text = text[plurals.select(Number(params.n))] ?? text.other;
  return text;
}

/**
 * t returns the message key in the current language with {name}
 * placeholders filled from params; a plural message ({"one": …, "other": …})
 * picks its form by params.n.
 */
export function t(key, params = {}) {
  return lookup(key, params).replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/**
 * tx is t for messages with elements in them (a link, a button): it returns
 * the parts in order, params that are DOM nodes in their places, to append
 * as children.
 */
export function tx(key, params = {}) {
  return lookup(key, params).split(/(\{\w+\})/).filter((part) => part !== '').map((part) => {
    const m = /^\{(\w+)\}$/.exec(part);
    if (!m || !(m[1] in params)) return part;
    const v = params[m[1]];
    return v instanceof Node ? v : String(v);
  });
}

/**
 * translateStatic fills root's static markup (index.html): data-i18n sets
 * an element's text, data-i18n-label its aria-label.
 */
export function translateStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

document.documentElement.lang = current;

/** statusName is an order status (PENDING_PAYMENT, PAID, SHIPPED, REFUNDED…) in words; an unknown one as it is. */
export function statusName(status) {
  return `status.${status}` in en ? t(`status.${status}`) : status;
}

// reasons are the order service's status-change reasons (ordering.Reason…
// and the history's), known by their English words; any other reason shows
// as the service wrote it.
const reasons = {
  'order placed': 'reason.placed',
  'payment succeeded': 'reason.paid',
  'cancelled by the customer': 'reason.customer',
  'payment deadline passed': 'reason.deadline',
  'cancelled by the customer after payment, before shipping': 'reason.refundBeforeShipping',
  'return requested by the customer': 'reason.returnRequested',
  'return accepted': 'reason.returnAccepted',
  'refund confirmed by the payment service': 'reason.refundConfirmed',
  'shipment shipped': 'reason.shipped',
  'shipment delivered': 'reason.delivered',
};

/** reasonName is an order status change's reason in words. */
export function reasonName(reason) {
  return reasons[reason] ? t(reasons[reason]) : reason;
}
