// One order: pay it with the wallet, cancel it, and watch ORDER_PAID's
// effects arrive in the other services (eventual consistency, live).
import { api, request, isAbort } from '../api.js';
import { h, money, dateTime, announce, showError, clearMessages, heading, signInPrompt } from '../ui.js';
import { effects, step, setPayment, setEffect, setText, summary, paidAt } from './progress.js';
import { timelinePanel } from './timeline.js';

const pollMs = 1000; // how often progress is asked
const watchMs = 3 * 60 * 1000; // polling stops after this long without a final state
const slowMs = 30 * 1000; // effects not all done this long after payment: say so

const statusLabels = { PENDING_PAYMENT: 'Awaiting payment', PAID: 'Paid', CANCELLED: 'Cancelled' };

// An order only moves forward: PENDING_PAYMENT → PAID or CANCELLED. A
// progress answer that was on its way before the pay call answered must not
// take the page back.
const statusRank = { PENDING_PAYMENT: 0, PAID: 1, CANCELLED: 1 };

/** view is the order page. */
export async function view(el, ctx) {
  const [orderNo] = ctx.params;
  const title = heading(`Order ${orderNo}`);
  el.append(h('p', { class: 'breadcrumb' }, h('a', { href: '#/orders' }, '← My orders')), title);
  if (!ctx.app.user) {
    el.append(signInPrompt('see your orders'));
    return;
  }
  const path = `/api/progress/${encodeURIComponent(orderNo)}`;
  let doc = await api(path, { signal: ctx.signal }); // 404 for someone else's order: the page shows the error

  const badge = h('span', { class: 'badge', 'data-testid': 'order-status' });
  const banner = h('p', { class: 'banner', 'data-testid': 'order-cancelled', hidden: true });
  const when = h('p', { class: 'muted', 'data-testid': 'order-deadline' });
  const payButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'pay-button' }, 'Pay with wallet');
  const cancelButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'cancel-button', 'aria-expanded': 'false', 'aria-controls': 'cancel-confirm' }, 'Cancel order');
  const confirmYes = h('button', { type: 'button', class: 'primary danger', 'data-testid': 'cancel-confirm-yes' }, 'Yes, cancel the order');
  const confirmNo = h('button', { type: 'button', class: 'secondary', 'data-testid': 'cancel-confirm-no' }, 'Keep the order');
  const confirmBox = h('div', { id: 'cancel-confirm', class: 'confirm', 'data-testid': 'cancel-confirm', hidden: true },
    h('p', {}, 'Cancel this order? Its reserved stock goes back on sale and it can no longer be paid.'),
    h('div', { class: 'actions' }, confirmYes, confirmNo));
  const payMessage = h('p', { class: 'pay-message', 'data-testid': 'pay-message', 'aria-live': 'polite' });
  const history = h('ol', { class: 'history', 'data-testid': 'order-history' });
  const paymentRow = step('payment-state', 'Payment', 'order + payment + broker');
  const rows = Object.fromEntries(effects.map(([key, name, svc]) => [key, step(`effect-${key}`, name, svc)]));
  const progressText = h('p', { class: 'progress-summary', 'data-testid': 'progress-summary', 'aria-live': 'polite' });
  const slow = h('p', { class: 'warning', 'data-testid': 'progress-slow', hidden: true },
    'This is taking longer than usual: a consumer may be failing and retrying. ',
    h('a', { href: '#/consistency' }, 'Run the audit'), ' to see what is missing.');
  const keepWatching = h('button', { type: 'button', class: 'secondary', 'data-testid': 'keep-watching' }, 'Keep watching');
  const timedOut = h('div', { class: 'notice', 'data-testid': 'progress-timeout', hidden: true },
    h('p', {}, 'Stopped checking after 3 minutes without a final state.'), keepWatching);
  const pollError = h('p', { class: 'error', 'data-testid': 'progress-error', role: 'alert', hidden: true });
  const checked = h('p', { class: 'muted small', 'data-testid': 'progress-checked' });
  const timeline = timelinePanel({ path: `/api/timeline/${encodeURIComponent(orderNo)}`, signal: ctx.signal,
    settled: () => doc.final && !paying && !cancelling });
  const page = h('div', { class: 'order', 'data-testid': 'order-view', 'data-order-no': orderNo },
    h('section', { class: 'panel', 'aria-label': 'Order' },
      h('p', {}, badge), banner, when,
      h('div', { class: 'actions' }, payButton, cancelButton), confirmBox, payMessage,
      lineTable(doc.order), address(doc.order.address)),
    h('section', { class: 'panel', 'aria-labelledby': 'progress-title', 'data-testid': 'progress' },
      h('h2', { id: 'progress-title' }, 'Across the services'),
      h('p', { class: 'muted' }, 'Each step appears when the service applying it has done so; this page asks every second.'),
      h('ol', { class: 'steps' }, paymentRow, effects.map(([key]) => rows[key])),
      progressText, slow, timedOut, pollError, checked),
    timeline.el,
    h('section', { class: 'panel', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'Status history'), history));
  el.append(page);

  let paying = false;
  let cancelling = false;
  let awaitingCheck = false; // the pay call answered 202: the check-back decides
  let sawHalf = false; // the pending half message has shown up since
  let timer = null;
  let asking = false;
  let started = Date.now();
  let cartCleaned = false; // the header's cart count is refreshed once the cart gave up the purchase

  function update(d) {
    if ((statusRank[d.order.status] ?? 0) < (statusRank[doc.order.status] ?? 0)) return; // stale
    doc = d;
    const o = d.order;
    page.dataset.status = o.status;
    page.dataset.final = String(d.final);
    page.dataset.complete = String(d.complete);
    badge.dataset.status = o.status;
    badge.className = `badge ${o.status.toLowerCase()}`;
    setText(badge, statusLabels[o.status] || o.status);
    banner.hidden = o.status !== 'CANCELLED';
    setText(banner, o.status === 'CANCELLED' ? `Cancelled${o.cancelReason ? `: ${o.cancelReason}` : ''}.` : '');
    setText(when, o.status === 'PENDING_PAYMENT'
      ? `Pay before ${dateTime(o.paymentDeadline)}, or the order is cancelled and its stock released.`
      : `Placed ${dateTime(o.createdAt)}.`);
    history.replaceChildren(...(o.history || []).map((c) =>
      h('li', {}, h('time', { datetime: c.at }, dateTime(c.at)), ` ${c.from ? `${c.from} → ` : ''}${c.to}`, c.reason ? ` (${c.reason})` : '')));
    setPayment(paymentRow, d);
    for (const [key] of effects) setEffect(rows[key], key, d);
    if (d.effects.cartCleaned.state === 'done' && !cartCleaned) {
      cartCleaned = true;
      ctx.app.refreshCart();
    }
    setText(progressText, summary(d));
    const paid = paidAt(d);
    slow.hidden = !(o.status === 'PAID' && !d.complete && paid && Date.parse(d.checkedAt) - Date.parse(paid) > slowMs);
    setText(checked, `Checked ${dateTime(d.checkedAt)}.`);
    if (awaitingCheck) settleCheck(d);
    buttons();
  }

  // settleCheck tells how a 202 PENDING payment ended. "Rolled back" needs to
  // have seen the half message first: with broker views off the state is
  // "none" all along.
  function settleCheck(d) {
    if (d.payment.state === 'awaiting_check') sawHalf = true;
    if (d.order.status === 'PAID') {
      awaitingCheck = false;
      setPayMessage('paid', 'The broker’s check-back settled it: the order is paid.');
    } else if (d.order.status === 'CANCELLED') {
      awaitingCheck = false;
      setPayMessage('error', 'The order was cancelled before the payment settled; any charge is refunded.');
    } else if (sawHalf && d.payment.state === 'none') {
      awaitingCheck = false;
      setPayMessage('error', 'The check-back rolled the payment back: nothing was charged. You can try again.');
    }
  }

  function buttons() {
    const o = doc.order;
    const payable = o.status === 'PENDING_PAYMENT';
    const settling = doc.payment.state === 'in_flight' || doc.payment.state === 'awaiting_check';
    for (const b of [payButton, cancelButton]) {
      if (!payable && document.activeElement === b) title.focus(); // keep focus somewhere sensible
      b.hidden = !payable;
    }
    if (!payable) closeConfirm();
    payButton.disabled = paying || cancelling || settling;
    setText(payButton, paying ? 'Paying…' : settling ? 'Payment pending…' : 'Pay with wallet');
    cancelButton.disabled = paying || cancelling || settling;
    confirmYes.disabled = cancelling;
  }

  function closeConfirm() {
    confirmBox.hidden = true;
    cancelButton.setAttribute('aria-expanded', 'false');
  }

  function setPayMessage(outcome, text, ...extra) {
    payMessage.dataset.outcome = outcome;
    payMessage.className = `pay-message ${outcome}`;
    if (extra.length) payMessage.replaceChildren(text, ...extra);
    else setText(payMessage, text);
  }

  // paidNow shows the pay call's answer at once: the order it returns is
  // PAID, so badge, payment step and buttons agree before the next poll.
  function paidNow(order) {
    const at = (order.history || []).filter((c) => c.to === 'PAID').map((c) => c.at).pop() || order.updatedAt;
    const payment = doc.payment.state === 'paid' ? doc.payment : { ...doc.payment, state: 'paid', at };
    update({ ...doc, order, payment, final: false, complete: false });
  }

  async function poll() {
    timer = null;
    asking = true;
    try {
      update(await api(path, { signal: ctx.signal }));
      pollError.hidden = true;
    } catch (err) {
      if (isAbort(err)) return;
      setText(pollError, `Progress is unavailable right now (${err.message}) Trying again…`);
      pollError.hidden = false;
      if (err.status === 401 || err.status === 404) return; // signed out, or not this user's order
    } finally {
      asking = false;
    }
    schedule();
  }

  function schedule() {
    if (ctx.signal.aborted || timer || asking) return;
    if (doc.final && !paying && !cancelling) return; // nothing changes by itself any more
    if (Date.now() - started > watchMs) {
      timedOut.hidden = false;
      return;
    }
    timer = setTimeout(poll, pollMs);
  }

  function watch() {
    started = Date.now();
    timedOut.hidden = true;
    if (!timer && !asking) poll();
    timeline.kick();
  }

  payButton.addEventListener('click', async () => {
    if (paying) return; // pay is idempotent anyway: one charge, one ORDER_PAID
    paying = true;
    clearMessages(); // "Order placed. Pay it…" is out of date now
    buttons();
    setPayMessage('paying', 'Paying from your wallet…');
    watch();
    try {
      const { status, data } = await request(`/api/order/orders/${encodeURIComponent(orderNo)}/pay`, { method: 'POST', signal: ctx.signal });
      if (status === 202) {
        awaitingCheck = true;
        sawHalf = false;
        setPayMessage('pending', 'Payment pending: the payment service did not answer in time. Waiting for the broker’s check-back, which settles it from the order service’s records…');
      } else if (data.outcome === 'ALREADY_PAID') {
        paidNow(data.order);
        setPayMessage('already_paid', 'This order was already paid; nothing was charged twice.');
      } else {
        paidNow(data.order);
        setPayMessage('paid', `Paid ${money(data.order.totalCents)} from your wallet.`);
      }
    } catch (err) {
      if (isAbort(err)) return;
      if (err.status === 402) {
        const d = err.details;
        const known = Number.isFinite(d.balanceCents) && Number.isFinite(d.amountCents);
        const why = known
          ? `your wallet holds ${money(d.balanceCents)} and the order costs ${money(d.amountCents)}`
          : err.message;
        const topUp = new URLSearchParams({ order: orderNo });
        if (known && d.amountCents > d.balanceCents) topUp.set('cents', String(d.amountCents - d.balanceCents));
        setPayMessage('declined', `Payment declined: ${why}. The order stays payable until its deadline. `,
          h('a', { href: `#/wallet?${topUp}`, 'data-testid': 'topup-link' }, 'Top up your wallet'), ', then pay again.');
      } else {
        setPayMessage('error', err.message);
      }
    } finally {
      paying = false;
      if (!ctx.signal.aborted) {
        buttons();
        watch();
      }
    }
  });

  // Cancel asks first, next to the button: cancelling cannot be undone.
  cancelButton.addEventListener('click', () => {
    confirmBox.hidden = false;
    cancelButton.setAttribute('aria-expanded', 'true');
    confirmNo.focus();
  });
  confirmNo.addEventListener('click', () => {
    closeConfirm();
    cancelButton.focus();
  });
  confirmYes.addEventListener('click', async () => {
    cancelling = true;
    buttons();
    try {
      const cancelled = await api(`/api/order/orders/${encodeURIComponent(orderNo)}/cancel`, { method: 'POST', signal: ctx.signal });
      if (cancelled && cancelled.status) update({ ...doc, order: cancelled, final: false, complete: false });
      announce(`Order ${orderNo} cancelled.`);
    } catch (err) {
      if (!isAbort(err)) showError(err);
    } finally {
      cancelling = false;
      if (!ctx.signal.aborted) {
        buttons();
        watch();
      }
    }
  });

  keepWatching.addEventListener('click', watch);
  ctx.signal.addEventListener('abort', () => clearTimeout(timer));
  update(doc);
  schedule();
}

function lineTable(o) {
  return h('table', { class: 'lines', 'data-testid': 'order-lines' },
    h('caption', { class: 'visually-hidden' }, 'Items in this order'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Product'), h('th', { scope: 'col' }, 'Qty'),
      h('th', { scope: 'col' }, 'Price'), h('th', { scope: 'col' }, 'Total'))),
    h('tbody', {}, (o.lines || []).map((l) => h('tr', { 'data-sku': l.sku },
      h('td', {}, l.name || l.sku), h('td', {}, String(l.quantity)), h('td', {}, money(l.unitPriceCents)),
      h('td', {}, money(l.lineTotalCents ?? l.unitPriceCents * l.quantity))))),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: 3 }, 'Total'),
      h('td', { 'data-testid': 'order-total', 'data-cents': o.totalCents }, money(o.totalCents)))));
}

function address(a) {
  if (!a) return null;
  const parts = [a.name, a.line1, a.line2, `${a.postalCode || ''} ${a.city || ''}`.trim(), a.country, a.phone].filter(Boolean);
  return h('div', { class: 'address' }, h('h2', {}, 'Ships to'), h('address', {}, parts.map((p) => h('div', {}, p))));
}
