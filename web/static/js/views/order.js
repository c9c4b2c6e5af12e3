// One order: pay it with the wallet and points, cancel it, cancel and refund
// it once paid, request its return once delivered, and watch ORDER_PAID's
// and ORDER_REFUNDED's effects arrive in the other services (eventual
// consistency, live).
import { api, request, isAbort } from '../api.js';
import { h, money, dateTime, announce, showError, clearMessages, heading, signInPrompt, number, fieldMessage } from '../ui.js';
import { effects, deliverySteps, refundSteps, step, setPayment, setEffect, setDelivery, setRefund, setText, summary, paidAt } from './progress.js';
import { timelinePanel } from './timeline.js';
import { t, tx, statusName, reasonName } from '../i18n.js';

const pollMs = 1000; // how often progress is asked
const watchMs = 3 * 60 * 1000; // polling stops after this long without a final state
const slowMs = 30 * 1000; // effects not all done this long after payment: say so

// An order only moves forward: PENDING_PAYMENT → PAID or CANCELLED, PAID →
// SHIPPED → COMPLETED → RETURN_REQUESTED, and PAID or RETURN_REQUESTED →
// REFUNDING → REFUNDED. A progress answer that was on its way before an
// action answered must not take the page back.
const statusRank = { PENDING_PAYMENT: 0, PAID: 1, CANCELLED: 1, SHIPPED: 2, COMPLETED: 3, RETURN_REQUESTED: 4, REFUNDING: 5, REFUNDED: 6 };

const centsPerPoint = 1; // 100 points pay $1.00

/** view is the order page. */
export async function view(el, ctx) {
  const [orderNo] = ctx.params;
  const title = heading(t('order.title', { orderNo }));
  el.append(h('p', { class: 'breadcrumb' }, h('a', { href: '#/orders' }, t('order.back'))), title);
  if (!ctx.app.user) {
    el.append(signInPrompt('signin.forOrders'));
    return;
  }
  const path = `/api/progress/${encodeURIComponent(orderNo)}`;
  let doc = await api(path, { signal: ctx.signal }); // 404 for someone else's order: the page shows the error

  const badge = h('span', { class: 'badge', 'data-testid': 'order-status' });
  const banner = h('p', { class: 'banner', 'data-testid': 'order-cancelled', hidden: true });
  const when = h('p', { class: 'muted', 'data-testid': 'order-deadline' });
  const payButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'pay-button' }, t('order.pay'));
  const cancelButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'cancel-button', 'aria-expanded': 'false', 'aria-controls': 'cancel-confirm' }, t('order.cancel'));
  const confirmYes = h('button', { type: 'button', class: 'primary danger', 'data-testid': 'cancel-confirm-yes' }, t('order.cancelYes'));
  const confirmNo = h('button', { type: 'button', class: 'secondary', 'data-testid': 'cancel-confirm-no' }, t('order.cancelNo'));
  const confirmBox = h('div', { id: 'cancel-confirm', class: 'confirm', 'data-testid': 'cancel-confirm', hidden: true },
    h('p', {}, t('order.cancelAsk')),
    h('div', { class: 'actions' }, confirmYes, confirmNo));
  const pointsInput = h('input', { id: 'points-to-use', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: '0',
    'data-testid': 'points-to-use', 'aria-describedby': 'points-help points-error' });
  const pointsHelp = h('p', { id: 'points-help', class: 'muted small', 'data-testid': 'points-help' });
  const pointsError = h('p', { id: 'points-error', class: 'field-error', role: 'alert', 'data-testid': 'points-error', hidden: true });
  const pointsBox = h('div', { class: 'points-to-use', 'data-testid': 'points-box', hidden: true },
    h('label', { for: 'points-to-use' }, t('pay.points')), pointsHelp, h('div', { class: 'inline' }, pointsInput), pointsError);
  const split = h('p', { class: 'muted', 'data-testid': 'order-split', hidden: true });
  const refundButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'refund-button', 'aria-expanded': 'false', 'aria-controls': 'refund-confirm', hidden: true }, t('order.refund'));
  const refundYes = h('button', { type: 'button', class: 'primary danger', 'data-testid': 'refund-confirm-yes' }, t('order.refundYes'));
  const refundNo = h('button', { type: 'button', class: 'secondary', 'data-testid': 'refund-confirm-no' }, t('order.cancelNo'));
  const refundBox = h('div', { id: 'refund-confirm', class: 'confirm', 'data-testid': 'refund-confirm', hidden: true },
    h('p', {}, t('order.refundAsk')), h('div', { class: 'actions' }, refundYes, refundNo));
  const returnButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'return-button', 'aria-expanded': 'false', 'aria-controls': 'return-confirm', hidden: true }, t('order.return'));
  const returnYes = h('button', { type: 'button', class: 'primary', 'data-testid': 'return-confirm-yes' }, t('order.returnYes'));
  const returnNo = h('button', { type: 'button', class: 'secondary', 'data-testid': 'return-confirm-no' }, t('order.cancelNo'));
  const returnBox = h('div', { id: 'return-confirm', class: 'confirm', 'data-testid': 'return-confirm', hidden: true },
    h('p', {}, t('order.returnAsk')), h('div', { class: 'actions' }, returnYes, returnNo));
  const returnWaiting = h('p', { class: 'notice', 'data-testid': 'return-waiting', hidden: true }, t('order.returnWaiting'));
  const payMessage = h('p', { class: 'pay-message', 'data-testid': 'pay-message', 'aria-live': 'polite' });
  const history = h('ol', { class: 'history', 'data-testid': 'order-history' });
  const paymentRow = step('payment-state', t('progress.payment'), 'order + payment + broker');
  const rows = Object.fromEntries(effects.map(([key, name, svc]) => [key, step(`effect-${key}`, t(name), svc)]));
  const deliveryRows = Object.fromEntries(deliverySteps.map(([key, name, svc]) => [key, step(`after-${key}`, t(name), svc)]));
  const refundRows = Object.fromEntries(refundSteps.map(([key, name, svc]) => [key, step(`refund-${key}`, t(name), svc)]));
  const progressText = h('p', { class: 'progress-summary', 'data-testid': 'progress-summary', 'aria-live': 'polite' });
  const slow = h('p', { class: 'warning', 'data-testid': 'progress-slow', hidden: true },
    ...tx('progress.slow', { audit: h('a', { href: '#/consistency' }, t('progress.runAudit')) }));
  const keepWatching = h('button', { type: 'button', class: 'secondary', 'data-testid': 'keep-watching' }, t('progress.keepWatching'));
  const timedOut = h('div', { class: 'notice', 'data-testid': 'progress-timeout', hidden: true },
    h('p', {}, t('progress.stopped')), keepWatching);
  const pollError = h('p', { class: 'error', 'data-testid': 'progress-error', role: 'alert', hidden: true });
  const checked = h('p', { class: 'muted small', 'data-testid': 'progress-checked' });
  const timeline = timelinePanel({ path: `/api/timeline/${encodeURIComponent(orderNo)}`, signal: ctx.signal,
    settled: () => doc.final && !paying && !cancelling && !acting });
  const page = h('div', { class: 'order', 'data-testid': 'order-view', 'data-order-no': orderNo },
    h('section', { class: 'panel', 'aria-label': t('orders.order') },
      h('p', {}, badge), banner, when, split, pointsBox,
      h('div', { class: 'actions' }, payButton, cancelButton, refundButton, returnButton), confirmBox, refundBox, returnBox,
      returnWaiting, payMessage,
      lineTable(doc.order), address(doc.order.address)),
    h('section', { class: 'panel', 'aria-labelledby': 'progress-title', 'data-testid': 'progress' },
      h('h2', { id: 'progress-title' }, t('progress.title')),
      h('p', { class: 'muted' }, t('progress.intro')),
      h('ol', { class: 'steps' }, paymentRow, effects.map(([key]) => rows[key])),
      progressText, slow, timedOut, pollError, checked),
    h('section', { class: 'panel', 'aria-labelledby': 'after-title', 'data-testid': 'after-pay' },
      h('h2', { id: 'after-title' }, t('progress.after')),
      h('p', { class: 'muted' }, t('progress.afterIntro')),
      h('ol', { class: 'steps' }, deliverySteps.map(([key]) => deliveryRows[key]), refundSteps.map(([key]) => refundRows[key]))),
    timeline.el,
    h('section', { class: 'panel', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, t('order.history')), history));
  el.append(page);

  let paying = false;
  let cancelling = false;
  let acting = false; // a refund or return request is on its way
  let pointsBalance = null; // the shopper's points, once read (null: unknown)
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
    setText(badge, statusName(o.status));
    banner.hidden = o.status !== 'CANCELLED';
    setText(banner, o.status === 'CANCELLED' ? (o.cancelReason ? t('order.cancelledWhy', { reason: reasonName(o.cancelReason) }) : t('order.cancelled')) : '');
    setText(when, o.status === 'PENDING_PAYMENT'
      ? t('order.deadline', { time: dateTime(o.paymentDeadline) })
      : t('order.placedAt', { time: dateTime(o.createdAt) }));
    history.replaceChildren(...(o.history || []).map((c) =>
      h('li', {}, h('time', { datetime: c.at }, dateTime(c.at)), ' ', c.from ? `${statusName(c.from)} → ` : '', statusName(c.to), c.reason ? t('tl.why', { detail: reasonName(c.reason) }) : '')));
    setPayment(paymentRow, d);
    for (const [key] of effects) setEffect(rows[key], key, d);
    for (const [key] of deliverySteps) setDelivery(deliveryRows[key], key, d);
    for (const [key] of refundSteps) setRefund(refundRows[key], key, d);
    split.hidden = statusRank[o.status] < 1 || o.status === 'CANCELLED' || o.chargedCents === undefined;
    setText(split, o.pointsApplied > 0
      ? t('order.split', { points: number(o.pointsApplied), value: money(o.pointsApplied * centsPerPoint), charged: money(o.chargedCents) })
      : t('order.splitWallet', { charged: money(o.chargedCents ?? o.totalCents) }));
    split.dataset.points = String(o.pointsApplied || 0);
    split.dataset.charged = String(o.chargedCents ?? '');
    returnWaiting.hidden = o.status !== 'RETURN_REQUESTED';
    if (d.effects.cartCleaned.state === 'done' && !cartCleaned) {
      cartCleaned = true;
      ctx.app.refreshCart();
    }
    setText(progressText, summary(d));
    const paid = paidAt(d);
    slow.hidden = !(o.status === 'PAID' && !d.complete && paid && Date.parse(d.checkedAt) - Date.parse(paid) > slowMs);
    setText(checked, t('progress.checked', { time: dateTime(d.checkedAt) }));
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
      setPayMessage('paid', t('pay.checkPaid'));
    } else if (d.order.status === 'CANCELLED') {
      awaitingCheck = false;
      setPayMessage('error', t('pay.checkCancelled'));
    } else if (sawHalf && d.payment.state === 'none') {
      awaitingCheck = false;
      setPayMessage('error', t('pay.checkRolledBack'));
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
    pointsBox.hidden = !payable || pointsBalance === null;
    pointsInput.disabled = paying || settling;
    const refundable = o.status === 'PAID' && doc.afterPay && doc.afterPay.shipped.state !== 'done';
    const returnable = o.status === 'COMPLETED';
    for (const [b, shown, box] of [[refundButton, refundable, refundBox], [returnButton, returnable, returnBox]]) {
      if (!shown && document.activeElement === b) title.focus();
      b.hidden = !shown;
      b.disabled = acting;
      if (!shown) closeBox(b, box);
    }
    refundYes.disabled = acting;
    returnYes.disabled = acting;
    setText(refundButton, acting && refundable ? t('order.refunding') : t('order.refund'));
    payButton.disabled = paying || cancelling || settling;
    setText(payButton, paying ? t('order.paying') : settling ? t('order.payPending') : t('order.pay'));
    cancelButton.disabled = paying || cancelling || settling;
    confirmYes.disabled = cancelling;
  }

  function closeConfirm() {
    closeBox(cancelButton, confirmBox);
  }

  function closeBox(button, box) {
    box.hidden = true;
    button.setAttribute('aria-expanded', 'false');
  }

  // maxPoints is the most points this order can take: the balance, at most the total.
  function maxPoints() {
    return Math.max(0, Math.min(pointsBalance ?? 0, Math.floor(doc.order.totalCents / centsPerPoint)));
  }

  async function loadPoints() {
    try {
      const p = await api('/api/points/points', { signal: ctx.signal });
      pointsBalance = Number(p.balance) || 0;
      setText(pointsHelp, t('pay.pointsHelp', { balance: number(pointsBalance), max: number(maxPoints()) }));
      pointsBox.dataset.balance = String(pointsBalance);
    } catch (err) {
      if (isAbort(err)) return;
      pointsBalance = null;
      setPayMessage('info', t('pay.pointsUnknown'));
    }
    buttons();
  }

  // pointsToUse reads the points field: a whole number 0..maxPoints, or null (and says why).
  function pointsToUse() {
    if (pointsBox.hidden) return 0;
    const raw = pointsInput.value.trim();
    const n = raw === '' ? 0 : Number(raw);
    if (!/^[0-9]*$/.test(raw) || !Number.isSafeInteger(n) || n > maxPoints()) {
      fieldMessage(pointsError, pointsInput, t('pay.pointsInvalid', { max: number(maxPoints()) }));
      pointsInput.focus();
      return null;
    }
    fieldMessage(pointsError, pointsInput, '');
    return n;
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
      setText(pollError, t('progress.unavailable', { message: err.message }));
      pollError.hidden = false;
      if (err.status === 401 || err.status === 404) return; // signed out, or not this user's order
    } finally {
      asking = false;
    }
    schedule();
  }

  function schedule() {
    if (ctx.signal.aborted || timer || asking) return;
    if (doc.final && !paying && !cancelling && !acting) return; // nothing changes by itself any more
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
    const points = pointsToUse();
    if (points === null) return;
    paying = true;
    clearMessages(); // "Order placed. Pay it…" is out of date now
    buttons();
    setPayMessage('paying', t('pay.paying'));
    watch();
    try {
      const body = points > 0 ? { pointsToUse: points } : undefined;
      const { status, data } = await request(`/api/order/orders/${encodeURIComponent(orderNo)}/pay`, { method: 'POST', body, signal: ctx.signal });
      if (status === 202) {
        awaitingCheck = true;
        sawHalf = false;
        setPayMessage('pending', t('pay.pending'));
      } else if (data.outcome === 'ALREADY_PAID') {
        paidNow(data.order);
        setPayMessage('already_paid', t('pay.alreadyPaid'));
      } else {
        paidNow(data.order);
        setPayMessage('paid', data.order.pointsApplied > 0
          ? t('pay.paidSplit', { charged: money(data.order.chargedCents), points: number(data.order.pointsApplied) })
          : t('pay.paid', { amount: money(data.order.totalCents) }));
      }
    } catch (err) {
      if (isAbort(err)) return;
      if (err.status === 402) {
        const d = err.details;
        const known = Number.isFinite(d.balanceCents) && Number.isFinite(d.amountCents);
        const why = known
          ? t('pay.short', { balance: money(d.balanceCents), amount: money(d.amountCents) })
          : err.message;
        const topUp = new URLSearchParams({ order: orderNo });
        if (known && d.amountCents > d.balanceCents) topUp.set('cents', String(d.amountCents - d.balanceCents));
        setPayMessage('declined', ...tx('pay.declined', { why,
          link: h('a', { href: `#/wallet?${topUp}`, 'data-testid': 'topup-link' }, t('pay.topUp')) }));
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

  // Cancel, cancel-and-refund and the return ask first, next to the
  // button: none can be undone. Each answer is the order in its new state,
  // and the page then watches its effects arrive. busy marks the call in
  // flight (cancelling, or acting for the other two).
  const confirmFlow = (button, box, no, yes, path, done, busy) => {
    button.addEventListener('click', () => {
      box.hidden = false;
      button.setAttribute('aria-expanded', 'true');
      no.focus();
    });
    no.addEventListener('click', () => {
      closeBox(button, box);
      button.focus();
    });
    yes.addEventListener('click', async () => {
      busy(true);
      buttons();
      try {
        const o = await api(`/api/order/orders/${encodeURIComponent(orderNo)}/${path}`, { method: 'POST', signal: ctx.signal });
        if (o && o.status) update({ ...doc, order: o, final: false, complete: false });
        closeBox(button, box);
        announce(t(done, { orderNo }));
      } catch (err) {
        if (!isAbort(err)) showError(err);
      } finally {
        busy(false);
        if (!ctx.signal.aborted) {
          buttons();
          watch();
        }
      }
    });
  };
  confirmFlow(cancelButton, confirmBox, confirmNo, confirmYes, 'cancel', 'order.cancelledNow', (v) => { cancelling = v; });
  confirmFlow(refundButton, refundBox, refundNo, refundYes, 'refund', 'order.refundStarted', (v) => { acting = v; });
  confirmFlow(returnButton, returnBox, returnNo, returnYes, 'return', 'order.returnRequested', (v) => { acting = v; });

  keepWatching.addEventListener('click', watch);
  ctx.signal.addEventListener('abort', () => clearTimeout(timer));
  update(doc);
  schedule();
  if (doc.order.status === 'PENDING_PAYMENT') loadPoints();
}

function lineTable(o) {
  return h('table', { class: 'lines', 'data-testid': 'order-lines' },
    h('caption', { class: 'visually-hidden' }, t('order.items')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('order.product')), h('th', { scope: 'col' }, t('cart.qty')),
      h('th', { scope: 'col' }, t('order.price')), h('th', { scope: 'col' }, t('cart.total')))),
    h('tbody', {}, (o.lines || []).map((l) => h('tr', { 'data-sku': l.sku },
      h('td', {}, l.name || l.sku), h('td', {}, String(l.quantity)), h('td', {}, money(l.unitPriceCents)),
      h('td', {}, money(l.lineTotalCents ?? l.unitPriceCents * l.quantity))))),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: 3 }, t('cart.total')),
      h('td', { 'data-testid': 'order-total', 'data-cents': o.totalCents }, money(o.totalCents)))));
}

function address(a) {
  if (!a) return null;
  const parts = [a.name, a.line1, a.line2, `${a.postalCode || ''} ${a.city || ''}`.trim(), a.country, a.phone].filter(Boolean);
  return h('div', { class: 'address' }, h('h2', {}, t('order.shipsTo')), h('address', {}, parts.map((p) => h('div', {}, p))));
}
