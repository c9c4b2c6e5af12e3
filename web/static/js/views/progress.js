// Rendering of the progress document (GET /api/progress/{orderNo}): the
// payment step and the four effects ORDER_PAID causes, each with its state
// (data-state: done, waiting, unknown, cancelled) and the time it happened.
import { h, timeOf, elapsed } from '../ui.js';

/** effects lists the effects in the order the page shows them: key, title, service. */
export const effects = [
  ['stockSold', 'Stock sold', 'inventory'],
  ['shipment', 'Shipment created', 'logistics'],
  ['points', 'Points credited', 'points'],
  ['cartCleaned', 'Purchased items removed from the cart', 'cart'],
];

const paymentTitles = {
  none: 'Not paid yet',
  in_flight: 'Payment in progress…',
  awaiting_check: 'Waiting for the broker’s check-back',
  paid: 'Paid',
  refunded: 'Charged, then refunded',
  cancelled: 'Not paid: the order was cancelled',
};

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
  let text = paymentTitles[p.state] || p.state;
  if (p.at && (p.state === 'paid' || p.state === 'refunded')) text += ` at ${timeOf(p.at)}`;
  const details = [];
  if (p.halfMessage) {
    const checks = p.halfMessage.checkCount;
    details.push(`The ORDER_PAID half message is pending in the broker (checked back ${checks} time${checks === 1 ? '' : 's'}).`);
  }
  if (p.state === 'awaiting_check' && doc.order.status === 'PAID') {
    details.push('The order committed PAID, but the broker has not heard yet; it will ask the order service and then deliver ORDER_PAID.');
  }
  for (const note of p.notes || []) details.push(`Note: ${note}.`);
  fill(row, p.state, text, details.join(' '), p.at);
}

function effectDetail(key, e) {
  switch (key) {
    case 'stockSold':
      return e.reservation ? `Reservation ${e.reservation}.` : 'No reservation found.';
    case 'shipment':
      return e.done ? `${e.shipment || ''} ${e.carrier ? `· ${e.carrier} ${e.trackingNo || ''}` : ''}`.trim() : '';
    case 'points':
      return e.done ? `${e.points >= 0 ? '+' : ''}${e.points} points` : '';
    case 'cartCleaned': {
      if (!e.done) return '';
      const n = (e.removed || []).reduce((sum, l) => sum + l.quantity, 0);
      return `Removed ${n} item${n === 1 ? '' : 's'} from the cart.`;
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
      text = `Done at ${timeOf(e.at)}${after !== null ? ` (${after} after payment)` : ''}`;
      break;
    }
    case 'unknown':
      text = `Unknown: ${e.reason || 'the service did not answer'}`;
      break;
    case 'cancelled':
      text = 'Will not happen: the order was cancelled';
      break;
    default:
      text = doc.order.status === 'PAID' ? 'Waiting for the ORDER_PAID event…' : 'Starts once the order is paid';
  }
  fill(row, e.state, text, effectDetail(key, e), e.at);
}

/** summary is one sentence on the whole journey. */
export function summary(doc) {
  const o = doc.order;
  if (o.status === 'CANCELLED') {
    return doc.final
      ? 'The order was cancelled and its stock released; nothing will ship and no points are credited.'
      : 'The order was cancelled; waiting for inventory to release its stock…';
  }
  if (o.status !== 'PAID') {
    return 'Pay the order to start: ORDER_PAID is published if and only if the payment commits.';
  }
  const done = effects.filter(([key]) => doc.effects[key].done);
  if (doc.complete) {
    const last = done.map(([key]) => doc.effects[key].at).reduce((m, at) => (Date.parse(at) > Date.parse(m) ? at : m));
    const after = paidAt(doc) && last ? elapsed(paidAt(doc), last) : null;
    return `All four effects applied${after !== null ? `, the last ${after} after payment` : ''}. The services agree.`;
  }
  return `${done.length} of 4 effects applied; the others follow as their consumers process ORDER_PAID…`;
}
