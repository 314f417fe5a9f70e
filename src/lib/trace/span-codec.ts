/**
 * Spans of one trace as one line of JSON, and back, losslessly: what `tree` writes to its spill
 * files (tree-collect.ts). Every field of the Span is kept as it was decoded — bigint times as
 * decimal strings, int and double attributes apart, bytes, kvlists, NaN, ±Infinity and −0,
 * even the derived `startMs`/`durationMs` (decoders compute them each their own way) — so a
 * trace read back from disk renders byte for byte like one that stayed in memory. Resources and
 * scopes are written once per line and shared again by the spans decoded from it.
 *
 * Not OTLP JSON on purpose: its decoder validates (ids of the right length, enum ranges) and a
 * span that another decoder accepted must never be dropped on the way back.
 */
import type { SpanLogEvent } from '../otlp/decode-result.js';
import { KvList, newAttributes, type AttrValue, type Attributes, type Resource, type Scope, type Span, type SpanEvent, type SpanLink } from '../span.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A number JSON can carry as it is; NaN, ±Infinity and −0 go as strings (String(-0) is "0"). */
function num(n: number): number | string {
  return Number.isFinite(n) && !Object.is(n, -0) ? n : Object.is(n, -0) ? '-0' : String(n);
}

function unnum(v: Json): number {
  return typeof v === 'string' ? Number(v) : (v as number);
}

function encodeValue(v: AttrValue): Json {
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0) ? v : { d: num(v) };
    case 'bigint':
      return { i: v.toString() };
  }
  if (v instanceof Uint8Array) return { b: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (v instanceof KvList) return { k: v.entries.map(([key, value]) => [key, encodeValue(value)]) };
  return v.map(encodeValue);
}

function decodeValue(v: Json): AttrValue {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  if ('i' in v) return BigInt(v.i as string);
  if ('d' in v) return Number(v.d);
  if ('b' in v) return new Uint8Array(Buffer.from(v.b as string, 'base64'));
  return new KvList((v.k as Array<[string, Json]>).map(([key, value]) => [key, decodeValue(value)]));
}

/** Attributes as [key, value, key, value, …]: the keys' order is kept, `__proto__` is data. */
function encodeAttrs(a: Attributes): Json[] {
  const out: Json[] = [];
  for (const key in a) out.push(key, encodeValue(a[key]!));
  return out;
}

function decodeAttrs(flat: Json[]): Attributes {
  const a = newAttributes();
  for (let i = 0; i < flat.length; i += 2) a[flat[i] as string] = decodeValue(flat[i + 1]!);
  return a;
}

/** Encodes spans (and log events) of the trace `traceId` as one line without a newline. */
export function encodeTraceLine(spans: readonly Span[], logs: readonly SpanLogEvent[] = []): string {
  const resources = new Map<Resource, number>();
  const scopes = new Map<Scope, number>();
  const R: Json[] = [];
  const S: Json[] = [];
  const out: Json[] = [];
  for (const s of spans) {
    let r = resources.get(s.resource);
    if (r === undefined) {
      resources.set(s.resource, (r = R.length));
      R.push([encodeAttrs(s.resource.attributes), s.resource.droppedAttributesCount, s.resource.schemaUrl]);
    }
    let c = scopes.get(s.scope);
    if (c === undefined) {
      scopes.set(s.scope, (c = S.length));
      S.push([s.scope.name, s.scope.version, encodeAttrs(s.scope.attributes), s.scope.droppedAttributesCount, s.scope.schemaUrl]);
    }
    out.push([
      r,
      c,
      s.spanId,
      s.parentSpanId,
      s.traceState,
      s.name,
      s.kind,
      s.startTimeUnixNano.toString(),
      s.endTimeUnixNano.toString(),
      encodeAttrs(s.attributes),
      s.droppedAttributesCount,
      s.events.map((e) => [e.timeUnixNano.toString(), e.name, encodeAttrs(e.attributes), e.droppedAttributesCount]),
      s.droppedEventsCount,
      s.links.map((l) => [l.traceId, l.spanId, l.traceState, encodeAttrs(l.attributes), l.droppedAttributesCount, l.flags]),
      s.droppedLinksCount,
      s.status.code,
      s.status.message,
      s.flags,
      num(s.startMs),
      num(s.durationMs),
    ]);
  }
  const L = logs.map((e) => [e.spanId, e.name, e.timeUnixNano.toString()]);
  return JSON.stringify([R, S, out, L]);
}

export interface DecodedLine {
  spans: Span[];
  logs: SpanLogEvent[];
}

/** The spans and log events of one encoded line; `traceId` is the trace the line was written for. */
export function decodeTraceLine(traceId: string, line: string): DecodedLine {
  const [R, S, out, L] = JSON.parse(line) as [Json[][], Json[][], Json[][], Json[][]];
  const resources: Resource[] = R.map(([attrs, dropped, schemaUrl]) => ({
    attributes: decodeAttrs(attrs as Json[]),
    droppedAttributesCount: dropped as number,
    schemaUrl: schemaUrl as string,
  }));
  const scopes: Scope[] = S.map(([name, version, attrs, dropped, schemaUrl]) => ({
    name: name as string,
    version: version as string,
    attributes: decodeAttrs(attrs as Json[]),
    droppedAttributesCount: dropped as number,
    schemaUrl: schemaUrl as string,
  }));
  const spans: Span[] = out.map((e) => ({
    traceId,
    spanId: e[2] as string,
    parentSpanId: e[3] as string,
    traceState: e[4] as string,
    name: e[5] as string,
    kind: e[6] as number,
    startTimeUnixNano: BigInt(e[7] as string),
    endTimeUnixNano: BigInt(e[8] as string),
    attributes: decodeAttrs(e[9] as Json[]),
    droppedAttributesCount: e[10] as number,
    events: (e[11] as Json[][]).map(
      ([time, name, attrs, dropped]): SpanEvent => ({
        timeUnixNano: BigInt(time as string),
        name: name as string,
        attributes: decodeAttrs(attrs as Json[]),
        droppedAttributesCount: dropped as number,
      }),
    ),
    droppedEventsCount: e[12] as number,
    links: (e[13] as Json[][]).map(
      ([tid, sid, state, attrs, dropped, flags]): SpanLink => ({
        traceId: tid as string,
        spanId: sid as string,
        traceState: state as string,
        attributes: decodeAttrs(attrs as Json[]),
        droppedAttributesCount: dropped as number,
        flags: flags as number,
      }),
    ),
    droppedLinksCount: e[14] as number,
    status: { code: e[15] as number, message: e[16] as string },
    flags: e[17] as number,
    resource: resources[e[0] as number]!,
    scope: scopes[e[1] as number]!,
    startMs: unnum(e[18]!),
    durationMs: unnum(e[19]!),
  }));
  const logs = L.map(([spanId, name, time]): SpanLogEvent => ({ traceId, spanId: spanId as string, name: name as string, timeUnixNano: BigInt(time as string) }));
  return { spans, logs };
}
