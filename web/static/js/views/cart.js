// The cart: change quantities, remove lines, see totals, go to checkout.
import { api, isAbort } from '../api.js';
import { h, money, announce, fieldMessage, heading, signInPrompt } from '../ui.js';
import { cartSignature, loadAttempt, placedOrder } from './checkout.js';

/** view is the cart page. */
export async function view(el, ctx) {
  el.append(heading('Your cart'));
  if (!ctx.app.user) {
    el.append(signInPrompt('fill a cart'));
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
      `These items are in your order ${placed.orderNo}; they leave the cart once it is paid. `,
      h('a', { href: `#/orders/${encodeURIComponent(placed.orderNo)}` }, `Open order ${placed.orderNo}`)), body);
  }
  draw(body, ctx, data);
}

function draw(body, ctx, cart) {
  if (cart.lines.length === 0) {
    body.replaceChildren(h('p', { 'data-testid': 'cart-empty' }, 'Your cart is empty. ',
      h('a', { href: '#/' }, 'Browse the catalogue')));
    return;
  }
  const list = h('ul', { class: 'cart-lines', 'data-testid': 'cart-lines' });
  for (const line of cart.lines) list.append(lineItem(body, ctx, line));
  body.replaceChildren(list,
    h('div', { class: 'cart-summary' },
      h('p', {}, `${cart.itemCount} item${cart.itemCount === 1 ? '' : 's'}`),
      h('p', { class: 'total' }, 'Total ',
        h('strong', { 'data-testid': 'cart-total', 'data-cents': cart.totalCents }, money(cart.totalCents))),
      cart.itemCount > 0
        ? h('a', { class: 'button primary', href: '#/checkout', 'data-testid': 'checkout-link' }, 'Go to checkout')
        : null));
}

function lineItem(body, ctx, line) {
  const id = `qty-${line.sku}`;
  // Mistakes and refusals for this line are shown on the line itself.
  const lineError = h('p', { id: `error-${id}`, class: 'field-error line-error', role: 'alert', 'data-testid': 'line-error', hidden: true });
  let qty = null;
  const remove = h('button', { type: 'button', class: 'secondary line-remove', 'data-testid': 'line-remove', 'aria-label': `Remove ${line.name || line.sku}` }, 'Remove');
  remove.addEventListener('click', () => change(body, ctx, remove, lineError, null, `Removed ${line.name || line.sku}.`,
    () => api(`/api/cart/cart/items/${encodeURIComponent(line.sku)}`, { method: 'DELETE', signal: ctx.signal })));

  let form = null;
  if (!line.discontinued) {
    qty = h('input', {
      id, type: 'number', min: 1, max: 99, value: String(line.quantity), inputmode: 'numeric', 'data-testid': 'line-quantity',
      'aria-describedby': `error-${id}`,
    });
    const update = h('button', { type: 'submit', class: 'secondary', 'data-testid': 'line-update' }, 'Update');
    form = h('form', { class: 'qty-form', novalidate: true },
      h('label', { for: id }, h('span', { class: 'visually-hidden' }, `Quantity of ${line.name}`), h('span', { 'aria-hidden': 'true' }, 'Qty')),
      qty, update);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const n = Number(qty.value);
      if (!Number.isInteger(n) || n < 1 || n > 99) {
        fieldMessage(lineError, qty, 'Enter a whole number from 1 to 99, or use Remove to take the product out.');
        lineError.dataset.code = 'VALIDATION';
        qty.focus();
        return;
      }
      change(body, ctx, update, lineError, qty, `${line.name}: quantity set to ${n}.`,
        () => api(`/api/cart/cart/items/${encodeURIComponent(line.sku)}`, { method: 'PUT', body: { quantity: n }, signal: ctx.signal }));
    });
  }

  return h('li', { class: 'cart-line', 'data-testid': 'cart-line', 'data-sku': line.sku, 'data-quantity': line.quantity },
    line.imageUrl ? h('img', { src: line.imageUrl, alt: '', width: 96, height: 72 }) : h('span', { class: 'thumb' }),
    h('div', { class: 'line-info' },
      line.discontinued
        ? h('p', { class: 'name' }, line.sku, ' — ', h('em', {}, 'no longer sold'))
        : h('p', { class: 'name' }, h('a', { href: `#/product/${encodeURIComponent(line.sku)}` }, line.name)),
      line.discontinued ? null : h('p', { class: 'muted' }, `${money(line.unitPriceCents)} each`),
      !line.discontinued && line.quantity > line.available
        ? h('p', { class: 'warning', 'data-testid': 'line-short' }, `Only ${line.available} available now`)
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
