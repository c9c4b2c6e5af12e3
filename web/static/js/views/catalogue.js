// Catalogue and product detail: public, from the inventory service.
import { api } from '../api.js';
import { h, money, newKey, announce, showError, heading } from '../ui.js';

function stockText(available) {
  if (available <= 0) return 'Out of stock';
  if (available <= 5) return `Only ${available} left`;
  return `${available} in stock`;
}

function stock(p) {
  return h('p', { class: p.available > 0 ? 'stock' : 'stock out', 'data-testid': 'product-stock', 'data-available': p.available },
    stockText(p.available));
}

function price(p) {
  return h('p', { class: 'price', 'data-testid': 'product-price', 'data-cents': p.priceCents }, money(p.priceCents));
}

/** addToCart adds quantity of p; a fresh Idempotency-Key per click makes a retried request add once. */
async function addToCart(ctx, p, quantity, button) {
  if (!ctx.app.user) {
    showError(new Error('Sign in with the switcher at the top to fill a cart.'));
    return;
  }
  button.disabled = true;
  try {
    await api('/api/cart/cart/items', {
      method: 'POST', body: { sku: p.sku, quantity }, headers: { 'Idempotency-Key': newKey() }, signal: ctx.signal,
    });
    announce(`Added ${quantity} × ${p.name} to your cart.`);
    ctx.app.refreshCart();
  } catch (err) {
    if (err.name !== 'AbortError') showError(err);
  } finally {
    button.disabled = false;
  }
}

/** list is the catalogue grid. */
export async function list(el, ctx) {
  el.append(heading('Catalogue'));
  const { products } = await api('/api/inventory/products', { signal: ctx.signal });
  const grid = h('ul', { class: 'product-grid', 'data-testid': 'product-list' });
  for (const p of products) {
    const add = h('button', {
      type: 'button', 'data-testid': 'add-to-cart', disabled: p.available <= 0, 'aria-label': `Add ${p.name} to cart`,
    }, 'Add to cart');
    add.addEventListener('click', () => addToCart(ctx, p, 1, add));
    grid.append(h('li', { class: 'card', 'data-testid': 'product-card', 'data-sku': p.sku },
      h('a', { href: `#/product/${encodeURIComponent(p.sku)}`, class: 'card-link', 'data-testid': 'product-link' },
        h('img', { src: p.imageUrl, alt: '', width: 240, height: 180, loading: 'lazy' }),
        h('h2', { 'data-testid': 'product-name' }, p.name)),
      price(p), stock(p), add));
  }
  el.append(grid);
}

/** detail is one product with a quantity picker. */
export async function detail(el, ctx) {
  const [sku] = ctx.params;
  const p = await api(`/api/inventory/products/${encodeURIComponent(sku)}`, { signal: ctx.signal });
  const qty = h('input', {
    id: 'product-quantity', type: 'number', min: 1, max: Math.min(99, Math.max(1, p.available)), value: '1',
    inputmode: 'numeric', 'data-testid': 'quantity-input', required: true,
  });
  const add = h('button', { type: 'submit', 'data-testid': 'add-to-cart', disabled: p.available <= 0 }, 'Add to cart');
  const form = h('form', { class: 'add-form', novalidate: true },
    h('label', { for: 'product-quantity' }, 'Quantity'), qty, add);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const n = Number(qty.value);
    if (!Number.isInteger(n) || n < 1 || n > 99) {
      qty.setAttribute('aria-invalid', 'true');
      showError(new Error('Quantity must be a whole number from 1 to 99.'));
      qty.focus();
      return;
    }
    qty.removeAttribute('aria-invalid');
    addToCart(ctx, p, n, add);
  });
  el.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/' }, '← Catalogue')),
    h('article', { class: 'product-detail', 'data-testid': 'product-detail', 'data-sku': p.sku },
      h('img', { src: p.imageUrl, alt: p.name, width: 480, height: 360 }),
      h('div', {},
        heading(p.name),
        h('p', { class: 'sku' }, `SKU ${p.sku}`),
        price(p), stock(p),
        h('p', { class: 'description' }, p.description),
        form)));
}
