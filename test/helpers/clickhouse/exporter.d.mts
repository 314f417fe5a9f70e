import type { AttrValue, Span } from '../../../src/lib/span.js';

export type Layout = 'current' | 'old';
/** The exporter's DDL: the database, the traces table, its trace_id_ts table and materialized view. */
export function tracesDdl(db: string, table?: string, layout?: Layout): string[];
/** pcommon.Value.AsString(). */
export function asString(v: AttrValue): string;
/** One span as the exporter inserts it (JSONEachRow). */
export function exporterRow(s: Span, layout?: Layout): Record<string, unknown>;
