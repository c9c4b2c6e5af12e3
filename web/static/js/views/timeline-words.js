// What each timeline entry (GET /api/timeline/{orderNo}, the timeline
// contract's steps) means, in words for a demo audience, and where it goes
// in the sequence diagram: an arrow from one lane to another, or a note on
// one lane.

import { t, statusName, reasonName } from '../i18n.js';

/** lanes are the diagram's columns, left to right. */
export const lanes = ['order', 'broker', 'payment', 'inventory', 'logistics', 'points', 'cart'];

/**
 * laneOf finds the lane of a consumer or producer group: every RocketMart
 * group starts with its service's name (points-order-paid, order-paid-tx).
 */
export function laneOf(group, fallback = null) {
  const lane = lanes.find((l) => l !== 'broker' && (group === l || (group || '').startsWith(`${l}-`)));
  return lane || fallback;
}

const upper = (s) => (s || '').toUpperCase();
// The optional parts of a sentence, each empty when the entry lacks it.
const attemptText = (e) => (e.attempt ? t('tl.attempt', { n: e.attempt }) : '');
const why = (e) => (e.detail ? t('tl.why', { detail: e.detail }) : '');
// decidedBy names who decided a half message, as minirmq's journal says it.
const decidedBy = { 'by the producer': 'tl.byProducer', 'by a check-back': 'tl.byCheckBack' };
const forTopic = (e) => (e.topic ? t('tl.forTopic', { topic: e.topic }) : '');

// Tones: ok (things went as planned), warn (a retry, an unknown, a check),
// bad (rolled back, failed, dead-lettered), info (the rest). Each row says
// its outcome in words too: colour is never the only sign.
function toneOf(outcome) {
  switch (outcome) {
    case 'commit': case 'processed': case 'PAID': case 'COMPLETED': case 'REFUNDED': return 'ok';
    case 'unknown': case 'duplicate': case 'dropped': return 'warn';
    case 'rollback': case 'failed': case 'poison': case 'dead-lettered': case 'CANCELLED': return 'bad';
    default: return 'info';
  }
}

/**
 * describe returns {from, to, text, tone} for an entry: from and to are
 * lanes (to null for a note on from's lane; from null when the actor has no
 * lane), text one sentence.
 */
export function describe(e) {
  const actor = lanes.includes(e.actor) ? e.actor : null;
  const consumer = laneOf(e.group);
  const note = (text, tone = toneOf(e.outcome)) => ({ from: actor, to: null, text, tone });
  const arrow = (from, to, text, tone = toneOf(e.outcome)) => ({ from, to, text, tone });
  // p is what every sentence may name.
  const p = {
    topic: e.topic || '', group: e.group || '', actor: e.actor || '', attempt: attemptText(e), why: why(e),
    for: forTopic(e), n: e.attempt || '?', answer: upper(e.outcome), detail: e.detail || '', outcome: e.outcome || '',
  };
  switch (e.step) {
    // Written by the services (the producer and the consumers).
    case 'half-sent':
      return arrow(actor, 'broker', t('tl.halfSent', p), 'info');
    case 'local-transaction':
      switch (e.outcome) {
        case 'commit': return note(t('tl.localCommit', p));
        case 'rollback': return note(t('tl.localRollback', p));
        default: return note(t('tl.localUnknown', p));
      }
    case 'end-transaction':
      if (e.actor === 'broker') return note(t(e.outcome ? 'tl.heard' : 'tl.heardSomething', p));
      switch (e.outcome) {
        case 'commit': return arrow(actor, 'broker', t('tl.endCommit'));
        case 'rollback': return arrow(actor, 'broker', t('tl.endRollback'));
        case 'dropped': return arrow(actor, 'broker', t('tl.endDropped'));
        default: return arrow(actor, 'broker', t('tl.endUnknown'));
      }
    case 'check-back':
      return arrow(actor, 'broker', t(e.outcome ? 'tl.checkAnswered' : 'tl.checkNoAnswer', p));
    case 'consumed':
      switch (e.outcome) {
        case 'processed': return arrow(actor, 'broker', t('tl.processed', p));
        case 'duplicate': return arrow(actor, 'broker', t('tl.duplicate', p));
        case 'failed': return arrow(actor, 'broker', t('tl.failed', p));
        case 'poison': return arrow(actor, 'broker', t('tl.poison', p));
        case 'dead-lettered': return arrow(actor, 'broker', t('tl.gaveUp', p));
        default: return arrow(actor, 'broker', t('tl.consumed', { ...p, outcome: e.outcome || t('tl.handled') }));
      }
    case 'held':
      return note(t('tl.held', { ...p, detail: e.detail ? e.detail.replace(/^slow motion: /, '') : t('tl.heldDefault') }), 'info');
    // Written by the broker (minirmq).
    case 'half-stored':
      return note(t('tl.halfStored', p), 'info');
    case 'check-sent':
      return arrow('broker', laneOf(e.group, 'order'), t('tl.checkSent', p), 'warn');
    case 'decided': {
      const by = { ...p, detail: decidedBy[e.detail] ? t(decidedBy[e.detail]) : p.detail };
      return e.outcome === 'commit'
        ? note(t(e.detail ? 'tl.committedBy' : 'tl.committed', by))
        : note(t(e.detail ? 'tl.rolledBackBy' : 'tl.rolledBack', by));
    }
    case 'stored':
      if (!e.topic) return note(t(e.detail ? 'tl.storedSomewhereWhy' : 'tl.storedSomewhere', p), 'info');
      return note(t(e.detail ? 'tl.storedWhy' : 'tl.stored', p), 'info');
    case 'delivered':
      return arrow('broker', consumer, t('tl.delivered', p), 'info');
    case 'acked':
      return arrow(consumer, 'broker', t('tl.acked', p), 'ok');
    case 'retry':
      return arrow(consumer, 'broker', t('tl.retry', {
        ...p, attempt: e.attempt ? t('tl.retryAttempt', { n: e.attempt }) : '', in: e.detail ? t('tl.retryIn', { detail: e.detail }) : '',
      }), 'warn');
    case 'dead-lettered':
      return note(t('tl.deadLettered', p), 'bad');
    case 'replayed':
      return arrow('broker', consumer, t('tl.replayed', p), 'warn');
    case 'redelivered':
      return arrow('broker', consumer, t('tl.redelivered', p), 'warn');
    // Added by the gateway from the order's own history.
    case 'status-changed':
      return note(t('tl.status', { status: statusChange(e) }));
    default: // a step this page does not know yet: say what the entry says
      return note(`${e.step}${e.outcome ? `: ${e.outcome}` : ''}${why(e)}`);
  }
}

// statusChange is the gateway's "PENDING_PAYMENT → PAID (payment succeeded)"
// or "PENDING_PAYMENT (order placed)" with the statuses, and the reasons the
// shop knows, in words.
function statusChange(e) {
  const m = /^(?:([A-Z_]+) → )?([A-Z_]+)(?: \((.*)\))?$/.exec(e.detail || '');
  if (!m) return e.detail ? e.detail : statusName(e.outcome);
  return `${m[1] ? `${statusName(m[1])} → ` : ''}${statusName(m[2])}${m[3] ? t('tl.why', { detail: reasonName(m[3]) }) : ''}`;
}
