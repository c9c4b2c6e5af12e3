// The consistency page: runs the audit (GET /api/audit) and shows every
// invariant with pass/fail and the records that break it.
import { api, isAbort } from '../api.js';
import { h, dateTime, errorBox, heading, signInPrompt } from '../ui.js';

/** view is the consistency page. */
export async function view(el, ctx) {
  el.append(heading('Consistency audit'),
    h('p', {}, 'The audit waits until no message is in flight, then reads every service through its read-only admin ',
      'endpoints and checks the invariants: every paid order charged once, shipped once, credited once, its stock ',
      'sold once and its cart cleaned; nothing for cancelled orders; stock and money conserved; no half message ',
      'left undecided.'));
  if (!ctx.app.user) {
    el.append(signInPrompt('run the audit'));
    return;
  }
  const button = h('button', { type: 'button', class: 'primary', 'data-testid': 'run-audit' }, 'Run the audit');
  const result = h('div', { 'data-testid': 'audit-result', 'aria-live': 'polite' });
  button.addEventListener('click', async () => {
    button.disabled = true;
    setText(button, 'Auditing…');
    result.setAttribute('aria-busy', 'true');
    delete result.dataset.passed;
    result.replaceChildren(h('p', { class: 'muted' }, 'Waiting for the system to go quiet, then checking…'));
    try {
      draw(result, await api('/api/audit', { signal: ctx.signal }));
    } catch (err) {
      if (isAbort(err)) return;
      result.replaceChildren(errorBox(err, 'audit-error'));
    } finally {
      button.disabled = false;
      setText(button, 'Run the audit again');
      result.removeAttribute('aria-busy');
    }
  });
  el.append(button, result);
}

function setText(el, text) {
  el.textContent = text;
}

function draw(result, report) {
  const invariants = report.invariants || [];
  result.dataset.passed = String(Boolean(report.passed));
  result.dataset.quiescent = String(Boolean(report.quiescent));
  const failed = invariants.filter((i) => !i.passed).length;
  // replaceChildren would print a null as the text "null": filter the optional parts.
  result.replaceChildren(...[
    h('p', { class: `verdict ${report.passed ? 'pass' : 'fail'}`, 'data-testid': 'audit-verdict' },
      report.passed
        ? `All ${invariants.length} invariants hold.`
        : `${failed} of ${invariants.length} invariant${invariants.length === 1 ? '' : 's'} broken.`),
    h('p', { class: 'muted small' },
      `Checked ${dateTime(report.checkedAt)} after waiting ${report.waitedMs ?? 0} ms`,
      report.quiescent ? ' for the system to go quiet.' : '; the system was not quiet, so in-flight messages may explain some findings.'),
    (report.notes || []).length
      ? h('ul', { class: 'notes', 'data-testid': 'audit-notes' }, report.notes.map((n) => h('li', {}, n)))
      : null,
    h('ol', { class: 'invariants' }, invariants.map(invariant)),
  ].filter(Boolean));
}

function invariant(inv) {
  const violations = inv.violations || [];
  return h('li', { class: `invariant ${inv.passed ? 'pass' : 'fail'}`, 'data-testid': `invariant-${inv.id}`, 'data-passed': String(Boolean(inv.passed)) },
    h('h2', {}, h('span', { class: 'verdict-word' }, inv.passed ? 'Pass' : 'Fail'), ` ${inv.id}. ${inv.title}`),
    h('p', { class: 'muted small' }, `${inv.checked ?? 0} record${inv.checked === 1 ? '' : 's'} checked.`),
    violations.length
      ? h('ul', { class: 'violations' }, violations.map((v) =>
        h('li', { 'data-testid': 'violation' }, h('strong', {}, v.subject), `: ${v.detail}`)))
      : null);
}
