// The trainer page's slow-motion switch, for demos: every consuming program
// holds each delivery for a few seconds before handling it, so an audience
// watching an order's timeline sees the deliveries fan out and each
// consumer act in turn. It is the programs' own slow-motion fault point
// (armed with a delay and a time limit), so it changes no outcome, shows in
// the banner like any armed switch, and ends by itself.
import { api, isAbort } from '../api.js';
import { h, announce, showError, fieldMessage } from '../ui.js';
import { t } from '../i18n.js';

const point = 'slow-motion';
const limit = '30m'; // a forgotten switch ends by itself

/**
 * slowMotionPart is the switch for programs (every program the gateway
 * knows; those without consumers have no such point and are skipped). call is the trainer's API
 * call; reload refreshes the fault cards afterwards.
 */
export function slowMotionPart(programs, call, signal, reload) {
  const input = h('input', {
    id: 'slowmo-seconds', type: 'number', min: '0.5', max: '10', step: '0.5', value: '2', inputmode: 'decimal',
    'data-testid': 'slowmo-seconds', 'aria-describedby': 'slowmo-help slowmo-error',
  });
  const error = h('p', { id: 'slowmo-error', class: 'field-error', role: 'alert', hidden: true });
  const on = h('button', { type: 'submit', class: 'primary', 'data-testid': 'slowmo-on' }, t('slowmo.on'));
  const off = h('button', { type: 'button', class: 'secondary', 'data-testid': 'slowmo-off' }, t('slowmo.off'));
  const state = h('p', { class: 'muted', 'data-testid': 'slowmo-state', 'aria-live': 'polite' });
  const form = h('form', { class: 'inline', novalidate: true },
    h('label', { for: 'slowmo-seconds' }, t('slowmo.seconds')), input, on, off);
  const el = h('section', { class: 'panel', 'aria-labelledby': 'slowmo-title', 'data-testid': 'trainer-slowmo' },
    h('h2', { id: 'slowmo-title' }, t('slowmo.title')),
    h('p', { id: 'slowmo-help', class: 'muted small' }, t('slowmo.help')),
    form, error, state);

  // each runs fn on every program that has the point (those with
  // consumers: each program lists its points), all at once.
  const each = async (fn) => {
    const lists = await Promise.all(programs.map((p) => call(`/api/trainer/faults/${encodeURIComponent(p)}`, { signal })));
    const having = programs.filter((p, i) => (lists[i].points || []).some((pt) => pt.point === point));
    await Promise.all(having.map((p) => fn(`/api/trainer/faults/${encodeURIComponent(p)}`)));
  };
  const act = async (fn) => {
    on.disabled = true;
    off.disabled = true;
    try {
      await each(fn);
      await load();
      announce(state.textContent);
    } catch (err) {
      if (!isAbort(err)) showError(err);
    } finally {
      on.disabled = false;
      off.disabled = false;
      reload();
    }
  };

  // load shows where slow motion is on, from the armed faults every page's banner reads.
  async function load() {
    const { armed = [] } = await api('/api/faults', { signal });
    const held = armed.filter((a) => a.point === point);
    el.dataset.state = held.length ? 'on' : 'off';
    state.textContent = held.length
      ? t('slowmo.isOn', { programs: held.map((a) => t('slowmo.holds', { program: a.program, delay: a.delay })).join(t('banner.joiner')) })
      : t('slowmo.isOff');
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const seconds = Number(input.value);
    if (!Number.isFinite(seconds) || seconds < 0.5 || seconds > 10) {
      fieldMessage(error, input, t('slowmo.invalid'));
      input.focus();
      return;
    }
    fieldMessage(error, input, '');
    const body = { point, action: 'delay', delay: `${Math.round(seconds * 1000)}ms`, for: limit };
    act((base) => call(base, { method: 'POST', body, signal }));
  });
  off.addEventListener('click', () => {
    act((base) => call(`${base}/${point}`, { method: 'DELETE', signal }));
  });
  return { el, load };
}
