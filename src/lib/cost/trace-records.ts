/**
 * What the Attributor reads of one trace's records (attribution.ts), in memory and read back
 * from disk (trace-spill.ts) alike: count-once's facts, whether the trace looks complete, the
 * feature's fallback root, its tool calls, the records an early decision was made from, and
 * which of two copies of one span id is kept (docs/architecture.md "Differing copies":
 * identical copies are one span; of differing ones the trace keeps the one count-once counts).
 */
import { copyKey, countedCopy, type CountFacts } from '../trace/count-once.js';
import type { DecidedTrace, SpanRecord, TraceRecord } from './attribution.js';
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

export const parentOf = (r: TraceRecord): string => (typeof r === 'string' ? r : r.parent);

/** A trace's tool calls: how many, and the identical one made most often. */
export function toolCallsOf(spans: Map<string, TraceRecord>): Pick<DecidedTrace, 'toolCalls' | 'topRepeat'> {
  let toolCalls = 0;
  let counts: Map<string, number> | undefined;
  for (const r of spans.values()) {
    if (typeof r === 'string' || r.tool === undefined) continue;
    toolCalls++;
    counts ??= new Map();
    counts.set(r.tool, (counts.get(r.tool) ?? 0) + 1);
  }
  let topRepeat: DecidedTrace['topRepeat'];
  for (const [key, count] of counts ?? []) {
    if (topRepeat === undefined || count > topRepeat.count || (count === topRepeat.count && key < topRepeat.key)) topRepeat = { key, count };
  }
  return { toolCalls, topRepeat };
}

/** A root, and every span's parent present. */
export function looksComplete(spans: Map<string, TraceRecord>): boolean {
  let root = false;
  for (const r of spans.values()) {
    const p = parentOf(r);
    if (p === '') root = true;
    else if (!spans.has(p)) return false;
  }
  return root;
}

/** The earliest true root's name (ties: lowest span id), so the fallback feature does not depend on order. */
export function earliestRoot(spans: Map<string, TraceRecord>): string | undefined {
  let name: string | undefined;
  let start = Infinity;
  let rootId = '';
  for (const [id, r] of spans) {
    if (typeof r === 'string' || r.root === undefined) continue;
    const [n, s] = r.root;
    if (name === undefined || s < start || (s === start && id < rootId)) {
      name = n;
      start = s;
      rootId = id;
    }
  }
  return name;
}
