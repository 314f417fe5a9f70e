/**
 * The one internal span model. Every source decodes into it; every consumer reads only it.
 * Ids are lowercase hex, times exact integer nanoseconds (bigint) so a store round trip is
 * lossless; `startMs`/`durationMs` are derived numbers for display and windows.
 */

/** An OTLP AnyValue. Integers are bigint and doubles number, so int 5 and double 5.0 stay apart. */
export type AttrValue =
  | string
  | boolean
  | bigint
  | number
  | Uint8Array
  | AttrValue[]
  | KvList
  | null;

/** OTLP kvlist_value: kept as ordered pairs, since keys need not be unique on the wire. */
export class KvList {
  constructor(readonly entries: Array<[string, AttrValue]>) {}
  get(key: string): AttrValue | undefined {
    for (const [k, v] of this.entries) if (k === key) return v;
    return undefined;
  }
}

/** Attribute map. Created with a null prototype so keys like `__proto__` are plain data. */
export type Attributes = Record<string, AttrValue>;

export function newAttributes(): Attributes {
  return Object.create(null) as Attributes;
}

export interface Resource {
  attributes: Attributes;
  droppedAttributesCount: number;
  schemaUrl: string;
}

export interface Scope {
  name: string;
  version: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  schemaUrl: string;
}

export interface SpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: Attributes;
  droppedAttributesCount: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
}

export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export interface Span {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  status: { code: number; message: string };
  flags: number;
  /** Shared by every span of one ResourceSpans / ScopeSpans. */
  resource: Resource;
  scope: Scope;
  /** Derived: start in epoch milliseconds (fractional). */
  startMs: number;
  /** Derived: end − start in milliseconds; negative when the source says end < start. */
  durationMs: number;
}

/**
 * What the store's span index needs of the spans of one store line (store/span-index.ts): their
 * trace ids, the earliest and latest start after 0, and whether a span has none (timeKnown).
 */
export interface SpanStarts {
  traceIds: string[];
  minNs: bigint | undefined;
  maxNs: bigint | undefined;
  untimed: boolean;
}

export function spanStartsOf(spans: readonly Span[]): SpanStarts {
  const out: SpanStarts = { traceIds: [], minNs: undefined, maxNs: undefined, untimed: false };
  let last = '';
  for (const s of spans) {
    // Spans of a trace usually come together: the index keeps each id once anyway.
    if (s.traceId !== last) out.traceIds.push((last = s.traceId));
    const ns = s.startTimeUnixNano;
    if (ns <= 0n) out.untimed = true;
    else {
      if (out.minNs === undefined || ns < out.minNs) out.minNs = ns;
      if (out.maxNs === undefined || ns > out.maxNs) out.maxNs = ns;
    }
  }
  return out;
}

export function nanosToMs(n: bigint): number {
  // Split so the fractional part survives: Number(n) alone loses sub-microsecond precision.
  const whole = n / 1_000_000n;
  return Number(whole) + Number(n - whole * 1_000_000n) / 1e6;
}

/**
 * The one rule for unset span times (docs/architecture.md "Unset span times"): OTLP's zero value
 * for a start is 0, so an exporter that never set it sends 1970. A span's time is known when its
 * start is after 0; its duration is known when its time is and it does not end before it starts
 * (an end of 0, or one before the start, is no duration). Every command reads times through these.
 */
export function timeKnown(startMs: number): boolean {
  return startMs > 0;
}

export function durationKnown(startMs: number, durationMs: number): boolean {
  return timeKnown(startMs) && durationMs >= 0;
}

/** Fill the derived fields; every decoder calls this once per span. */
export function finishSpan(span: Omit<Span, 'startMs' | 'durationMs'> & Partial<Span>): Span {
  span.startMs = nanosToMs(span.startTimeUnixNano);
  span.durationMs = nanosToMs(span.endTimeUnixNano - span.startTimeUnixNano);
  return span as Span;
}

export function emptyResource(): Resource {
  return { attributes: newAttributes(), droppedAttributesCount: 0, schemaUrl: '' };
}

export function emptyScope(): Scope {
  return { name: '', version: '', attributes: newAttributes(), droppedAttributesCount: 0, schemaUrl: '' };
}

/** The resource attribute naming the service. */
export const SERVICE_NAME = 'service.name';

export function serviceName(span: Span): string {
  const v = span.resource.attributes[SERVICE_NAME];
  return typeof v === 'string' && v !== '' ? v : 'unknown_service';
}

/** Attribute readers that downstream code uses instead of poking at AttrValue shapes. */
export function attrString(attrs: Attributes, key: string): string | undefined {
  const v = attrs[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A finite number from an int, double or numeric string attribute. */
export function attrNumber(attrs: Attributes, key: string): number | undefined {
  const v = attrs[key];
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function attrStringArray(attrs: Attributes, key: string): string[] | undefined {
  const v = attrs[key];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') {
    // Some libraries write JSON-encoded arrays into a string attribute.
    if (v.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(v);
        if (Array.isArray(parsed)) return parsed.filter((x): x is string => typeof x === 'string');
      } catch {
        /* not JSON: a single value */
      }
    }
    return [v];
  }
  return undefined;
}
