// My orders: the signed-in user's orders, newest first.
import { api } from '../api.js';
import { h, money, dateTime, heading, signInPrompt } from '../ui.js';

const labels = { PENDING_PAYMENT: 'Awaiting payment', PAID: 'Paid', CANCELLED: 'Cancelled' };

/** list is the orders page. */
export async function list(el, ctx) {
  el.append(heading('My orders'));
  if (!ctx.app.user) {
    el.append(signInPrompt('see your orders'));
    return;
  }
  const { orders } = await api('/api/order/orders?limit=50', { signal: ctx.signal });
  if (orders.length === 0) {
    el.append(h('p', { 'data-testid': 'orders-empty' }, 'No orders yet. ', h('a', { href: '#/' }, 'Start shopping')));
    return;
  }
  el.append(h('table', { class: 'orders', 'data-testid': 'orders-list' },
    h('caption', { class: 'visually-hidden' }, 'Your orders, newest first'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Order'), h('th', { scope: 'col' }, 'Placed'),
      h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Total'))),
    h('tbody', {}, orders.map((o) => h('tr', { 'data-testid': 'order-row', 'data-order-no': o.orderNo, 'data-status': o.status },
      h('td', {}, h('a', { href: `#/orders/${encodeURIComponent(o.orderNo)}`, 'data-testid': 'order-link' }, o.orderNo)),
      h('td', {}, dateTime(o.createdAt)),
      h('td', {}, h('span', { class: `badge ${o.status.toLowerCase()}` }, labels[o.status] || o.status)),
      h('td', {}, money(o.totalCents)))))));
}
