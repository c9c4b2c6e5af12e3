// The trainer page's parts that use the launcher's control API: the
// programs (stop, start, crash), the reset and the labs. Outside the
// embedded run the gateway answers CONTROL_NOT_AVAILABLE and they say so.
import { isAbort } from '../api.js';
import { h, announce, showError, errorBox, number } from '../ui.js';
import { refreshBanner } from '../banner.js';
import { isTokenRefusal } from './trainer-faults.js';
import { t, lang } from '../i18n.js';

const control = '/api/trainer/control';

// langQuery asks the launcher for the labs' titles, summaries and grading
// reasons in the page's language (the control API's lang parameter).
const langQuery = () => new URLSearchParams({ lang: lang() }).toString();

// programStates are the launcher's program states (control.state.<state>, spaces as dashes).
const programStates = ['running', 'restarting', 'stopped', 'gave up'];
const stateName = (state) => (programStates.includes(state) ? t(`control.state.${state.replace(/\s+/g, '-')}`) : state);

// What each state allows; the gateway itself ("web") serves this page, so
// stopping or crashing it from here would cut the page off mid-answer.
const allows = {
  stop: (p) => p.name !== 'web' && (p.state === 'running' || p.state === 'restarting'),
  start: (p) => p.state === 'stopped' || p.state === 'gave up',
  crash: (p) => p.name !== 'web' && p.state === 'running',
};
// Each action's button says control.action.<action>, control.busy.<action> while it runs.

/** isControlMissing tells "no control API in this run" from other failures. */
export function isControlMissing(err) {
  return err && err.code === 'CONTROL_NOT_AVAILABLE';
}

/**
 * programsPart lists the programs with their state and restarts. load()
 * throws a token refusal, an abort, or CONTROL_NOT_AVAILABLE.
 */
export function programsPart(call, signal) {
  const list = h('ul', { class: 'plain programs', 'data-testid': 'program-list' });
  const rows = new Map();
  let busy = '';

  const row = (name) => {
    if (rows.has(name)) return rows.get(name);
    const state = h('span', { class: 'badge', 'data-testid': 'program-state' });
    const restarts = h('span', { class: 'muted', 'data-testid': 'program-restarts' });
    const buttons = {};
    for (const what of ['stop', 'start', 'crash']) {
      buttons[what] = h('button', {
        type: 'button', class: what === 'crash' ? 'secondary danger-text' : 'secondary', 'data-testid': `program-${what}`,
        'aria-label': t('control.actionLabel', { action: t(`control.action.${what}`), program: name }), onclick: () => act(name, what),
      }, t(`control.action.${what}`));
    }
    const li = h('li', { 'data-testid': 'program-row', 'data-program': name },
      h('span', { class: 'name' }, name), state, restarts,
      name === 'web' ? h('span', { class: 'muted small' }, t('control.web')) : null,
      h('span', { class: 'actions' }, Object.values(buttons)));
    const r = { li, state, restarts, buttons };
    rows.set(name, r);
    list.append(li);
    return r;
  };

  const draw = (p) => {
    const r = row(p.name);
    r.li.dataset.state = p.state;
    r.li.dataset.restarts = String(p.restarts);
    r.state.textContent = stateName(p.state);
    r.state.className = `badge state-${p.state.replace(/\s+/g, '-')}`;
    r.restarts.textContent = t('control.restarts', { n: p.restarts });
    for (const [what, b] of Object.entries(r.buttons)) {
      b.disabled = busy !== '' || !allows[what](p);
      b.textContent = busy === `${what} ${p.name}` ? t(`control.busy.${what}`) : t(`control.action.${what}`);
    }
  };

  let last = [];
  async function load() {
    const data = await call(`${control}/programs`, { signal });
    last = data.programs || [];
    last.forEach(draw);
  }

  async function act(name, what) {
    busy = `${what} ${name}`;
    last.forEach(draw);
    try {
      const p = await call(`${control}/programs/${encodeURIComponent(name)}/${what}`, { method: 'POST', signal });
      announce(t('control.done', { action: t(`control.action.${what}`), program: name, state: stateName(p.state) }));
    } catch (err) {
      if (isAbort(err)) return;
      showError(err);
    } finally {
      busy = '';
      load().catch(() => {});
    }
  }

  const el = h('section', { class: 'panel', 'aria-labelledby': 'programs-title', 'data-testid': 'trainer-programs' },
    h('h2', { id: 'programs-title' }, t('control.programs')),
    h('p', { class: 'muted small' }, t('control.help')),
    list);
  return { el, load };
}

/** resetPart is "Reset the shop", behind a confirmation; done() runs after a reset. */
export function resetPart(call, signal, done) {
  const button = h('button', { type: 'button', class: 'primary danger', 'data-testid': 'reset-shop' }, t('reset.button'));
  const yes = h('button', { type: 'button', class: 'primary danger', 'data-testid': 'reset-confirm-yes' }, t('reset.yes'));
  const no = h('button', { type: 'button', class: 'secondary', 'data-testid': 'reset-confirm-no' }, t('reset.no'));
  const confirm = h('div', { class: 'confirm', 'data-testid': 'reset-confirm', hidden: true },
    h('p', {}, t('reset.ask')),
    h('div', { class: 'actions' }, yes, no));
  const result = h('div', { 'data-testid': 'reset-result', 'aria-live': 'polite' });
  button.addEventListener('click', () => {
    confirm.hidden = false;
    button.hidden = true;
    no.focus();
  });
  no.addEventListener('click', () => {
    confirm.hidden = true;
    button.hidden = false;
    button.focus();
  });
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    no.disabled = true;
    result.dataset.outcome = 'running';
    result.replaceChildren(h('p', { class: 'muted' }, t('reset.running')));
    try {
      const rep = await call(`${control}/reset`, { method: 'POST', signal });
      result.dataset.outcome = 'done';
      const notCleared = (rep.notCleared || []).map((n) => `${n.program} (${n.reason})`);
      const params = { took: t('unit.s', { n: number(rep.tookMs / 1000, 1) }), restarted: rep.restarted.join(', '),
        n: (rep.cleared || []).length, notCleared: notCleared.join(', ') };
      result.replaceChildren(h('p', { class: 'status' }, t(notCleared.length ? 'reset.donePartly' : 'reset.done', params)));
      announce(t('reset.seeded'));
    } catch (err) {
      if (isAbort(err)) return;
      result.dataset.outcome = 'error';
      result.replaceChildren(errorBox(err, 'reset-error'));
    } finally {
      yes.disabled = false;
      no.disabled = false;
      confirm.hidden = true;
      button.hidden = false;
      refreshBanner();
      done();
    }
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'reset-title', 'data-testid': 'trainer-reset' },
    h('h2', { id: 'reset-title' }, t('reset.title')), button, confirm, result);
}

/** labsPart lists the labs with a Grade button each. load() throws only a token refusal or an abort. */
export function labsPart(call, signal) {
  const body = h('div', {});
  const el = h('section', { class: 'panel', 'aria-labelledby': 'labs-title', 'data-testid': 'trainer-labs' },
    h('h2', { id: 'labs-title' }, t('labs.title')), body);
  async function load() {
    let labs;
    try {
      labs = (await call(`${control}/labs?${langQuery()}`, { signal })).labs || [];
    } catch (err) {
      if (isAbort(err) || isTokenRefusal(err)) throw err;
      body.replaceChildren(err.code === 'LABS_NOT_AVAILABLE'
        ? h('p', { class: 'muted', 'data-testid': 'labs-unavailable' }, t('labs.needWorkshop'))
        : errorBox(err, 'labs-error'));
      return;
    }
    body.replaceChildren(labs.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'labs-unavailable' }, t('labs.none'))
      : h('ul', { class: 'plain labs' }, labs.map((lab) => labRow(lab, call, signal))));
  }
  return { el, load };
}

function labRow(lab, call, signal) {
  const result = h('div', { 'data-testid': 'lab-result', 'aria-live': 'polite' });
  const grade = h('button', { type: 'button', class: 'secondary', 'data-testid': 'lab-grade', 'aria-label': t('labs.gradeLabel', { lab: lab.title || lab.name }) }, t('labs.grade'));
  grade.addEventListener('click', async () => {
    grade.disabled = true;
    result.replaceChildren(h('p', { class: 'muted' }, t('labs.grading')));
    delete result.dataset.passed;
    try {
      const rep = await call(`${control}/labs/${encodeURIComponent(lab.name)}/grade?${langQuery()}`, { method: 'POST', signal });
      result.dataset.passed = String(Boolean(rep.passed));
      const lesson = rep.naive ? t(rep.passed ? 'labs.naivePassed' : 'labs.naiveFailed') : '';
      result.replaceChildren(
        h('p', { class: `verdict ${rep.passed ? 'pass' : 'fail'}` }, t(rep.passed ? 'labs.pass' : 'labs.fail'), lesson),
        (rep.reasons || []).length ? h('ul', {}, rep.reasons.map((r) => h('li', {}, r))) : '');
    } catch (err) {
      if (isAbort(err)) return;
      result.replaceChildren(errorBox(err, 'lab-error'));
    } finally {
      grade.disabled = false;
    }
  });
  return h('li', { 'data-testid': 'lab-row', 'data-lab': lab.name },
    h('div', { class: 'card-head' }, h('strong', {}, lab.title || lab.name, lab.naive ? t('labs.naive') : ''), grade),
    lab.summary ? h('p', { class: 'muted small' }, lab.summary) : null, result);
}
