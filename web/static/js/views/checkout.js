// Checkout: the shipping address form that places an order from the cart.
//
// One checkout attempt per cart content, kept in sessionStorage with its
// Idempotency-Key and address: a double click, a retry after a network
// error, a reload or the browser's Back button sends the same key and body,
// so the order service answers with the order it already made instead of
// making a second one (and reserving the stock twice). Once an order is
// placed, coming back to checkout with the same cart says so and links to
// it; only an explicit "order again", a changed cart or a cancelled order
// starts a new attempt. A refusal (4xx) ends the attempt: nothing was made.
import { api, request, isAbort } from '../api.js';
import { h, money, newKey, announce, heading, signInPrompt } from '../ui.js';

const fields = [
  // id suffix, field name in the API, label, autocomplete, required, input type
  ['name', 'name', 'Full name', 'name', true, 'text'],
  ['line1', 'line1', 'Address line 1', 'address-line1', true, 'text'],
  ['line2', 'line2', 'Address line 2 (optional)', 'address-line2', false, 'text'],
  ['city', 'city', 'City', 'address-level2', true, 'text'],
  ['postal', 'postalCode', 'Postal code', 'postal-code', true, 'text'],
  ['country', 'country', 'Country', 'country', true, 'text'],
  ['phone', 'phone', 'Phone (optional)', 'tel', false, 'tel'],
];
const maxChars = 200; // the order service's limit per field

const statusWords = { PENDING_PAYMENT: 'awaiting payment', PAID: 'paid', CANCELLED: 'cancelled' };

function storageName(user) {
  return `rocketmart.checkout.${user}`;
}

/** cartSignature names a cart's content: the same lines give the same text. */
export function cartSignature(cart) {
  return cart.lines.map((l) => `${l.sku}×${l.quantity}`).sort().join(',');
}

/** loadAttempt returns {cart, key, address, orderNo} or null. */
export function loadAttempt(user) {
  try {
    const a = JSON.parse(sessionStorage.getItem(storageName(user)) || 'null');
    return a && typeof a.key === 'string' && typeof a.cart === 'string' ? a : null;
  } catch {
    return null;
  }
}

function saveAttempt(user, a) {
  sessionStorage.setItem(storageName(user), JSON.stringify(a));
}

function dropAttempt(user) {
  sessionStorage.removeItem(storageName(user));
}

/** placedOrder returns the order an attempt placed, or null when it is gone or cancelled. */
export async function placedOrder(a, signal) {
  if (!a || !a.orderNo) return null;
  try {
    const o = await api(`/api/order/orders/${encodeURIComponent(a.orderNo)}`, { signal });
    return o.status === 'CANCELLED' ? null : o;
  } catch (err) {
    if (isAbort(err)) throw err;
    return err.status === 404 ? null : { orderNo: a.orderNo, status: '' }; // unknown now: still point to it
  }
}

function orderLink(no, testid) {
  return h('a', { href: `#/orders/${encodeURIComponent(no)}`, 'data-testid': testid }, `Open order ${no}`);
}

/** view is the checkout page. */
export async function view(el, ctx) {
  el.append(heading('Checkout'));
  const user = ctx.app.user;
  if (!user) {
    el.append(signInPrompt('check out'));
    return;
  }
  const cart = await api('/api/cart/cart', { signal: ctx.signal });
  let attempt = loadAttempt(user.userId);
  if (cart.itemCount === 0) {
    // Typically Back after paying: the purchase left the cart. Point to it.
    const last = attempt && attempt.orderNo;
    el.append(h('p', { 'data-testid': 'cart-empty' }, 'Your cart is empty. ', h('a', { href: '#/' }, 'Browse the catalogue')));
    if (last) {
      el.append(h('p', { class: 'notice', 'data-testid': 'last-order', 'data-order-no': last },
        `Your last order from this checkout is ${last}. `, orderLink(last, 'last-order-link')));
    }
    return;
  }
  const signature = cartSignature(cart);
  if (attempt && attempt.cart !== signature) attempt = null; // another purchase: a new attempt
  const placed = await placedOrder(attempt, ctx.signal);
  if (attempt && attempt.orderNo && !placed) attempt = null; // cancelled: these items may be ordered again

  const summary = h('section', { class: 'checkout-summary', 'aria-labelledby': 'summary-title' },
    h('h2', { id: 'summary-title' }, 'Your order'),
    h('ul', {}, cart.lines.filter((l) => !l.discontinued).map((l) =>
      h('li', {}, `${l.quantity} × ${l.name}`, h('span', {}, money(l.lineTotalCents))))),
    h('p', { class: 'total' }, 'Total ', h('strong', { 'data-testid': 'checkout-total', 'data-cents': cart.totalCents }, money(cart.totalCents))));

  const inputs = {};
  const errors = {};
  const groups = fields.map(([id, name, label, autocomplete, required, type]) => {
    const inputId = `addr-${id}`;
    const input = h('input', {
      id: inputId, name, type, autocomplete, required, maxlength: maxChars, 'data-testid': inputId,
      'aria-describedby': `error-${inputId}`,
    });
    const err = h('p', { id: `error-${inputId}`, class: 'field-error', 'data-testid': `error-${inputId}`, hidden: true });
    inputs[name] = input;
    errors[name] = err;
    return h('div', { class: 'field' }, h('label', { for: inputId }, label, required ? h('span', { 'aria-hidden': 'true' }, ' *') : null), input, err);
  });
  // An attempt not known to have finished keeps its address: sent again with
  // its key, the same body replays the order instead of being refused.
  const saved = (attempt && attempt.address) || {};
  for (const [, name] of fields) inputs[name].value = saved[name] || '';
  if (!saved.name) inputs.name.value = user.name;
  if (!saved.country) inputs.country.value = 'US';

  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'place-order' }, `Place order · ${money(cart.totalCents)}`);
  const formError = h('p', { id: 'checkout-error', class: 'form-error', role: 'alert', 'data-testid': 'checkout-error', hidden: true });
  const form = h('form', { 'data-testid': 'checkout-form', novalidate: true, 'aria-labelledby': 'address-title' },
    h('h2', { id: 'address-title' }, 'Shipping address'),
    h('p', { class: 'muted' }, 'Fields marked * are required.'),
    groups, formError, submit);

  const setError = (name, message) => {
    const err = errors[name];
    err.textContent = message || '';
    err.hidden = !message;
    if (message) inputs[name].setAttribute('aria-invalid', 'true');
    else inputs[name].removeAttribute('aria-invalid');
  };
  const setFormError = (...parts) => {
    formError.replaceChildren(...parts);
    formError.hidden = parts.length === 0;
  };

  const validate = () => {
    let first = null;
    for (const [, name, label, , required] of fields) {
      const value = inputs[name].value.trim();
      let message = '';
      if (required && !value) message = `Enter your ${label.toLowerCase()}.`;
      else if (value.length > maxChars) message = `${label} can be at most ${maxChars} characters.`;
      setError(name, message);
      if (message && !first) first = inputs[name];
    }
    return first;
  };

  let busy = false;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return; // a double click sends one request; the key covers retries
    setFormError();
    const invalid = validate();
    if (invalid) {
      setFormError('Some fields need attention: see the messages under them.');
      invalid.focus();
      return;
    }
    const address = {};
    for (const [, name] of fields) address[name] = inputs[name].value.trim();
    if (!attempt) attempt = { cart: signature, key: newKey() };
    attempt.address = address;
    saveAttempt(user.userId, attempt); // before sending: Back or reload mid-request keeps the key
    busy = true;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    announce('Placing your order…');
    try {
      const { status, data: order } = await request('/api/order/orders', {
        method: 'POST', body: { address }, headers: { 'Idempotency-Key': attempt.key }, signal: ctx.signal,
      });
      saveAttempt(user.userId, { ...attempt, orderNo: order.orderNo });
      ctx.app.refreshCart();
      ctx.app.navigate(`#/orders/${encodeURIComponent(order.orderNo)}`, status === 200
        ? `You had already placed this order (${order.orderNo}); nothing was ordered twice.`
        : `Order ${order.orderNo} placed. Pay it to start its journey.`);
    } catch (err) {
      if (isAbort(err)) return;
      announce('');
      // 4xx: refused, nothing was created; the next try is a new attempt.
      // Network errors and 5xx: the order may exist; retry with the same key.
      if (err.status >= 400 && err.status < 500 && err.code !== 'IDEMPOTENCY_KEY_REUSED') {
        dropAttempt(user.userId);
        attempt = null;
      }
      const field = err.details && typeof err.details.field === 'string' ? err.details.field.replace(/^address\./, '') : '';
      if (errors[field]) {
        setError(field, err.message);
        inputs[field].focus();
      } else if (err.code === 'IDEMPOTENCY_KEY_REUSED') {
        setFormError('This checkout already placed an order with a different address. ',
          h('a', { href: '#/orders' }, 'See My orders'), ' before ordering again.');
      } else if (err.status === 0 || err.status >= 500) {
        setFormError(`${err.message} Press Place order again: it will not order twice.`);
      } else {
        setFormError(err.message);
      }
    } finally {
      busy = false;
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  const layout = h('div', { class: 'checkout' }, form, summary);
  if (placed) {
    // Back after placing: these items are already ordered. Say so, and only
    // an explicit choice places a second order.
    const again = h('button', { type: 'button', class: 'secondary', 'data-testid': 'order-again' }, 'Place a second, separate order');
    const notice = h('div', { class: 'notice', role: 'status', 'data-testid': 'already-placed', 'data-order-no': placed.orderNo, 'data-status': placed.status },
      h('p', {}, h('strong', {}, 'You already placed this order'),
        ` (${placed.orderNo}${statusWords[placed.status] ? `, ${statusWords[placed.status]}` : ''}). `,
        orderLink(placed.orderNo, 'already-placed-link')),
      h('p', {}, 'Your cart holds the same items until the order is paid. ', again));
    layout.hidden = true;
    again.addEventListener('click', () => {
      dropAttempt(user.userId);
      attempt = null;
      for (const [, name] of fields) inputs[name].value = '';
      inputs.name.value = user.name;
      inputs.country.value = 'US';
      notice.remove();
      layout.hidden = false;
      inputs.line1.focus();
    });
    el.append(notice);
  }
  el.append(layout);
}
