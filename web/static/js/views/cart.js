// The cart: change quantities, remove lines, see totals, go to checkout.
import { api, isAbort } from '../api.js';
import { h, money, announce, fieldMessage, heading, signInPrompt } from '../ui.js';
import { cartSignature, loadAttempt, placedOrder } from './checkout.js';
import { t } from '../i18n.js';

/** view is the cart page. */
export async function view(el, ctx) {
  el.append(heading(t('cart.title')));
  if (!ctx.app.user) {
    el.append(signInPrompt('signin.forCart'));
    return;
  }
  const body = h('div', { 'data-testid': 'cart' });
  el.append(body);
  const data = await api('/api/cart/cart', { signal: ctx.signal });
  // The cart keeps an order's items until it is paid: say which order has them.
  const attempt = loadAttempt(ctx.app.user.userId);
  const placed = data.itemCount > 0 && attempt && attempt.cart === cartSignature(data) ? await placedOrder(attempt, ctx.signal) : null;
  if (placed) {
    el.insertBefore(h('p', { class: 'notice', 'data-testid': 'cart-placed', 'data-order-no': placed.orderNo },
      t('cart.placed', { orderNo: placed.orderNo }), ' ',
      h('a', { href: `#/orders/${encodeURIComponent(placed.orderNo)}` }, t('order.open', { orderNo: placed.orderNo }))), body);
  }
  draw(body, ctx, data);
}

function draw(body, ctx, cart) {
  if (cart.lines.length === 0) {
    body.replaceChildren(h('p', { 'data-testid': 'cart-empty' }, t('cart.empty'), ' ',
      h('a', { href: '#/' }, t('cart.browse'))));
    return;
  }
  const list = h('ul', { class: 'cart-lines', 'data-testid': 'cart-lines' });
  for (const line of cart.lines) list.append(lineItem(body, ctx, line));
  body.replaceChildren(list,
    h('div', { class: 'cart-summary' },
      h('p', {}, t('cart.items', { n: cart.itemCount })),
      h('p', { class: 'total' }, t('cart.total'), ' ',
        h('strong', { 'data-testid': 'cart-total', 'data-cents': cart.totalCents }, money(cart.totalCents))),
      cart.itemCount > 0
        ? h('a', { class: 'button primary', href: '#/checkout', 'data-testid': 'checkout-link' }, t('cart.checkout'))
        : null));
}

function lineItem(body, ctx, line) {
  const id = `qty-${line.sku}`;
  // Mistakes and refusals for this line are shown on the line itself.
  const lineError = h('p', { id: `error-${id}`, class: 'field-error line-error', role: 'alert', 'data-testid': 'line-error', hidden: true });
  let qty = null;
  const remove = h('button', { type: 'button', class: 'secondary line-remove', 'data-testid': 'line-remove', 'aria-label': t('cart.removeLabel', { name: line.name || line.sku }) }, t('cart.remove'));
  remove.addEventListener('click', () => change(body, ctx, remove, lineError, null, t('cart.removed', { name: line.name || line.sku }),
    () => api(`/api/cart/cart/items/${encodeURIComponent(line.sku)}`, { method: 'DELETE', signal: ctx.signal })));

  let form = null;
  if (!line.discontinued) {
    qty = h('input', {
      id, type: 'number', min: 1, max: 99, value: String(line.quantity), inputmode: 'numeric', 'data-testid': 'line-quantity',
      'aria-describedby': `error-${id}`,
    });
    const update = h('button', { type: 'submit', class: 'secondary', 'data-testid': 'line-update' }, t('cart.update'));
    form = h('form', { class: 'qty-form', novalidate: true },
      h('label', { for: id }, h('span', { class: 'visually-hidden' }, t('cart.quantityOf', { name: line.name })), h('span', { 'aria-hidden': 'true' }, t('cart.qty'))),
      qty, update);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const n = Number(qty.value);
      if (!Number.isInteger(n) || n < 1 || n > 99) {
        fieldMessage(lineError, qty, t('cart.quantityInvalid'));
        lineError.dataset.code = 'VALIDATION';
        qty.focus();
        return;
      }
      change(body, ctx, update, lineError, qty, t('cart.quantitySet', { name: line.name, n }),
        () => api(`/api/cart/cart/items/${encodeURIComponent(line.sku)}`, { method: 'PUT', body: { quantity: n }, signal: ctx.signal }));
    });
  }

  return h('li', { class: 'cart-line', 'data-testid': 'cart-line', 'data-sku': line.sku, 'data-quantity': line.quantity },
    line.imageUrl ? h('img', { src: line.imageUrl, alt: '', width: 96, height: 72 }) : h('span', { class: 'thumb' }),
    h('div', { class: 'line-info' },
      line.discontinued
        ? h('p', { class: 'name' }, line.sku, ' — ', h('em', {}, t('cart.discontinued')))
        : h('p', { class: 'name' }, h('a', { href: `#/product/${encodeURIComponent(line.sku)}` }, line.name)),
      line.discontinued ? null : h('p', { class: 'muted' }, t('cart.each', { price: money(line.unitPriceCents) })),
      !line.discontinued && line.quantity > line.available
        ? h('p', { class: 'warning', 'data-testid': 'line-short' }, t('cart.short', { n: line.available }))
        : null),
    form,
    h('p', { class: 'line-total', 'data-testid': 'line-total', 'data-cents': line.lineTotalCents }, money(line.lineTotalCents)),
    remove, lineError);
}

/** change runs one cart call, then redraws the cart from the service's answer; a refusal shows on the line. */
async function change(body, ctx, button, lineError, input, done, call) {
  button.disabled = true;
  fieldMessage(lineError, input, '');
  try {
    const cart = await call();
    draw(body, ctx, cart);
    const placed = body.parentNode && body.parentNode.querySelector('[data-testid="cart-placed"]');
    if (placed) placed.remove(); // a changed cart is no longer that order's

    announce(done);
    ctx.app.refreshCart();
    const title = document.querySelector('#main h1');
    if (title && !body.contains(document.activeElement)) title.focus();
  } catch (err) {
    if (!isAbort(err)) {
      fieldMessage(lineError, input, err.message);
      lineError.dataset.code = err.code || 'ERROR';
    }
    button.disabled = false;
  }
}
