// Rendering of the progress document (GET /api/progress/{orderNo}): the
// payment step and the four effects ORDER_PAID causes, then the delivery and
// a refund's four effects (afterPay), each with its state (data-state: done,
// waiting, unknown, cancelled) and the time it happened.
import { h, timeOf, elapsed, number } from '../ui.js';
import { t } from '../i18n.js';

/** effects lists the effects in the order the page shows them: key, title's key, service. */
export const effects = [
  ['stockSold', 'effect.stockSold', 'inventory'],
  ['shipment', 'effect.shipment', 'logistics'],
  ['points', 'effect.points', 'points'],
  ['cartCleaned', 'effect.cartCleaned', 'cart'],
];

/** deliverySteps are the parcel's steps after payment: key in afterPay, title's key, service. */
export const deliverySteps = [
  ['shipped', 'after.shipped', 'logistics → order'],
  ['delivered', 'after.delivered', 'logistics → order'],
];

/** refundSteps are ORDER_REFUNDED's effects: key in afterPay.refund, title's key, service. */
export const refundSteps = [
  ['payment', 'refund.payment', 'payment'],
  ['points', 'refund.points', 'points'],
  ['stock', 'refund.stock', 'inventory'],
  ['shipment', 'refund.shipment', 'logistics'],
];

// Order statuses after the payment.
const paidStatuses = ['PAID', 'SHIPPED', 'COMPLETED', 'RETURN_REQUESTED', 'REFUNDING', 'REFUNDED'];

// paymentStates are the payment states the progress document names (payment.state.<state> in the catalogue).
const paymentStates = ['none', 'in_flight', 'awaiting_check', 'paid', 'refunded', 'cancelled'];

/** step makes an empty row; fill it with setPayment or setEffect. */
export function step(testid, title, service) {
  return h('li', { class: 'step', 'data-testid': testid, 'data-state': 'waiting' },
    h('span', { class: 'step-icon', 'aria-hidden': 'true' }),
    h('div', { class: 'step-body' },
      h('p', { class: 'step-title' }, h('strong', {}, title), h('span', { class: 'muted' }, ` · ${service}`)),
      h('p', { class: 'step-state', 'data-testid': `${testid}-text` }),
      h('p', { class: 'step-detail muted' })));
}

function fill(row, state, text, detail, at) {
  row.dataset.state = state;
  if (at) row.dataset.at = at;
  else delete row.dataset.at;
  setText(row.querySelector('.step-state'), text);
  setText(row.querySelector('.step-detail'), detail);
}

/** setText changes text only when it differs, so aria-live regions speak once per change. */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** paidAt is when the order became PAID, from the progress document. */
export function paidAt(doc) {
  return doc.payment.state === 'paid' || doc.payment.state === 'awaiting_check' ? doc.payment.at || '' : '';
}

export function setPayment(row, doc) {
  const p = doc.payment;
  let text = paymentStates.includes(p.state) ? t(`payment.state.${p.state}`) : p.state;
  if (p.at && (p.state === 'paid' || p.state === 'refunded')) text = t('payment.at', { state: text, time: timeOf(p.at) });
  const details = [];
  if (p.halfMessage) {
    const checks = p.halfMessage.checkCount;
    details.push(t('payment.halfPending', { n: checks }));
  }
  if (p.state === 'awaiting_check' && doc.order.status === 'PAID') {
    details.push(t('payment.commitUnheard'));
  }
  for (const note of p.notes || []) details.push(t('payment.note', { note }));
  fill(row, p.state, text, details.join(' '), p.at);
}

function effectDetail(key, e) {
  switch (key) {
    case 'stockSold':
      return e.reservation ? t('effect.reservation', { state: e.reservation }) : t('effect.noReservation');
    case 'shipment':
      return e.done ? `${e.shipment || ''} ${e.carrier ? `· ${e.carrier} ${e.trackingNo || ''}` : ''}`.trim() : '';
    case 'points':
      return e.done ? t('effect.pointsDetail', { n: `${e.points >= 0 ? '+' : ''}${e.points}` }) : '';
    case 'cartCleaned': {
      if (!e.done) return '';
      const n = (e.removed || []).reduce((sum, l) => sum + l.quantity, 0);
      return t('effect.removed', { n });
    }
    default:
      return '';
  }
}

export function setEffect(row, key, doc) {
  const e = doc.effects[key];
  const paid = paidAt(doc);
  let text;
  switch (e.state) {
    case 'done': {
      const after = paid && e.at ? elapsed(paid, e.at) : null;
      text = after !== null ? t('effect.doneAfter', { time: timeOf(e.at), after }) : t('effect.done', { time: timeOf(e.at) });
      break;
    }
    case 'unknown':
      text = t('effect.unknown', { reason: e.reason || t('effect.noAnswer') });
      break;
    case 'cancelled':
      text = t('effect.cancelled');
      break;
    default:
      text = paidStatuses.includes(doc.order.status) ? t('effect.waiting') : t('effect.notYet');
  }
  fill(row, e.state, text, effectDetail(key, e), e.at);
}

// stateText is a step's state in words; waiting says what it waits for.
function stateText(s, doc, waiting) {
  const paid = paidAt(doc);
  switch (s.state) {
    case 'done': {
      const after = paid && s.at ? elapsed(paid, s.at) : null;
      return after !== null ? t('effect.doneAfter', { time: timeOf(s.at), after }) : t('effect.done', { time: timeOf(s.at) });
    }
    case 'unknown':
      return t('effect.unknown', { reason: s.reason || t('effect.noAnswer') });
    case 'cancelled':
      return doc.order.status === 'CANCELLED' ? t('effect.cancelled') : t('after.never');
    default:
      return paidStatuses.includes(doc.order.status) ? waiting : t('effect.notYet');
  }
}

/** setDelivery fills a delivery step (shipped, delivered). */
export function setDelivery(row, key, doc) {
  const s = (doc.afterPay && doc.afterPay[key]) || { state: 'waiting' };
  const waiting = key === 'shipped' ? t('after.waitingShip') : t('after.waitingDeliver');
  const e = doc.effects.shipment;
  const detail = key === 'shipped' && s.done && e.carrier ? `${e.carrier} ${e.trackingNo || ''}`.trim() : '';
  fill(row, s.state, stateText(s, doc, waiting), detail, s.at);
}

function refundDetail(key, s, doc) {
  if (!s.done) return '';
  switch (key) {
    case 'payment':
      return doc.order.chargedCents === 0 ? t('refund.noCharge') : '';
    case 'points':
      return t('refund.pointsDetail', { clawed: number(-s.clawedBack), returned: number(s.returned) });
    case 'shipment':
      return t('refund.shipmentState', { state: s.shipment });
    default:
      return '';
  }
}

/** setRefund fills a refund step; refund steps only show once the order is refunding. */
export function setRefund(row, key, doc) {
  const r = doc.afterPay && doc.afterPay.refund;
  row.hidden = !r;
  if (!r) return;
  const s = r[key];
  fill(row, s.state, stateText(s, doc, t('refund.waiting')), refundDetail(key, s, doc), s.at);
}

/** summary is one sentence on the whole journey. */
export function summary(doc) {
  const o = doc.order;
  if (o.status === 'CANCELLED') {
    return doc.final
      ? t('summary.cancelled')
      : t('summary.cancelling');
  }
  const refund = doc.afterPay && doc.afterPay.refund;
  if (refund) {
    const n = refundSteps.filter(([key]) => refund[key].done).length;
    return o.status === 'REFUNDED' && n === refundSteps.length ? t('summary.refunded') : t('summary.refunding', { n });
  }
  switch (o.status) {
    case 'SHIPPED': return t('summary.shipped');
    case 'COMPLETED': return t('summary.completed');
    case 'RETURN_REQUESTED': return t('summary.returnRequested');
    case 'PAID': break;
    default: return t('summary.unpaid');
  }
  const done = effects.filter(([key]) => doc.effects[key].done);
  if (doc.complete) {
    const last = done.map(([key]) => doc.effects[key].at).reduce((m, at) => (Date.parse(at) > Date.parse(m) ? at : m));
    const after = paidAt(doc) && last ? elapsed(paidAt(doc), last) : null;
    return after !== null ? t('summary.completeAfter', { after }) : t('summary.complete');
  }
  return t('summary.partial', { n: done.length });
}
