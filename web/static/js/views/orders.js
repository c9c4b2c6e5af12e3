// My orders: the signed-in user's orders, newest first.
import { api } from '../api.js';
import { h, money, dateTime, heading, signInPrompt } from '../ui.js';
import { t, statusName } from '../i18n.js';

/** list is the orders page. */
export async function list(el, ctx) {
  el.append(heading(t('orders.title')));
  if (!ctx.app.user) {
    el.append(signInPrompt('signin.forOrders'));
    return;
  }
  const { orders } = await api('/api/order/orders?limit=50', { signal: ctx.signal });
  if (orders.length === 0) {
    el.append(h('p', { 'data-testid': 'orders-empty' }, t('orders.empty'), ' ', h('a', { href: '#/' }, t('orders.shop'))));
    return;
  }
  el.append(h('table', { class: 'orders', 'data-testid': 'orders-list' },
    h('caption', { class: 'visually-hidden' }, t('orders.caption')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('orders.order')), h('th', { scope: 'col' }, t('orders.placed')),
      h('th', { scope: 'col' }, t('orders.status')), h('th', { scope: 'col' }, t('orders.total')))),
    h('tbody', {}, orders.map((o) => h('tr', { 'data-testid': 'order-row', 'data-order-no': o.orderNo, 'data-status': o.status },
      h('td', {}, h('a', { href: `#/orders/${encodeURIComponent(o.orderNo)}`, 'data-testid': 'order-link' }, o.orderNo)),
      h('td', {}, dateTime(o.createdAt)),
      h('td', {}, h('span', { class: `badge ${o.status.toLowerCase()}` }, statusName(o.status))),
      h('td', {}, money(o.totalCents)))))));
}
