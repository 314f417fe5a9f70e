/**
 * Copies of one span id in `cost` and `stats` (docs/architecture.md "Differing copies"):
 * identical copies are one span; of differing ones the trace keeps the one count-once counts
 * (`countedCopy`), in memory (attribution.ts) and read back from disk (trace-spill.ts) alike.
 */
import { copyKey, countedCopy, type CountFacts } from '../trace/count-once.js';
import type { SpanRecord, TraceRecord } from './attribution.js';
import { RecordWriter } from './record-codec.js';

// One thread, used synchronously; only copies of one span id are written with it.
const writer = new RecordWriter();

/**
 * What counting reads of a record, as text: equal for identical copies of a span, whatever
 * their arrival (late, differing) says; ordered by `countedCopy` otherwise.
 */
export function copyText(r: TraceRecord): string {
  writer.begin();
  if (typeof r === 'string') writer.record('', r);
  else if (r.vals === undefined && r.call === undefined && r.root === undefined && r.tool === undefined) writer.record('', r.parent);
  else writer.record('', r.late || r.differing ? { ...r, late: false, differing: false } : r);
  return writer.end();
}

const PLAIN: CountFacts = { parent: '', usage: false, model: false };

export function factsOf(r: TraceRecord): CountFacts {
  if (typeof r === 'string') {
    PLAIN.parent = r; // read at once by count-once, never kept: no object per plain span
    return PLAIN;
  }
  return r; // a record has count-once's fields: no object per question (count-once asks several a span)
}

/** The records an early decision was made from: all but the late ones. */
export function earlyRecords(spans: Map<string, TraceRecord>): Map<string, TraceRecord> {
  const early = new Map<string, TraceRecord>();
  for (const [id, r] of spans) if (typeof r === 'string' || !r.late) early.set(id, r);
  return early;
}

/**
 * Two copies of one span id: undefined when they are identical in what counting reads (one
 * span); else the record to keep (a new record, marked `differing`: the held one may still be
 * needed as it was, to take back an early decision), whether it is the new copy, and whether
 * the span id was not known to differ before. A decided trace is decided again in either case:
 * its decision counts its span ids with differing copies (`differingSpans`).
 */
export function resolveCopies(held: TraceRecord, copy: TraceRecord): { record: TraceRecord; replaced: boolean; newlyDiffering: boolean } | undefined {
  const heldText = copyText(held);
  const copyTextOf = copyText(copy);
  if (heldText === copyTextOf) return undefined;
  const key = (r: TraceRecord) => {
    // A call outside the window has no times or tokens in its record: it sorts as having none.
    const c = typeof r === 'string' ? undefined : r.call;
    const k = copyKey(factsOf(r), c ? { startMs: c.startMs, durationMs: c.durationMs, usage: c.noUsage ? undefined : c.usage } : undefined);
    k.push(r === held ? heldText : copyTextOf);
    return k;
  };
  const kept = countedCopy(held, copy, key);
  const newlyDiffering = !(typeof held !== 'string' && held.differing);
  return { record: markDiffering(kept), replaced: kept !== held, newlyDiffering };
}

function markDiffering(r: TraceRecord): SpanRecord {
  if (typeof r !== 'string') return { ...r, differing: true };
  return { parent: r, vals: undefined, call: undefined, usage: false, model: false, root: undefined, late: false, tool: undefined, differing: true };
}

