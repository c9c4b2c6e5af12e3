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
import { t, tx, statusName, locale } from '../i18n.js';

const fields = [
  // id suffix, field name in the API, label's key, autocomplete, required, input type
  ['name', 'name', 'checkout.field.name', 'name', true, 'text'],
  ['line1', 'line1', 'checkout.field.line1', 'address-line1', true, 'text'],
  ['line2', 'line2', 'checkout.field.line2', 'address-line2', false, 'text'],
  ['city', 'city', 'checkout.field.city', 'address-level2', true, 'text'],
  ['postal', 'postalCode', 'checkout.field.postal', 'postal-code', true, 'text'],
  ['country', 'country', 'checkout.field.country', 'country', true, 'text'],
  ['phone', 'phone', 'checkout.field.phone', 'tel', false, 'tel'],
];
const maxChars = 200; // the order service's limit per field

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
  return h('a', { href: `#/orders/${encodeURIComponent(no)}`, 'data-testid': testid }, t('order.open', { orderNo: no }));
}

/** view is the checkout page. */
export async function view(el, ctx) {
  el.append(heading(t('checkout.title')));
  const user = ctx.app.user;
  if (!user) {
    el.append(signInPrompt('signin.checkout'));
    return;
  }
  const cart = await api('/api/cart/cart', { signal: ctx.signal });
  let attempt = loadAttempt(user.userId);
  if (cart.itemCount === 0) {
    // Typically Back after paying: the purchase left the cart. Point to it.
    const last = attempt && attempt.orderNo;
    el.append(h('p', { 'data-testid': 'cart-empty' }, t('cart.empty'), ' ', h('a', { href: '#/' }, t('cart.browse'))));
    if (last) {
      el.append(h('p', { class: 'notice', 'data-testid': 'last-order', 'data-order-no': last },
        t('checkout.lastOrder', { orderNo: last }), ' ', orderLink(last, 'last-order-link')));
    }
    return;
  }
  const signature = cartSignature(cart);
  if (attempt && attempt.cart !== signature) attempt = null; // another purchase: a new attempt
  const placed = await placedOrder(attempt, ctx.signal);
  if (attempt && attempt.orderNo && !placed) attempt = null; // cancelled: these items may be ordered again

  const summary = h('section', { class: 'checkout-summary', 'aria-labelledby': 'summary-title' },
    h('h2', { id: 'summary-title' }, t('checkout.yourOrder')),
    h('ul', {}, cart.lines.filter((l) => !l.discontinued).map((l) =>
      h('li', {}, t('checkout.line', { n: l.quantity, name: l.name }), h('span', {}, money(l.lineTotalCents))))),
    h('p', { class: 'total' }, t('cart.total'), ' ', h('strong', { 'data-testid': 'checkout-total', 'data-cents': cart.totalCents }, money(cart.totalCents))));

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
    return h('div', { class: 'field' }, h('label', { for: inputId }, t(label), required ? h('span', { 'aria-hidden': 'true' }, ' *') : null), input, err);
  });
  // An attempt not known to have finished keeps its address: sent again with
  // its key, the same body replays the order instead of being refused.
  const saved = (attempt && attempt.address) || {};
  for (const [, name] of fields) inputs[name].value = saved[name] || '';
  if (!saved.name) inputs.name.value = user.name;
  if (!saved.country) inputs.country.value = 'US';

  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'place-order' }, t('checkout.place', { total: money(cart.totalCents) }));
  const formError = h('p', { id: 'checkout-error', class: 'form-error', role: 'alert', 'data-testid': 'checkout-error', hidden: true });
  const form = h('form', { 'data-testid': 'checkout-form', novalidate: true, 'aria-labelledby': 'address-title' },
    h('h2', { id: 'address-title' }, t('checkout.address')),
    h('p', { class: 'muted' }, t('checkout.requiredNote')),
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
      if (required && !value) message = t('checkout.missing', { field: t(label).toLocaleLowerCase(locale()) });
      else if (value.length > maxChars) message = t('checkout.tooLong', { field: t(label), n: maxChars });
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
      setFormError(t('checkout.fixFields'));
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
    announce(t('checkout.placing'));
    try {
      const { status, data: order } = await request('/api/order/orders', {
        method: 'POST', body: { address }, headers: { 'Idempotency-Key': attempt.key }, signal: ctx.signal,
      });
      saveAttempt(user.userId, { ...attempt, orderNo: order.orderNo });
      ctx.app.refreshCart();
      ctx.app.navigate(`#/orders/${encodeURIComponent(order.orderNo)}`, status === 200
        ? t('checkout.replayed', { orderNo: order.orderNo })
        : t('checkout.placed', { orderNo: order.orderNo }));
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
        setFormError(...tx('checkout.keyReused', { link: h('a', { href: '#/orders' }, t('checkout.seeOrders')) }));
      } else if (err.status === 0 || err.status >= 500) {
        setFormError(t('checkout.retry', { message: err.message }));
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
    const again = h('button', { type: 'button', class: 'secondary', 'data-testid': 'order-again' }, t('checkout.again'));
    const notice = h('div', { class: 'notice', role: 'status', 'data-testid': 'already-placed', 'data-order-no': placed.orderNo, 'data-status': placed.status },
      h('p', {}, h('strong', {}, t('checkout.already')), ' ',
        placed.status
          ? t('checkout.alreadyStatus', { orderNo: placed.orderNo, status: statusName(placed.status).toLocaleLowerCase(locale()) })
          : t('checkout.alreadyNo', { orderNo: placed.orderNo }),
        ' ', orderLink(placed.orderNo, 'already-placed-link')),
      h('p', {}, t('checkout.sameItems'), ' ', again));
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
