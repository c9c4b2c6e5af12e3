// The trainer page's after-payment moves: the paid, shipped and
// return-requested orders of every shopper, each with the one move that
// takes it on. Ship and Deliver are logistics' admin moves (it publishes
// SHIPMENT_SHIPPED and SHIPMENT_DELIVERED transactionally, and the order
// service moves the order PAID → SHIPPED → COMPLETED); Accept the return is
// the order service's (RETURN_REQUESTED → REFUNDING, ORDER_REFUNDED out).
import { isAbort } from '../api.js';
import { h, money, dateTime, announce, showError } from '../ui.js';
import { t, statusName } from '../i18n.js';

// moves maps an order status to the move the trainer can make on it: the
// gateway's action (POST /api/trainer/orders/{orderNo}/{action}) and its button's words.
const moves = {
  PAID: ['ship', 'trainer.ship'],
  SHIPPED: ['deliver', 'trainer.deliver'],
  RETURN_REQUESTED: ['accept-return', 'trainer.acceptReturn'],
};

const perStatus = 20; // the newest orders of each status shown

/** ordersPart lists the orders waiting for a move; call is the trainer's API call. */
export function ordersPart(call, signal) {
  const list = h('div', { 'data-testid': 'trainer-orders-list' });
  const refresh = h('button', { type: 'button', class: 'secondary', 'data-testid': 'trainer-orders-refresh' }, t('trainer.refresh'));
  const el = h('section', { class: 'panel', 'aria-labelledby': 'trainer-orders-title', 'data-testid': 'trainer-orders' },
    h('h2', { id: 'trainer-orders-title' }, t('trainer.orders')),
    h('p', { class: 'muted small' }, t('trainer.ordersIntro')),
    h('div', { class: 'actions' }, refresh), list);
  let busy = false;

  async function load() {
    const lists = await Promise.all(Object.keys(moves).map((status) =>
      call(`/api/trainer/orders?${new URLSearchParams({ status, limit: String(perStatus) })}`, { signal })));
    const orders = lists.flatMap((l) => l.orders || [])
      .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
    list.replaceChildren(orders.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'trainer-orders-empty' }, t('trainer.ordersEmpty'))
      : h('ul', { class: 'plain' }, orders.map(row)));
  }

  function row(o) {
    const [action, label] = moves[o.status];
    const button = h('button', { type: 'button', class: 'primary', 'data-testid': `trainer-${action}`, 'data-order-no': o.orderNo }, t(label));
    button.addEventListener('click', () => move(o.orderNo, action, label, button));
    return h('li', { 'data-testid': 'trainer-order', 'data-order-no': o.orderNo, 'data-status': o.status },
      h('a', { href: `#/timeline/${encodeURIComponent(o.orderNo)}` }, o.orderNo),
      ` · ${o.userId} · ${money(o.totalCents)} · ${statusName(o.status)} · ${dateTime(o.updatedAt)} `, button);
  }

  async function move(orderNo, action, label, button) {
    if (busy) return;
    busy = true;
    button.disabled = true;
    try {
      await call(`/api/trainer/orders/${encodeURIComponent(orderNo)}/${action}`, { method: 'POST', signal });
      announce(t('trainer.moved', { orderNo, move: t(label) }));
    } catch (err) {
      if (!isAbort(err)) showError(err);
    } finally {
      busy = false;
      button.disabled = false;
    }
    // The shipment events reach the order service in a moment; the list
    // shows the order's state as the order service has it now.
    await load().catch((err) => { if (!isAbort(err)) showError(err); });
  }

  refresh.addEventListener('click', () => load().catch((err) => { if (!isAbort(err)) showError(err); }));
  return { el, load };
}
