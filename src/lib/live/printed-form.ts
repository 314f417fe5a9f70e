/**
 * What the live view keeps of a trace it has printed (PrintedTraces): its estimated size, and its
 * form on disk. Late spans of a printed trace need only its count-once records and, of its spans,
 * the keys values are inherited by (feature, model, session) and the service name.
 */
import type { LiveCount } from '../trace/count-once.js';
import { attrString, newAttributes, type Attributes } from '../span.js';
import type { CountRecord, KeptSpan } from './view.js';

/**
 * The heap a printed trace holds, as measured on a slim view (V8 heap after a full GC over 20k
 * traces of 2, 8 and 16 spans; docs/architecture.md, "Burst memory"): ~1.1 KB a trace (its
 * maps, count-once state, id), ~120 B a count-once record, ~240 B more for a call's record. The
 * earlier estimate (200 + 160 a record) was a third of the real size on calls, so the 24 MiB
 * budget held ~75 MB.
 */
export function printedTraceBytes(t: { count: { spans: { size: number } }; spans: { size: number }; callRecords: number }): number {
  return 1100 + t.count.spans.size * 120 + t.callRecords * 240 + t.spans.size * 200;
}

/** A printed trace as saved to disk (PrintedTraces): what late spans of it need. */
export interface SavedTrace {
  hasRoot: boolean;
  spans: Array<[string, string | { p: string; n: string; a: Record<string, string>; r: Record<string, string> }]>;
  count: Array<[string, CountRecord]>;
  calls: Array<[string, 'usage' | 'no-usage']>;
}

export function saveTrace(t: { hasRoot: boolean; spans: Map<string, KeptSpan>; count: LiveCount<CountRecord> }, keys: readonly string[]): SavedTrace {
  const spans: SavedTrace['spans'] = [];
  for (const [id, k] of t.spans) {
    if (typeof k === 'string') spans.push([id, k]);
    else spans.push([id, { p: k.parentSpanId, n: k.name, a: stringAttributes(k.attributes, keys), r: stringAttributes(k.resource.attributes, keys) }]);
  }
  return { hasRoot: t.hasRoot, spans, count: [...t.count.spans], calls: [...t.count.calls] };
}

export function restoreSpans(saved: SavedTrace): Array<[string, KeptSpan]> {
  return saved.spans.map(([id, k]) => {
    if (typeof k === 'string') return [id, k];
    const resource = { attributes: Object.assign(newAttributes(), k.r), droppedAttributesCount: 0, schemaUrl: '' };
    return [id, { spanId: id, parentSpanId: k.p, name: k.n, attributes: Object.assign(newAttributes(), k.a), resource }];
  });
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

