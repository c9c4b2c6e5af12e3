// The consistency page: runs the audit (GET /api/audit) and shows every
// invariant with pass/fail and the records that break it.
import { api, isAbort } from '../api.js';
import { h, dateTime, errorBox, heading } from '../ui.js';
import { t, lang } from '../i18n.js';

/** view is the consistency page. */
export async function view(el, ctx) {
  el.append(heading(t('audit.title')),
    h('p', {}, t('audit.intro')),
    // The demo opens the audit to everyone, signed in or not (the gateway serves it read-only).
    h('p', { class: 'notice', 'data-testid': 'audit-open' },
      t('audit.open')));
  const button = h('button', { type: 'button', class: 'primary', 'data-testid': 'run-audit' }, t('progress.runAudit'));
  const result = h('div', { 'data-testid': 'audit-result', 'aria-live': 'polite' });
  button.addEventListener('click', async () => {
    button.disabled = true;
    setText(button, t('audit.running'));
    result.setAttribute('aria-busy', 'true');
    delete result.dataset.passed;
    result.replaceChildren(h('p', { class: 'muted' }, t('audit.waiting')));
    try {
      draw(result, await api('/api/audit', { signal: ctx.signal }));
    } catch (err) {
      if (isAbort(err)) return;
      result.replaceChildren(errorBox(err, 'audit-error'));
    } finally {
      button.disabled = false;
      setText(button, t('audit.again'));
      result.removeAttribute('aria-busy');
    }
  });
  el.append(button, result);
}

function setText(el, text) {
  el.textContent = text;
}

// verdictOf says what the audit found, and says when a pass covered nothing.
function verdictOf(report, invariants, total) {
  const failed = invariants.filter((i) => !i.passed).length;
  if (!report.passed) return [t('audit.broken', { failed, n: invariants.length }), 'fail'];
  if (total === 0) return [t('audit.nothing'), 'vacuous'];
  return [t('audit.pass', { n: invariants.length, records: t('audit.records', { n: total }) }), 'pass'];
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
      t(report.quiescent ? 'audit.checkedQuiet' : 'audit.checkedBusy', { time: dateTime(report.checkedAt), ms: report.waitedMs ?? 0 })),
    (report.notes || []).length
      ? h('ul', { class: 'notes', 'data-testid': 'audit-notes' }, report.notes.map((n, i) => h('li', {}, inChinese(report.notesZh?.[i], n))))
      : null,
    h('ol', { class: 'invariants' }, invariants.map(invariant)),
  ].filter(Boolean));
}

// inChinese is the audit's own Chinese text when the page is in Chinese and
// the audit sent one (titleZh, subjectZh, detailZh, notesZh), else english.
function inChinese(zh, english) {
  return lang() === 'zh-CN' && zh ? zh : english;
}

// invariantTitle is the rule in the page's language, as the audit titled it
// (one source for the rules' words: services/audit and its zh.go).
function invariantTitle(inv) {
  return inChinese(inv.titleZh, inv.title);
}

// invariant shows one rule with its verdict and how many records it was
// applied to: a pass over 0 records is "nothing to check", not a pass.
function invariant(inv) {
  const violations = inv.violations || [];
  const checked = inv.checked || 0;
  let word = inv.passed ? t('audit.word.pass') : t('audit.word.fail');
  let kind = inv.passed ? 'pass' : 'fail';
  if (inv.skipped) [word, kind] = [t('audit.word.skipped'), 'vacuous'];
  else if (inv.passed && checked === 0) [word, kind] = [t('audit.word.nothing'), 'vacuous'];
  return h('li', {
    class: `invariant ${kind}`, 'data-testid': `invariant-${inv.id}`, 'data-passed': String(Boolean(inv.passed)), 'data-checked': String(checked),
  },
    h('h2', {}, h('span', { class: 'verdict-word' }, word), ` ${inv.id}. ${invariantTitle(inv)}`),
    h('p', { class: 'records', 'data-testid': `invariant-${inv.id}-checked` },
      inv.skipped ? t('audit.notChecked')
        : checked === 0 ? t('audit.zero')
          : t(violations.length ? 'audit.someBroken' : 'audit.allGood', { records: t('audit.records', { n: checked }), n: violations.length })),
    violations.length
      ? h('ul', { class: 'violations' }, violations.map((v) =>
        h('li', { 'data-testid': 'violation' }, h('strong', {}, inChinese(v.subjectZh, v.subject)), `: ${inChinese(v.detailZh, v.detail)}`)))
      : null);
}
