// The trainer page's fault switches: one card per program with its armed
// faults (Clear, Clear all) and a form that arms one of its points. The
// shapes are the fault contract's: GET lists {armed, points}, POST arms
// {point, action, value, count, delay, for}, DELETE clears.
import { isAbort } from '../api.js';
import { h, announce, showError } from '../ui.js';
import { describeFault, refreshBanner } from '../banner.js';
import { t } from '../i18n.js';

const needsValue = ['answer', 'naive'];
// Go durations, the same in every language.
const durationExample = '2s';
const lastingExample = '10m';

/** isTokenRefusal tells an answer about the admin token from any other failure. */
export function isTokenRefusal(err) {
  return err && (err.status === 401 || err.status === 403);
}

/**
 * faultCard is the card of one program. call(path, options) is the
 * trainer's API call (it adds the token). load() reads the program's faults
 * and throws only a token refusal or an abort; any other failure is shown on
 * the card.
 */
export function faultCard(program, call, signal) {
  const base = `/api/trainer/faults/${encodeURIComponent(program)}`;
  const titleId = `faults-${program}-title`;
  const armedBox = h('div', { 'data-testid': 'armed-box' });
  // The form folds away: seven programs' forms at once would bury the
  // armed faults.
  const formBox = h('details', { class: 'arm', 'data-testid': 'arm-details', hidden: true },
    h('summary', { 'data-testid': 'arm-open' }, t('faults.armOn', { program })));
  const clearAll = h('button', { type: 'button', class: 'secondary', 'data-testid': 'clear-all-faults', hidden: true }, t('faults.clearAll'));
  const card = h('section', { class: 'panel fault-card', 'data-testid': 'program-faults', 'data-program': program, 'aria-labelledby': titleId },
    h('div', { class: 'card-head' }, h('h3', { id: titleId }, program), clearAll), armedBox, formBox);
  let points = null;

  const drawArmed = (armed) => {
    card.dataset.armed = String(armed.length);
    clearAll.hidden = armed.length === 0;
    armedBox.replaceChildren(armed.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'no-faults' }, t('faults.none'))
      : h('ul', { class: 'armed', 'data-testid': 'armed-list' }, armed.map((a) =>
        h('li', { 'data-testid': 'armed-fault', 'data-point': a.point, 'data-action': a.action, 'data-hits': a.hits ?? 0 },
          h('span', {}, describeFault(a), t('faults.fired', { n: a.hits ?? 0 })),
          h('button', {
            type: 'button', class: 'secondary', 'data-testid': 'clear-fault', 'aria-label': t('faults.clearLabel', { point: a.point, program }),
            onclick: (ev) => clear(ev.currentTarget, `${base}/${encodeURIComponent(a.point)}`, `${program} ${a.point}`),
          }, t('faults.clear'))))));
  };

  async function clear(button, path, what) {
    button.disabled = true;
    try {
      await call(path, { method: 'DELETE', signal });
      announce(t('faults.cleared', { what }));
    } catch (err) {
      if (isAbort(err)) return;
      showError(err);
    } finally {
      button.disabled = false;
      refreshBanner();
      load().catch(() => {});
    }
  }
  clearAll.addEventListener('click', () => clear(clearAll, base, t('faults.everyFault', { program })));

  async function load() {
    let data;
    try {
      data = await call(base, { signal });
    } catch (err) {
      if (isAbort(err) || isTokenRefusal(err)) throw err;
      card.dataset.available = 'false';
      const why = err.status === 404
        ? t('faults.noSwitches', { program, code: err.code })
        : t('faults.unreadable', { program, message: err.message });
      armedBox.replaceChildren(h('p', { class: 'warning', 'data-testid': 'program-unavailable', 'data-code': err.code }, why));
      return;
    }
    card.dataset.available = 'true';
    if (!points) {
      points = data.points || [];
      formBox.hidden = false;
      formBox.append(armForm(program, points, async (body) => {
        const a = await call(base, { method: 'POST', body, signal });
        announce(t('faults.armed', { program, fault: describeFault(a) }));
        refreshBanner();
        load().catch(() => {});
      }));
    }
    drawArmed(data.armed || []);
  }
  return { el: card, load };
}

// field builds one labelled control with its error line.
function field(id, label, control, help) {
  const err = h('p', { id: `${id}-error`, class: 'field-error', 'data-testid': 'arm-error-' + control.name, hidden: true });
  control.id = id;
  control.setAttribute('aria-describedby', [help ? `${id}-help` : '', `${id}-error`].filter(Boolean).join(' '));
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), control,
    help ? h('p', { id: `${id}-help`, class: 'muted small' }, help) : null, err);
  return { wrap, control, err };
}

// armForm is the form that arms one of points; submit(body) sends it.
function armForm(program, points, submit) {
  const id = (name) => `arm-${program}-${name}`;
  const f = {
    point: field(id('point'), t('faults.point'), h('select', { name: 'point', 'data-testid': 'arm-point' },
      points.map((p) => h('option', { value: p.point }, p.point)))),
    action: field(id('action'), t('faults.action'), h('select', { name: 'action', 'data-testid': 'arm-action' })),
    value: field(id('value'), t('faults.value'), h('select', { name: 'value', 'data-testid': 'arm-value' })),
    count: field(id('count'), t('faults.count'), h('input', { name: 'count', type: 'number', min: 0, max: 1000, step: 1, value: '1', 'data-testid': 'arm-count' }),
      t('faults.countHelp')),
    delay: field(id('delay'), t('faults.delay'), h('input', { name: 'delay', type: 'text', placeholder: durationExample, autocomplete: 'off', 'data-testid': 'arm-delay' }),
      t('faults.delayHelp')),
    for: field(id('for'), t('faults.for'), h('input', { name: 'for', type: 'text', placeholder: lastingExample, autocomplete: 'off', 'data-testid': 'arm-for' }),
      t('faults.forHelp')),
  };
  const description = h('p', { class: 'muted small wide', 'data-testid': 'arm-point-description' });
  const formError = h('p', { class: 'form-error wide', role: 'alert', 'data-testid': 'arm-error', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary', 'data-testid': 'arm-submit' }, t('faults.arm'));
  const form = h('form', { class: 'arm-form', 'data-testid': 'arm-form', novalidate: true, 'aria-label': t('faults.armOn', { program }) },
    f.point.wrap, description, f.action.wrap, f.value.wrap, f.count.wrap, f.delay.wrap, f.for.wrap, formError,
    h('div', { class: 'wide' }, button));

  const current = () => points.find((p) => p.point === f.point.control.value) || { actions: [], values: {} };
  const options = (select, values) => {
    const keep = select.value;
    select.replaceChildren(...values.map((v) => h('option', { value: v }, v)));
    if (values.includes(keep)) select.value = keep;
  };
  // Only what the point allows: its actions, the values of its action,
  // a delay for "delay" only.
  const follow = () => {
    const p = current();
    description.textContent = p.description || '';
    options(f.action.control, p.actions || []);
    const action = f.action.control.value;
    options(f.value.control, (p.values && p.values[action]) || []);
    f.value.wrap.hidden = !needsValue.includes(action);
    f.delay.wrap.hidden = action !== 'delay';
  };
  f.point.control.addEventListener('change', follow);
  f.action.control.addEventListener('change', follow);
  follow();
  if (points.length === 0) {
    button.disabled = true;
    description.textContent = t('faults.noPoints', { program });
  }

  const setError = (name, text) => {
    const x = f[name];
    x.err.textContent = text || '';
    x.err.hidden = !text;
    if (text) x.control.setAttribute('aria-invalid', 'true');
    else x.control.removeAttribute('aria-invalid');
  };
  const clearErrors = () => {
    for (const name of Object.keys(f)) setError(name, '');
    formError.hidden = true;
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    const action = f.action.control.value;
    const body = { point: f.point.control.value, action };
    const count = f.count.control.value.trim();
    if (!/^\d{1,4}$/.test(count) || Number(count) > 1000) {
      setError('count', t('faults.countInvalid'));
      f.count.control.focus();
      return;
    }
    body.count = Number(count);
    if (needsValue.includes(action)) body.value = f.value.control.value;
    if (action === 'delay') body.delay = f.delay.control.value.trim();
    const lasting = f.for.control.value.trim();
    if (lasting) body.for = lasting;
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      await submit(body);
    } catch (err) {
      if (isAbort(err)) return;
      // A refusal that names its field goes next to that field.
      const name = err.details && typeof err.details.field === 'string' ? err.details.field : '';
      if (f[name]) {
        setError(name, err.message);
        f[name].control.focus();
      } else {
        formError.textContent = err.message;
        formError.dataset.code = err.code;
        formError.hidden = false;
      }
    } finally {
      button.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}
