// What each timeline entry (GET /api/timeline/{orderNo}, the timeline
// contract's steps) means, in words for a demo audience, and where it goes
// in the sequence diagram: an arrow from one lane to another, or a note on
// one lane.

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
const attemptText = (e) => (e.attempt ? `, attempt ${e.attempt}` : '');
const why = (e) => (e.detail ? ` (${e.detail})` : '');

// Tones: ok (things went as planned), warn (a retry, an unknown, a check),
// bad (rolled back, failed, dead-lettered), info (the rest). Each row says
// its outcome in words too: colour is never the only sign.
function toneOf(outcome) {
  switch (outcome) {
    case 'commit': case 'processed': case 'PAID': return 'ok';
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
  switch (e.step) {
    // Written by the services (the producer and the consumers).
    case 'half-sent':
      return arrow(actor, 'broker', `Half message sent${e.topic ? ` for ${e.topic}` : ''} — consumers cannot see it yet`, 'info');
    case 'local-transaction':
      switch (e.outcome) {
        case 'commit': return note(`Local transaction committed${why(e)}`);
        case 'rollback': return note(`Local transaction rolled back${why(e)} — the half message will be discarded`);
        default: return note(`Local transaction outcome unknown${why(e)} — the broker will check back`);
      }
    case 'end-transaction':
      if (e.actor === 'broker') return note(`Heard ${upper(e.outcome) || 'an answer'} from the producer${why(e)}`);
      switch (e.outcome) {
        case 'commit': return arrow(actor, 'broker', 'Tells the broker: COMMIT — deliver the message');
        case 'rollback': return arrow(actor, 'broker', 'Tells the broker: ROLLBACK — discard the half message');
        case 'dropped': return arrow(actor, 'broker', 'COMMIT lost on the way (training fault) — the broker will have to check back');
        default: return arrow(actor, 'broker', 'Tells the broker: UNKNOWN — ask me again later');
      }
    case 'check-back':
      return arrow(actor, 'broker', `Check-back #${e.attempt || '?'}: the ${e.actor} service answered ${upper(e.outcome) || 'nothing'}${why(e)}`);
    case 'consumed':
      switch (e.outcome) {
        case 'processed': return arrow(actor, 'broker', `${e.group}: processed${attemptText(e)} — done`);
        case 'duplicate': return arrow(actor, 'broker', `${e.group}: delivered again — duplicate ignored`);
        case 'failed': return arrow(actor, 'broker', `${e.group}: failed${attemptText(e)}${why(e)} — the broker will retry`);
        case 'poison': return arrow(actor, 'broker', `${e.group}: could not be read${why(e)} — dropped, never retried`);
        case 'dead-lettered': return arrow(actor, 'broker', `${e.group}: gave up${attemptText(e)}${why(e)} — dead-lettered`);
        default: return arrow(actor, 'broker', `${e.group}: ${e.outcome || 'handled'}${attemptText(e)}${why(e)}`);
      }
    case 'held':
      return note(`${e.group}: slow motion — ${(e.detail || 'held before handling').replace(/^slow motion: /, '')}`, 'info');
    // Written by the broker (minirmq).
    case 'half-stored':
      return note(`Half message stored${e.topic ? ` for ${e.topic}` : ''} — consumers cannot see it yet`, 'info');
    case 'check-sent':
      return arrow('broker', laneOf(e.group, 'order'), `Check-back #${e.attempt || '?'}: did your local transaction commit?${why(e)}`, 'warn');
    case 'decided':
      return e.outcome === 'commit'
        ? note(`Committed${e.detail ? ` ${e.detail}` : ''} — consumers can see the message now`)
        : note(`Rolled back${e.detail ? ` ${e.detail}` : ''} — the half message is discarded, consumers never see it`);
    case 'stored':
      return note(`Stored in ${e.topic || 'its topic'}${e.detail ? `: ${e.detail}` : ''}`, 'info');
    case 'delivered':
      return arrow('broker', consumer, `${e.group}: delivery${attemptText(e)}`, 'info');
    case 'acked':
      return arrow(consumer, 'broker', `${e.group}: acknowledged (the group's offset passed the message)`, 'ok');
    case 'retry':
      return arrow(consumer, 'broker', `${e.group}: sent back for a later attempt${e.attempt ? ` (attempt ${e.attempt})` : ''}${e.detail ? ` in ${e.detail}` : ''}`, 'warn');
    case 'dead-lettered':
      return note(`${e.group}: moved to the dead-letter queue %DLQ%${e.group}`, 'bad');
    case 'replayed':
      return arrow('broker', consumer, `${e.group}: replayed from the dead-letter queue`, 'warn');
    case 'redelivered':
      return arrow('broker', consumer, `${e.group}: redelivered by an operator`, 'warn');
    // Added by the gateway from the order's own history.
    case 'status-changed':
      return note(`Order status: ${e.detail || e.outcome}`);
    default: // a step this page does not know yet: say what the entry says
      return note(`${e.step}${e.outcome ? `: ${e.outcome}` : ''}${why(e)}`);
  }
}
