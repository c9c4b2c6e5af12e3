// The storefront: a hash router, the header with the demo-user switcher, and
// the cart count. Each page lives in views/ and renders into <main>.
import { api, setUnauthorizedHandler, isAbort } from './api.js';
import { h, announce, showError, clearMessages, errorBox, heading } from './ui.js';
import * as catalogue from './views/catalogue.js';
import * as cart from './views/cart.js';
import * as checkout from './views/checkout.js';
import * as orders from './views/orders.js';
import * as order from './views/order.js';
import * as wallet from './views/wallet.js';
import * as consistency from './views/consistency.js';
import * as trainer from './views/trainer.js';
import * as broker from './views/broker.js';
import { startBanner, redrawBanner } from './banner.js';
import { t, lang, languages, nameOf, setLanguage, onLanguageChange, translateStatic } from './i18n.js';

// Routes: pattern on the part after '#', page, nav entry it highlights, title's key.
const routes = [
  [/^\/$/, catalogue.list, 'catalogue', 'title.catalogue'],
  [/^\/product\/([^/]+)$/, catalogue.detail, 'catalogue', 'title.product'],
  [/^\/cart$/, cart.view, 'cart', 'title.cart'],
  [/^\/checkout$/, checkout.view, 'cart', 'title.checkout'],
  [/^\/orders$/, orders.list, 'orders', 'title.orders'],
  [/^\/orders\/([^/]+)$/, order.view, 'orders', 'title.order'],
  [/^\/wallet$/, wallet.view, 'wallet', 'title.wallet'],
  [/^\/consistency$/, consistency.view, 'consistency', 'title.consistency'],
  [/^\/trainer$/, trainer.view, 'trainer', 'title.trainer'],
  [/^\/broker$/, broker.view, 'trainer', 'title.broker'],
  [/^\/timeline\/([^/]+)$/, broker.timelineView, 'trainer', 'title.timeline'],
];

// app is what pages may use: the signed-in user and a few header actions.
const app = {
  user: null, // {userId, name} or null
  refreshCart,
  // navigate goes to hash and shows message on the page it opens.
  navigate: (hash, message) => {
    pendingMessage = message || '';
    location.hash = hash;
  },
};
let pendingMessage = '';

const main = document.getElementById('main');
let current = null; // AbortController of the page on screen
let firstRender = true;

async function render() {
  const hash = location.hash;
  if (hash && !hash.startsWith('#/')) return; // an in-page anchor such as the skip link
  // A route may carry a query (#/wallet?order=…): pages get it as ctx.query.
  const [path, search = ''] = (hash ? hash.slice(1) : '/').split('?', 2);
  const query = new URLSearchParams(search);
  if (current) current.abort(); // stops the previous page's polling and calls
  const controller = new AbortController();
  current = controller;
  clearMessages();
  if (pendingMessage) announce(pendingMessage);
  pendingMessage = '';

  const el = h('div', { class: 'page' });
  main.replaceChildren(el);
  main.setAttribute('aria-busy', 'true');

  let match = null;
  let route = null;
  for (const r of routes) {
    match = r[0].exec(path);
    if (match) { route = r; break; }
  }
  setCurrentNav(route ? route[2] : '');
  document.title = t('title.page', { page: t(route ? route[3] : 'title.notFound') });
  try {
    if (!route) {
      el.append(heading(t('notFound.title')), h('p', {}, t('notFound.text'), ' ', h('a', { href: '#/' }, t('notFound.back'))));
    } else {
      const params = match.slice(1).map(decodeURIComponent);
      await route[1](el, { app, signal: controller.signal, params, query });
    }
  } catch (err) {
    if (!isAbort(err) && current === controller) el.append(errorBox(err, 'page-error'));
  } finally {
    if (current === controller) main.removeAttribute('aria-busy');
  }
  if (current === controller && !firstRender) {
    const title = el.querySelector('h1');
    if (title) title.focus();
  }
  firstRender = false;
  refreshCart(); // also hides the count once nobody is signed in
}

function setCurrentNav(name) {
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// refreshCart updates the item count next to the cart link.
async function refreshCart() {
  const badge = document.getElementById('cart-count');
  if (!app.user) {
    badge.hidden = true;
    badge.textContent = '';
    delete badge.dataset.count;
    document.getElementById('nav-cart-label').textContent = t('nav.cart');
    return;
  }
  try {
    const cartData = await api('/api/cart/cart');
    if (!app.user) return refreshCart(); // signed out while asking
    badge.textContent = String(cartData.itemCount);
    badge.dataset.count = String(cartData.itemCount);
    badge.hidden = false;
    document.getElementById('nav-cart-label').textContent = t('nav.cartCount', { n: cartData.itemCount });
  } catch {
    badge.hidden = true; // the cart page itself shows why
  }
}

// ---- the user switcher ------------------------------------------------------

const select = document.getElementById('user-select');
const signinButton = document.getElementById('signin-button');
const signoutButton = document.getElementById('signout-button');
const currentUser = document.getElementById('current-user');

function showUser() {
  const u = app.user;
  currentUser.textContent = u ? t('header.signedInAs', { name: u.name }) : t('header.notSignedIn');
  currentUser.dataset.userId = u ? u.userId : '';
  signoutButton.hidden = !u;
  signinButton.textContent = u ? t('header.switch') : t('header.signIn');
  if (u) select.value = u.userId;
}

async function loadUsers() {
  const { users } = await api('/api/users');
  select.replaceChildren(...users.map((u) => h('option', { value: u.id }, `${u.name} (${u.id})`)));
}

async function loadSession() {
  try {
    app.user = await api('/api/session');
  } catch {
    app.user = null; // 401: nobody signed in
  }
  showUser();
}

document.getElementById('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  signinButton.disabled = true;
  try {
    app.user = await api('/api/session', { method: 'POST', body: { userId: select.value } });
    showUser();
    await render();
    announce(t('header.signedIn', { name: app.user.name }));
  } catch (err) {
    showError(err);
  } finally {
    signinButton.disabled = false;
  }
});

signoutButton.addEventListener('click', async () => {
  try {
    await api('/api/session', { method: 'DELETE' });
    app.user = null;
    showUser();
    refreshCart();
    await render();
    announce(t('header.signedOut'));
  } catch (err) {
    showError(err);
  }
});

// A call that finds the session expired or invalid signs the header out too.
setUnauthorizedHandler(() => {
  if (!app.user) return;
  app.user = null;
  showUser();
  refreshCart();
});

document.getElementById('dismiss-message').addEventListener('click', clearMessages);

document.querySelector('.skip-link').addEventListener('click', (ev) => {
  ev.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', render);

// ---- the language switch ------------------------------------------------------

const langSelect = document.getElementById('lang-select');
langSelect.replaceChildren(...languages.map((code) => h('option', { value: code, lang: code }, nameOf(code))));
langSelect.value = lang();
langSelect.addEventListener('change', () => setLanguage(langSelect.value));

// A switch redraws everything in the new language: the header and footer,
// the banner, and the page on screen (which asks its services again).
onLanguageChange(() => {
  langSelect.value = lang();
  translateStatic();
  showUser();
  redrawBanner();
  render();
});

async function start() {
  translateStatic();
  showUser();
  startBanner();
  try {
    await loadUsers();
  } catch (err) {
    showError(err);
  }
  await loadSession();
  await render();
}

start();
