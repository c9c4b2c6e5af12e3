// Catalogue and product detail: public, from the inventory service.
import { api } from '../api.js';
import { h, money, newKey, announce, fieldMessage, heading } from '../ui.js';
import { t, tx } from '../i18n.js';

function stockText(available) {
  if (available <= 0) return t('catalogue.outOfStock');
  if (available <= 5) return t('catalogue.onlyLeft', { n: available });
  return t('catalogue.inStock', { n: available });
}

function stock(p) {
  return h('p', { class: p.available > 0 ? 'stock' : 'stock out', 'data-testid': 'product-stock', 'data-available': p.available },
    stockText(p.available));
}

function price(p) {
  return h('p', { class: 'price', 'data-testid': 'product-price', 'data-cents': p.priceCents }, money(p.priceCents));
}

/**
 * addMessage is the line under an Add to cart button for what went wrong
 * there (not signed in, out of stock): seen where the shopper is looking.
 */
function addMessage() {
  return h('p', { class: 'field-error', role: 'alert', 'data-testid': 'add-error', hidden: true });
}

// signInHint fills note with a pointer to the switcher, which it can focus.
function signInHint(note) {
  const go = h('button', { type: 'button', class: 'link-button', 'data-testid': 'goto-signin' }, t('header.signIn'));
  go.addEventListener('click', () => {
    const select = document.getElementById('user-select');
    select.scrollIntoView({ block: 'center' });
    select.focus();
  });
  note.replaceChildren(...tx('catalogue.signInFirst', { button: go }));
  note.dataset.code = 'SIGN_IN_REQUIRED';
  note.hidden = false;
}

/** addToCart adds quantity of p; a fresh Idempotency-Key per click makes a retried request add once. */
async function addToCart(ctx, p, quantity, button, note, input) {
  fieldMessage(note, input, '');
  if (!ctx.app.user) {
    signInHint(note);
    return;
  }
  button.disabled = true;
  try {
    await api('/api/cart/cart/items', {
      method: 'POST', body: { sku: p.sku, quantity }, headers: { 'Idempotency-Key': newKey() }, signal: ctx.signal,
    });
    announce(t('catalogue.added', { n: quantity, name: p.name }));
    ctx.app.refreshCart();
  } catch (err) {
    if (err.name !== 'AbortError') {
      fieldMessage(note, input, err.message);
      note.dataset.code = err.code || 'ERROR';
    }
  } finally {
    button.disabled = false;
  }
}

/** list is the catalogue grid. */
export async function list(el, ctx) {
  el.append(heading(t('catalogue.title')));
  const { products } = await api('/api/inventory/products', { signal: ctx.signal });
  const grid = h('ul', { class: 'product-grid', 'data-testid': 'product-list' });
  for (const p of products) {
    const add = h('button', {
      type: 'button', 'data-testid': 'add-to-cart', disabled: p.available <= 0, 'aria-label': t('catalogue.addLabel', { name: p.name }),
    }, t('catalogue.add'));
    const note = addMessage();
    add.addEventListener('click', () => addToCart(ctx, p, 1, add, note));
    grid.append(h('li', { class: 'card', 'data-testid': 'product-card', 'data-sku': p.sku },
      h('a', { href: `#/product/${encodeURIComponent(p.sku)}`, class: 'card-link', 'data-testid': 'product-link' },
        h('img', { src: p.imageUrl, alt: '', width: 240, height: 180, loading: 'lazy' }),
        h('h2', { 'data-testid': 'product-name' }, p.name)),
      price(p), stock(p), add, note));
  }
  el.append(grid);
}

/** detail is one product with a quantity picker. */
export async function detail(el, ctx) {
  const [sku] = ctx.params;
  const p = await api(`/api/inventory/products/${encodeURIComponent(sku)}`, { signal: ctx.signal });
  const qty = h('input', {
    id: 'product-quantity', type: 'number', min: 1, max: Math.min(99, Math.max(1, p.available)), value: '1',
    inputmode: 'numeric', 'data-testid': 'quantity-input', required: true, 'aria-describedby': 'product-quantity-error',
  });
  const note = addMessage();
  note.id = 'product-quantity-error';
  const add = h('button', { type: 'submit', 'data-testid': 'add-to-cart', disabled: p.available <= 0 }, t('catalogue.add'));
  const form = h('form', { class: 'add-form', novalidate: true },
    h('label', { for: 'product-quantity' }, t('catalogue.quantity')), qty, add, note);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const n = Number(qty.value);
    if (!Number.isInteger(n) || n < 1 || n > 99) {
      fieldMessage(note, qty, t('catalogue.quantityInvalid'));
      note.dataset.code = 'VALIDATION';
      qty.focus();
      return;
    }
    addToCart(ctx, p, n, add, note, qty);
  });
  el.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/' }, t('catalogue.back'))),
    h('article', { class: 'product-detail', 'data-testid': 'product-detail', 'data-sku': p.sku },
      h('img', { src: p.imageUrl, alt: p.name, width: 480, height: 360 }),
      h('div', {},
        heading(p.name),
        h('p', { class: 'sku' }, t('catalogue.sku', { sku: p.sku })),
        price(p), stock(p),
        h('p', { class: 'description' }, p.description),
        form)));
}
