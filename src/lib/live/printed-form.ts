/**
 * What the live view keeps of a trace it has printed (PrintedTraces): its estimated size, and its
 * saved line (held in memory, or on disk beyond the budget). Late spans of a printed trace need
 * only its count-once records and, of its spans, the keys values are inherited by (feature,
 * model, session) and the service name.
 */
import type { Counted, LiveCount } from '../trace/count-once.js';
import { attrString, newAttributes, type Attributes } from '../span.js';
import type { CountedCall } from './totals.js';
import type { CallRecord, CountRecord } from './count-records.js';
import type { KeptSpan } from './view-trace.js';

/**
 * The heap a printed trace holds as objects, as measured on a slim view (V8 heap after a full GC
 * over 20k traces of 2, 8 and 16 spans; docs/architecture.md, "Burst memory"): ~1.1 KB a trace
 * (its maps, count-once state, id), ~120 B a count-once record, ~240 B more for a call's
 * record. Held as its line, a trace takes that line's bytes instead (printed-traces.ts lineBytes).
 */
export function printedTraceBytes(t: { count: { spans: { size: number } }; spans: { size: number }; callRecords: number }): number {
  return 1100 + t.count.spans.size * 120 + t.callRecords * 240 + t.spans.size * 200;
}

/** A printed trace as PrintedTraces holds it: what late spans of it need. */
export interface SavedTrace {
  hasRoot: boolean;
  spans: Array<[string, KeptSpan]>;
  count: Array<[string, CountRecord]>;
  calls: Array<[string, Counted]>;
}

/*
 * The line is JSON: [hasRoot 0|1, kept spans, records]. Kept spans: [id, parent, name, {key:
 * value}, {resource key: value}] (a bare parent id: [id, parent]). Records, flat and in the
 * order count-once holds them (it decides in that order): a plain span is `id, parent`; a call is
 * `id, flags, parent, model, agent, session, cost, durationMs, startMs` and, when it has usage, its five
 * token counts. A flat array of strings and numbers is what JSON.stringify writes fastest: the
 * records' objects (~270 characters a call) cost the view thread a tenth of its time
 * (docs/architecture.md, "Printed traces as lines").
 */
const USAGE = 1;
const MODEL = 2;
const HAS_USAGE = 4;
const FAILED = 8;
const IN_TOTALS = 16;
const SHOWN_KNOWN = 32;
const SHOWN = 64;
const COUNTED = 128;
const COUNTED_NO_USAGE = 256;

export function saveTrace(t: { hasRoot: boolean; spans: Map<string, KeptSpan>; count: LiveCount<CountRecord> }, keys: readonly string[]): string {
  const kept: unknown[] = [];
  for (const [id, k] of t.spans) {
    if (typeof k === 'string') kept.push([id, k]);
    else kept.push([id, k.parentSpanId, k.name, stringAttributes(k.attributes, keys), stringAttributes(k.resource.attributes, keys)]);
  }
  const calls = t.count.calls;
  const records: Array<string | number | null> = [];
  for (const [id, r] of t.count.spans) {
    if (typeof r === 'string') {
      records.push(id, r);
      continue;
    }
    const c = r.call;
    const counted = calls.get(id);
    let flags = (r.usage ? USAGE : 0) | (r.model ? MODEL : 0) | (c.failed ? FAILED : 0) | (r.inTotals ? IN_TOTALS : 0);
    if (r.shown !== undefined) flags |= SHOWN_KNOWN | (r.shown ? SHOWN : 0);
    if (counted !== undefined) flags |= COUNTED | (counted === 'no-usage' ? COUNTED_NO_USAGE : 0);
    if (c.usage) flags |= HAS_USAGE;
    records.push(id, flags, r.parent, c.model, c.agent ?? null, r.session ?? null, c.cost ?? null, c.durationMs ?? null, r.startMs);
    if (c.usage) records.push(c.usage.input, c.usage.output, c.usage.cacheRead, c.usage.cacheWrite, c.usage.reasoning);
  }
  return JSON.stringify([t.hasRoot ? 1 : 0, kept, records]);
}

/** A saved line back as the trace's parts; throws when the line is not one saveTrace wrote. */
export function restoreTrace(line: string): SavedTrace {
  const [hasRoot, kept, records] = JSON.parse(line) as [number, Array<[string, string, string?, Record<string, string>?, Record<string, string>?]>, Array<string | number | null>];
  const spans: SavedTrace['spans'] = kept.map(([id, parent, name, a, r]) => {
    if (name === undefined) return [id, parent];
    const resource = { attributes: Object.assign(newAttributes(), r), droppedAttributesCount: 0, schemaUrl: '' };
    return [id, { spanId: id, parentSpanId: parent, name, attributes: Object.assign(newAttributes(), a), resource }];
  });
  const count: SavedTrace['count'] = [];
  const calls: SavedTrace['calls'] = [];
  for (let i = 0; i < records.length; ) {
    const id = records[i++] as string;
    const next = records[i++]!;
    if (typeof next === 'string') {
      count.push([id, next]);
      continue;
    }
    const flags = next;
    const parent = records[i++] as string;
    const model = records[i++] as string;
    const agent = records[i++] as string | null;
    const session = records[i++] as string | null;
    const cost = records[i++] as number | null;
    const durationMs = records[i++] as number | null;
    const startMs = records[i++] as number;
    // A span call's duration is always set: null is an unknown one (totals.ts `CountedCall`).
    const call: CountedCall = { model, cost: cost ?? undefined, failed: (flags & FAILED) !== 0, durationMs };
    if (agent !== null) call.agent = agent;
    if (flags & HAS_USAGE) {
      call.usage = { input: records[i++] as number, output: records[i++] as number, cacheRead: records[i++] as number, cacheWrite: records[i++] as number, reasoning: records[i++] as number };
    }
    const r: CallRecord = { parent, usage: (flags & USAGE) !== 0, model: (flags & MODEL) !== 0, call, startMs, shown: flags & SHOWN_KNOWN ? (flags & SHOWN) !== 0 : undefined, inTotals: (flags & IN_TOTALS) !== 0 };
    if (session !== null) r.session = session;
    count.push([id, r]);
    if (flags & COUNTED) calls.push([id, flags & COUNTED_NO_USAGE ? 'no-usage' : 'usage']);
  }
  return { hasRoot: hasRoot === 1, spans, count, calls };
}

/** Feature keys and the service name as strings: all that late spans of a printed trace read of it. */
function stringAttributes(a: Attributes, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...keys, 'service.name']) {
    const v = attrString(a, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** What a printed trace keeps of a span: feature keys and service only (late spans need no more). */
export function printedForm(k: KeptSpan, keys: readonly string[]): KeptSpan {
  if (typeof k === 'string') return k;
  const resource = { attributes: Object.assign(newAttributes(), stringAttributes(k.resource.attributes, keys)), droppedAttributesCount: 0, schemaUrl: '' };
  return { spanId: k.spanId, parentSpanId: k.parentSpanId, name: k.name, attributes: Object.assign(newAttributes(), stringAttributes(k.attributes, keys)), resource };
}
