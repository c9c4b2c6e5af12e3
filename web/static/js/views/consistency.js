// The consistency page: runs the audit (GET /api/audit) and shows every
// invariant with pass/fail and the records that break it.
import { api, isAbort } from '../api.js';
import { h, dateTime, errorBox, heading } from '../ui.js';

/** view is the consistency page. */
export async function view(el, ctx) {
  el.append(heading('Consistency audit'),
    h('p', {}, 'The audit waits until no message is in flight, then reads every service through its read-only admin ',
      'endpoints and checks the invariants: every paid order charged once, shipped once, credited once, its stock ',
      'sold once and its cart cleaned; nothing for cancelled orders; stock and money conserved; no half message ',
      'left undecided.'),
    // The demo opens the audit to everyone, signed in or not (the gateway serves it read-only).
    h('p', { class: 'notice', 'data-testid': 'audit-open' },
      'Open to everyone in this demo, no sign-in needed: the audit only reads, and it covers every demo user’s orders.'));
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

function records(n) {
  return `${n} record${n === 1 ? '' : 's'}`;
}

// verdictOf says what the audit found, and says when a pass covered nothing.
function verdictOf(report, invariants, total) {
  const failed = invariants.filter((i) => !i.passed).length;
  if (!report.passed) return [`${failed} of ${invariants.length} invariant${invariants.length === 1 ? '' : 's'} broken.`, 'fail'];
  if (total === 0) return ['Nothing to check yet: no orders, charges or stock records. Place and pay an order, then run the audit again.', 'vacuous'];
  return [`All ${invariants.length} invariants hold over ${records(total)} checked.`, 'pass'];
}

function draw(result, report) {
  const invariants = report.invariants || [];
  const total = invariants.reduce((sum, i) => sum + (i.checked || 0), 0);
  const [verdict, kind] = verdictOf(report, invariants, total);
  result.dataset.passed = String(Boolean(report.passed));
  result.dataset.quiescent = String(Boolean(report.quiescent));
  result.dataset.checked = String(total);
  // replaceChildren would print a null as the text "null": filter the optional parts.
  result.replaceChildren(...[
    h('p', { class: `verdict ${kind}`, 'data-testid': 'audit-verdict', 'data-kind': kind }, verdict),
    h('p', { class: 'muted small' },
      `Checked ${dateTime(report.checkedAt)} after waiting ${report.waitedMs ?? 0} ms`,
      report.quiescent ? ' for the system to go quiet.' : '; the system was not quiet, so in-flight messages may explain some findings.'),
    (report.notes || []).length
      ? h('ul', { class: 'notes', 'data-testid': 'audit-notes' }, report.notes.map((n) => h('li', {}, n)))
      : null,
    h('ol', { class: 'invariants' }, invariants.map(invariant)),
  ].filter(Boolean));
}

// invariant shows one rule with its verdict and how many records it was
// applied to: a pass over 0 records is "nothing to check", not a pass.
function invariant(inv) {
  const violations = inv.violations || [];
  const checked = inv.checked || 0;
  let word = inv.passed ? 'Pass' : 'Fail';
  let kind = inv.passed ? 'pass' : 'fail';
  if (inv.skipped) [word, kind] = ['Skipped', 'vacuous'];
  else if (inv.passed && checked === 0) [word, kind] = ['Nothing to check', 'vacuous'];
  return h('li', {
    class: `invariant ${kind}`, 'data-testid': `invariant-${inv.id}`, 'data-passed': String(Boolean(inv.passed)), 'data-checked': String(checked),
  },
    h('h2', {}, h('span', { class: 'verdict-word' }, word), ` ${inv.id}. ${inv.title}`),
    h('p', { class: 'records', 'data-testid': `invariant-${inv.id}-checked` },
      inv.skipped ? 'Not checked here (see the notes above).'
        : checked === 0 ? '0 records to check yet.'
          : `${records(checked)} checked${violations.length ? `, ${violations.length} broken` : ', all as they should be'}.`),
    violations.length
      ? h('ul', { class: 'violations' }, violations.map((v) =>
        h('li', { 'data-testid': 'violation' }, h('strong', {}, v.subject), `: ${v.detail}`)))
      : null);
}
