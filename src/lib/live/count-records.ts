/**
 * What the live view's count-once keeps of a span (`LiveCount` records, live/view.ts), and the
 * order of differing copies of one span id in it (docs/architecture.md "Differing copies").
 */
import { copyKey, countedCopy, type CopyKey, type CountFacts } from '../trace/count-once.js';
import type { CountedCall } from './totals.js';

/**
 * What count-once keeps of a span (trace/count-once.ts): its parent's id for most spans; for a
 * model span or a span with usage, its call as it would be counted, whether the filters matched
 * it (decided once its feature is known) and whether it is in the totals now.
 */
export interface CallRecord {
  parent: string;
  usage: boolean;
  model: boolean;
  call: CountedCall;
  /** The span's start (ms): with the call's duration and tokens, what orders differing copies (`liveCopyKey`). */
  startMs: number;
  /** undefined until the span was shown or filtered (its feature may wait for its root). */
  shown: boolean | undefined;
  inTotals: boolean;
  /** The session its running total goes to ('' none), resolved when it is shown. */
  session?: string;
}
export type CountRecord = string | CallRecord;

const PLAIN: CountFacts = { parent: '', usage: false, model: false };
export function countFacts(r: CountRecord): CountFacts {
  if (typeof r === 'string') {
    PLAIN.parent = r; // read at once by count-once, never kept
    return PLAIN;
  }
  return r;
}

/**
 * The order of differing copies of one span id (count-once `copyKey`, docs/architecture.md
 * "Differing copies"): what `cost` orders them by, then, where `cost` compares its record's
 * encoding, the call as tail holds it (model, cost, failure, agent). Equal keys: identical copies.
 */
export function liveCopyKey(r: CountRecord): CopyKey {
  const key = copyKey(countFacts(r), typeof r === 'string' ? undefined : { startMs: r.startMs, durationMs: r.call.durationMs ?? 0, usage: r.call.usage });
  if (typeof r !== 'string') key.push(JSON.stringify([r.call.model, r.call.cost ?? null, r.call.failed === true, r.call.agent ?? '']));
  return key;
}

function sameKey(a: CopyKey, b: CopyKey): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Two copies of one span id: identical (a retried export), or which one count-once counts, as
 * `cost` does (`countedCopy` over `liveCopyKey`).
 */
export function copyOrder(held: CountRecord, copy: CountRecord): 'identical' | 'kept' | 'replaced' {
  const heldKey = liveCopyKey(held), copyKeyOf = liveCopyKey(copy);
  if (sameKey(heldKey, copyKeyOf)) return 'identical';
  return countedCopy(held, copy, (r) => (r === held ? heldKey : copyKeyOf)) === copy ? 'replaced' : 'kept';
}
