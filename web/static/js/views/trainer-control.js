// The trainer page's parts that use the launcher's control API: the
// programs (stop, start, crash), the reset and the labs. Outside the
// embedded run the gateway answers CONTROL_NOT_AVAILABLE and they say so.
import { isAbort } from '../api.js';
import { h, announce, showError, errorBox } from '../ui.js';
import { refreshBanner } from '../banner.js';
import { isTokenRefusal } from './trainer-faults.js';

const control = '/api/trainer/control';

// What each state allows; the gateway itself ("web") serves this page, so
// stopping or crashing it from here would cut the page off mid-answer.
const allows = {
  stop: (p) => p.name !== 'web' && (p.state === 'running' || p.state === 'restarting'),
  start: (p) => p.state === 'stopped' || p.state === 'gave up',
  crash: (p) => p.name !== 'web' && p.state === 'running',
};
const labels = { stop: 'Stop', start: 'Start', crash: 'Crash' };
const busyLabels = { stop: 'Stopping…', start: 'Starting…', crash: 'Crashing…' };

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
        'aria-label': `${labels[what]} ${name}`, onclick: () => act(name, what),
      }, labels[what]);
    }
    const li = h('li', { 'data-testid': 'program-row', 'data-program': name },
      h('span', { class: 'name' }, name), state, restarts,
      name === 'web' ? h('span', { class: 'muted small' }, 'serves this page: stop or crash it with curl') : null,
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
    r.state.textContent = p.state;
    r.state.className = `badge state-${p.state.replace(/\s+/g, '-')}`;
    r.restarts.textContent = `${p.restarts} restart${p.restarts === 1 ? '' : 's'}`;
    for (const [what, b] of Object.entries(r.buttons)) {
      b.disabled = busy !== '' || !allows[what](p);
      b.textContent = busy === `${what} ${p.name}` ? busyLabels[what] : labels[what];
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
      announce(`${labels[what]} ${name}: it is ${p.state} now.`);
    } catch (err) {
      if (isAbort(err)) return;
      showError(err);
    } finally {
      busy = '';
      load().catch(() => {});
    }
  }

  const el = h('section', { class: 'panel', 'aria-labelledby': 'programs-title', 'data-testid': 'trainer-programs' },
    h('h2', { id: 'programs-title' }, 'Programs'),
    h('p', { class: 'muted small' }, 'Crash kills the process with SIGKILL, as a real crash would; the launcher restarts it. ',
      'Stop ends it cleanly and it stays down until you start it.'),
    list);
  return { el, load };
}

/** resetPart is "Reset the shop", behind a confirmation; done() runs after a reset. */
export function resetPart(call, signal, done) {
  const button = h('button', { type: 'button', class: 'primary danger', 'data-testid': 'reset-shop' }, 'Reset the shop');
  const yes = h('button', { type: 'button', class: 'primary danger', 'data-testid': 'reset-confirm-yes' }, 'Yes, reset everything');
  const no = h('button', { type: 'button', class: 'secondary', 'data-testid': 'reset-confirm-no' }, 'Keep the data');
  const confirm = h('div', { class: 'confirm', 'data-testid': 'reset-confirm', hidden: true },
    h('p', {}, 'This stops minirmq and every service, deletes their data — every order, charge, cart, shipment and points entry — ',
      'starts them again with the seed catalogue and wallets, and clears every fault. Shoppers stay signed in.'),
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
    result.replaceChildren(h('p', { class: 'muted' }, 'Resetting: stopping, wiping and starting every program…'));
    try {
      const rep = await call(`${control}/reset`, { method: 'POST', signal });
      result.dataset.outcome = 'done';
      const notCleared = (rep.notCleared || []).map((n) => `${n.program} (${n.reason})`);
      result.replaceChildren(h('p', { class: 'status' },
        `Reset in ${(rep.tookMs / 1000).toFixed(1)} s: ${rep.restarted.join(', ')} restarted on fresh data; `,
        `faults cleared on ${(rep.cleared || []).length} program${(rep.cleared || []).length === 1 ? '' : 's'}`,
        notCleared.length ? `; not cleared: ${notCleared.join(', ')}.` : '.'));
      announce('The shop is back to its seed.');
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
    h('h2', { id: 'reset-title' }, 'Reset'), button, confirm, result);
}

/** labsPart lists the labs with a Grade button each. load() throws only a token refusal or an abort. */
export function labsPart(call, signal) {
  const body = h('div', {});
  const el = h('section', { class: 'panel', 'aria-labelledby': 'labs-title', 'data-testid': 'trainer-labs' },
    h('h2', { id: 'labs-title' }, 'Labs'), body);
  async function load() {
    let labs;
    try {
      labs = (await call(`${control}/labs`, { signal })).labs || [];
    } catch (err) {
      if (isAbort(err) || isTokenRefusal(err)) throw err;
      body.replaceChildren(err.code === 'LABS_NOT_AVAILABLE'
        ? h('p', { class: 'muted', 'data-testid': 'labs-unavailable' }, 'Labs run on a shop started with make workshop (workshop timings: check-backs after 2 s, quick retries). Restart the shop with make workshop to grade them here.')
        : errorBox(err, 'labs-error'));
      return;
    }
    body.replaceChildren(labs.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'labs-unavailable' }, 'No labs in this run.')
      : h('ul', { class: 'plain labs' }, labs.map((lab) => labRow(lab, call, signal))));
  }
  return { el, load };
}

function labRow(lab, call, signal) {
  const result = h('div', { 'data-testid': 'lab-result', 'aria-live': 'polite' });
  const grade = h('button', { type: 'button', class: 'secondary', 'data-testid': 'lab-grade', 'aria-label': `Grade ${lab.title || lab.name}` }, 'Grade');
  grade.addEventListener('click', async () => {
    grade.disabled = true;
    result.replaceChildren(h('p', { class: 'muted' }, 'Grading…'));
    delete result.dataset.passed;
    try {
      const rep = await call(`${control}/labs/${encodeURIComponent(lab.name)}/grade`, { method: 'POST', signal });
      result.dataset.passed = String(Boolean(rep.passed));
      const lesson = rep.naive ? (rep.passed ? ' — a naive twin should fail: look again' : ' — as a naive twin should: that is its lesson') : '';
      result.replaceChildren(
        h('p', { class: `verdict ${rep.passed ? 'pass' : 'fail'}` }, rep.passed ? 'PASS' : 'FAIL', lesson),
        (rep.reasons || []).length ? h('ul', {}, rep.reasons.map((r) => h('li', {}, r))) : '');
    } catch (err) {
      if (isAbort(err)) return;
      result.replaceChildren(errorBox(err, 'lab-error'));
    } finally {
      grade.disabled = false;
    }
  });
  return h('li', { 'data-testid': 'lab-row', 'data-lab': lab.name },
    h('div', { class: 'card-head' }, h('strong', {}, lab.title || lab.name, lab.naive ? ' (naive twin: expected to FAIL)' : ''), grade),
    lab.summary ? h('p', { class: 'muted small' }, lab.summary) : null, result);
}
