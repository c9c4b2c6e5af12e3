// Wallet (payment service) and points (points service). Each half loads on
// its own, so one service being down leaves the other visible.
import { api, isAbort } from '../api.js';
import { h, money, dateTime, newKey, parseDollars, announce, fieldMessage, errorBox, heading, signInPrompt, number } from '../ui.js';
import { t } from '../i18n.js';

const maxTopUpCents = 10_000_000; // the payment service's limit per top-up

/** view is the wallet and points page. */
export async function view(el, ctx) {
  el.append(heading(t('wallet.title')));
  if (!ctx.app.user) {
    el.append(signInPrompt('signin.forWallet'));
    return;
  }
  const walletPart = h('section', { class: 'panel', 'aria-labelledby': 'wallet-title', 'data-testid': 'wallet' },
    h('h2', { id: 'wallet-title' }, t('wallet.wallet')));
  const pointsPart = h('section', { class: 'panel', 'aria-labelledby': 'points-title', 'data-testid': 'points' },
    h('h2', { id: 'points-title' }, t('points.title')));
  el.append(h('div', { class: 'two-columns' }, walletPart, pointsPart));
  await Promise.all([wallet(walletPart, ctx), points(pointsPart, ctx)]);
}

// chargeStatus names a charge's status (SUCCEEDED, REFUNDED) in words; an unknown one as it is.
function chargeStatus(status) {
  return ['SUCCEEDED', 'REFUNDED'].includes(status) ? t(`charge.${status}`) : status;
}

// pointsReasons are the ledger's reasons: a credit for a paid order, the
// points that paid part of one, their return when it is cancelled or
// refunded, and the clawback of the credit on a refund.
const pointsReasons = ['ORDER_PAID', 'ORDER_REDEEMED', 'REDEMPTION_RETURNED', 'ORDER_REFUNDED'];

// pointsReason names a ledger entry's reason in words; an unknown one as it is.
function pointsReason(reason) {
  return pointsReasons.includes(reason) ? t(`points.reason.${reason}`) : reason;
}

async function wallet(part, ctx) {
  const balance = h('p', { class: 'balance' });
  const charges = h('div', {});
  const drawWallet = (w) => {
    balance.replaceChildren(t('wallet.balance'), ' ', h('strong', { 'data-testid': 'wallet-balance', 'data-cents': w.balanceCents }, money(w.balanceCents)));
    const list = w.charges || [];
    charges.replaceChildren(list.length === 0
      ? h('p', { class: 'muted' }, t('wallet.noCharges'))
      : h('ul', { class: 'plain', 'data-testid': 'charges-list' }, list.map((c) =>
        h('li', { 'data-testid': 'charge-row', 'data-order-no': c.orderNo, 'data-status': c.status },
          h('a', { href: `#/orders/${encodeURIComponent(c.orderNo)}` }, c.orderNo), ` · ${money(c.amountCents)} · `, chargeStatus(c.status),
          c.refundedAt ? ` ${t('wallet.refunded', { time: dateTime(c.refundedAt) })}` : ''))));
  };
  try {
    drawWallet(await api('/api/payment/wallet', { signal: ctx.signal }));
  } catch (err) {
    if (isAbort(err)) throw err;
    part.append(errorBox(err, 'wallet-error'));
    return;
  }

  // One key per top-up attempt: a retried request tops up once.
  let key = newKey();
  const amount = h('input', {
    id: 'topup-amount', type: 'text', inputmode: 'decimal', autocomplete: 'off', 'data-testid': 'topup-amount',
    'aria-describedby': 'topup-help topup-error', required: true,
  });
  const error = h('p', { id: 'topup-error', class: 'field-error', 'data-testid': 'topup-error', role: 'alert', hidden: true });
  // From a declined payment (#/wallet?order=…&cents=…): the shortfall is
  // suggested, and the way back to the order is shown.
  const forOrder = ctx.query.get('order') || '';
  const shortfall = Number(ctx.query.get('cents'));
  if (Number.isInteger(shortfall) && shortfall > 0 && shortfall <= maxTopUpCents) amount.value = (shortfall / 100).toFixed(2);
  const backLink = forOrder
    ? h('p', { class: 'notice', 'data-testid': 'topup-for-order', 'data-order-no': forOrder },
      t('wallet.forOrder', { orderNo: forOrder }), ' ',
      h('a', { href: `#/orders/${encodeURIComponent(forOrder)}`, 'data-testid': 'back-to-order' }, t('wallet.backToOrder', { orderNo: forOrder })))
    : null;
  const button = h('button', { type: 'submit', class: 'primary', 'data-testid': 'topup-button' }, t('wallet.topUp'));
  const form = h('form', { class: 'topup', 'data-testid': 'topup-form', novalidate: true },
    h('label', { for: 'topup-amount' }, t('wallet.amount')),
    h('p', { id: 'topup-help', class: 'muted small' }, t('wallet.amountHelp', { min: money(1), max: money(maxTopUpCents) })),
    h('div', { class: 'inline' }, amount, button), error);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const cents = parseDollars(amount.value);
    if (cents === null || cents < 1 || cents > maxTopUpCents) {
      fieldMessage(error, amount, t('wallet.amountInvalid'));
      amount.focus();
      return;
    }
    fieldMessage(error, amount, '');
    button.disabled = true;
    try {
      const r = await api('/api/payment/wallet/top-ups', {
        method: 'POST', body: { amountCents: cents }, headers: { 'Idempotency-Key': key }, signal: ctx.signal,
      });
      key = newKey();
      amount.value = '';
      drawWallet(await api('/api/payment/wallet', { signal: ctx.signal }));
      const topped = t('wallet.toppedUp', { amount: money(r.amountCents), balance: money(r.balanceCents) });
      announce(forOrder ? `${topped} ${t('wallet.payNow', { orderNo: forOrder })}` : topped);
    } catch (err) {
      if (isAbort(err)) return;
      if (err.status >= 400 && err.status < 500) key = newKey(); // refused: nothing was added
      fieldMessage(error, amount, err.message);
    } finally {
      button.disabled = false;
    }
  });
  part.append(...[balance, backLink, form, h('h3', {}, t('wallet.charges')), charges].filter(Boolean));
}

async function points(part, ctx) {
  let data;
  try {
    data = await api('/api/points/points', { signal: ctx.signal });
  } catch (err) {
    if (isAbort(err)) throw err;
    part.append(errorBox(err, 'points-error'));
    return;
  }
  const ledger = data.ledger || [];
  part.append(
    h('p', { class: 'balance' }, t('wallet.balance'), ' ', h('strong', { 'data-testid': 'points-balance', 'data-points': data.balance }, t('effect.pointsDetail', { n: number(data.balance) }))),
    h('p', { class: 'muted small' }, t('points.rule')),
    ledger.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'points-empty' }, t('points.empty'))
      : h('ul', { class: 'plain', 'data-testid': 'points-ledger' }, ledger.map((e) =>
        h('li', { 'data-testid': 'points-entry', 'data-order-no': e.orderNo || '', 'data-points': e.points, 'data-reason': e.reason || '' },
          h('strong', {}, `${e.points > 0 ? '+' : ''}${e.points}`), ' · ', pointsReason(e.reason),
          e.orderNo ? [' · ', h('a', { href: `#/orders/${encodeURIComponent(e.orderNo)}` }, e.orderNo)] : '',
          ` · ${dateTime(e.createdAt)}`))));
}
