// Checkout: the shipping address form that places an order from the cart.
//
// One Idempotency-Key per checkout attempt, kept in sessionStorage: a double
// click, a retry after a network error or a reload of this page sends the
// same key, so the order service returns the order it already made instead
// of making a second one. The key is dropped once an order is placed or the
// service refused the request outright (nothing was created then).
import { api, isAbort } from '../api.js';
import { h, money, newKey, announce, showError, heading, signInPrompt } from '../ui.js';

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

function keyName(user) {
  return `rocketmart.checkoutKey.${user}`;
}

function attemptKey(user) {
  let key = sessionStorage.getItem(keyName(user));
  if (!key) {
    key = newKey();
    sessionStorage.setItem(keyName(user), key);
  }
  return key;
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
  if (cart.itemCount === 0) {
    el.append(h('p', { 'data-testid': 'cart-empty' }, 'Your cart is empty. ', h('a', { href: '#/' }, 'Browse the catalogue')));
    return;
  }

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
  inputs.name.value = user.name;
  inputs.country.value = 'US';

  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'place-order' }, `Place order · ${money(cart.totalCents)}`);
  const form = h('form', { 'data-testid': 'checkout-form', novalidate: true, 'aria-labelledby': 'address-title' },
    h('h2', { id: 'address-title' }, 'Shipping address'),
    h('p', { class: 'muted' }, 'Fields marked * are required.'),
    groups, submit);

  const setError = (name, message) => {
    const err = errors[name];
    err.textContent = message || '';
    err.hidden = !message;
    if (message) inputs[name].setAttribute('aria-invalid', 'true');
    else inputs[name].removeAttribute('aria-invalid');
  };

  const validate = () => {
    let first = null;
    for (const [, name, label, , required] of fields) {
      const value = inputs[name].value.trim();
      let message = '';
      if (required && !value) message = `${label} is required.`;
      else if (value.length > maxChars) message = `${label} is longer than ${maxChars} characters.`;
      setError(name, message);
      if (message && !first) first = inputs[name];
    }
    return first;
  };

  let busy = false;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return; // a double click sends one request; the key covers retries
    const invalid = validate();
    if (invalid) {
      showError(new Error('Please correct the highlighted fields.'));
      invalid.focus();
      return;
    }
    const address = {};
    for (const [, name] of fields) address[name] = inputs[name].value.trim();
    busy = true;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    announce('Placing your order…');
    try {
      const order = await api('/api/order/orders', {
        method: 'POST', body: { address }, headers: { 'Idempotency-Key': attemptKey(user.userId) }, signal: ctx.signal,
      });
      sessionStorage.removeItem(keyName(user.userId));
      ctx.app.refreshCart();
      ctx.app.navigate(`#/orders/${encodeURIComponent(order.orderNo)}`, `Order ${order.orderNo} placed. Pay it to start its journey.`);
    } catch (err) {
      if (isAbort(err)) return;
      // 4xx: refused, nothing was created; the next try is a new attempt.
      // Network errors and 5xx: the order may exist; retry with the same key.
      if (err.status >= 400 && err.status < 500) sessionStorage.removeItem(keyName(user.userId));
      const field = err.details && typeof err.details.field === 'string' ? err.details.field.replace(/^address\./, '') : '';
      if (errors[field]) {
        setError(field, err.message);
        inputs[field].focus();
      }
      if (err.code === 'IDEMPOTENCY_KEY_REUSED') {
        showError(new Error('This checkout attempt already placed an order; see My orders before ordering again.'));
      } else {
        showError(err);
      }
    } finally {
      busy = false;
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  el.append(h('div', { class: 'checkout' }, form, summary));
}
