/**
 * What the live view (view.ts) holds of one trace while it is pending, and of a printed one whose
 * late spans may still come.
 */
import type { GenAiView } from '../genai/classify.js';
import type { LogRecordView } from '../receiver/types.js';
import type { Span } from '../span.js';
import { LiveCount } from '../trace/count-once.js';
import { countFacts, liveCopyKey, type CallRecord, type CountRecord } from './count-records.js';
import type { FeatureSpan } from './filters.js';

/**
 * What a trace keeps of a span that arrived: the whole Span, unless the view is slim; then a
 * FeatureSpan when --feature filters (features walk the ancestors' attributes), else only the
 * parent's id, all that count-once reads (slimDown()).
 */
export type KeptSpan = FeatureSpan | string;

export interface TraceState {
  id: string;
  /** By span id: whole Spans, unless the view is slim (KeptSpan). */
  spans: Map<string, KeptSpan>;
  views: Map<string, GenAiView>;
  /** Which spans are model calls, kept current as spans arrive. */
  count: LiveCount<CountRecord>;
  /** GenAI log events waiting for their span (--show-content only). */
  logs: Map<string, LogRecordView[]>;
  /** Spans waiting for their feature to be known (--feature only), by span id; kept whole. */
  deferred: Map<string, { span: Span; view: GenAiView }>;
  /** Calls whose session an ancestor still to come may name, by span id (settleSession). */
  sessionWait: Map<string, CallRecord>;
  hasRoot: boolean;
  lastAt: number;
  printed: boolean;
  /** Records in `count` that are calls (CallRecord), for printedTraceBytes. */
  callRecords: number;
}

/**
 * Most traces never need their `views`, `logs`, `deferred` or `sessionWait` maps (not drawn, no
 * content, no --feature, sessions known on arrival): they share this empty one, replaced by a map of their own on first write (own()).
 */
class NoEntries<K, V> extends Map<K, V> {
  override set(): this {
    throw new Error('NoEntries is shared and stays empty: own() the map first');
  }
}
export const NONE = new NoEntries<never, never>();

export function own<K, V>(m: Map<K, V>): Map<K, V> {
  return m === (NONE as Map<unknown, unknown>) ? new Map<K, V>() : m;
}

export function newTraceState(id: string, nowMs: number): TraceState {
  return {
    id,
    spans: new Map(),
    views: NONE,
    count: new LiveCount<CountRecord>(countFacts, liveCopyKey),
    logs: NONE,
    deferred: NONE,
    sessionWait: NONE,
    hasRoot: false,
    lastAt: nowMs,
    printed: false,
    callRecords: 0,
  };
}
