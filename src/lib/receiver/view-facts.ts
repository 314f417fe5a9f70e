/**
 * The view's facts of an export: the accepted spans with only what the `tail --quiet` view reads
 * (ids, name, times, status, the span attributes it keeps, the resource's attributes, the scope's
 * name, events' names and times with their exception attributes), made by the store worker from
 * the spans it decoded from a JSON body, and read by the view thread without parsing the body
 * again (docs/architecture.md, "View facts"). Bytes, so they move between threads in one block:
 *
 *   u32 FORMAT, u32 table bytes, u32 double count, u32 integer count, the string table (UTF-8
 *   JSON array: every string once an export, lone surrogates kept), zero padding to 8, the
 *   doubles (f64), the integers (u32).
 *
 * Two streams, read in step: the integers (record and value tags, indices, counts, the halves of
 * times) and the doubles (numbers as they were: attribute values, kind, flags, status code, the
 * derived milliseconds), so most of a span takes 4 bytes a field, not 8. The records: RESOURCE
 * (attributes), SCOPE (name, version), SPAN (its resource and scope by order of definition, then
 * its fields). Ids and names are indices into the table; times are exact. The reader checks every index and count against the bytes it has: a malformed block
 * throws ViewFactsError, never reads out of bounds.
 */
import { KvList, newAttributes, type Attributes, type AttrValue, type Resource, type Scope, type Span, type SpanEvent } from '../span.js';

const FORMAT = 0x56460002; // "VF", version 2
const HEADER = 16;

const RESOURCE = 1;
const SCOPE = 2;
const SPAN = 3;

const V_STRING = 0;
const V_NUMBER = 1;
const V_TRUE = 2;
const V_FALSE = 3;
const V_BIGINT = 4;
const V_NULL = 5;
const V_ARRAY = 6;
const V_BYTES = 7;
const V_KVLIST = 8;

/** Event attributes the view reads (classify's exception event), besides the span keys. */
const EVENT_KEYS: ReadonlySet<string> = new Set(['exception.message', 'exception.type']);

export class ViewFactsError extends Error {}

const halves = new DataView(new ArrayBuffer(8));

/** `into` (twice as long) holding `from`'s values: a stream grown when full. */
function doubled<T extends Uint32Array | Float64Array>(from: T, into: T): T {
  into.set(from);
  return into;
}

/** Builds one export's facts; reused, reset by take(). */
export class ViewFactsWriter {
  private ints = new Uint32Array(2048);
  private n = 0;
  private doubles = new Float64Array(512);
  private d = 0;
  private strings: string[] = [];
  private index = new Map<string, number>();
  private resources = 0;
  private scopes = 0;

  constructor(private readonly keys: ReadonlySet<string>) {}

  /** An integer 0 … 2^32 − 1. */
  private num(x: number): void {
    if (this.n === this.ints.length) this.ints = doubled(this.ints, new Uint32Array(this.ints.length * 2));
    this.ints[this.n++] = x;
  }

  private dbl(x: number): void {
    if (this.d === this.doubles.length) this.doubles = doubled(this.doubles, new Float64Array(this.doubles.length * 2));
    this.doubles[this.d++] = x;
  }

  private str(s: string): void {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    this.num(i);
  }

  private time(t: bigint): void {
    halves.setBigUint64(0, t, true);
    this.num(halves.getUint32(0, true));
    this.num(halves.getUint32(4, true));
  }

  private value(v: AttrValue): void {
    if (typeof v === 'string') {
      this.num(V_STRING);
      this.str(v);
    } else if (typeof v === 'number') {
      this.num(V_NUMBER);
      this.dbl(v);
    } else if (typeof v === 'boolean') this.num(v ? V_TRUE : V_FALSE);
    else if (typeof v === 'bigint') {
      this.num(V_BIGINT);
      this.str(v.toString());
    } else if (v === null) this.num(V_NULL);
    else if (Array.isArray(v)) {
      this.num(V_ARRAY);
      this.num(v.length);
      for (const x of v) this.value(x);
    } else if (v instanceof Uint8Array) {
      this.num(V_BYTES);
      this.str(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
    } else {
      this.num(V_KVLIST);
      this.num(v.entries.length);
      for (const [k, x] of v.entries) {
        this.str(k);
        this.value(x);
      }
    }
  }

  /** The attributes whose keys `keep` has (all when undefined). */
  private attributes(a: Attributes, keep: ReadonlySet<string> | undefined): void {
    const at = this.n;
    this.num(0);
    let count = 0;
    for (const k in a) {
      if (keep !== undefined && !keep.has(k)) continue;
      this.str(k);
      this.value(a[k]!);
      count++;
    }
    this.ints[at] = count;
  }

  /** Opens a resource; the spans after it (until the next) are its. */
  resource(attributes: Attributes): void {
    this.num(RESOURCE);
    this.attributes(attributes, undefined);
    this.resources++;
  }

  scope(name: string, version: string): void {
    this.num(SCOPE);
    this.str(name);
    this.str(version);
    this.scopes++;
  }

  /** A decoded span of the resource and scope opened last: times as the nanoseconds' 32-bit halves and the milliseconds the decoder derived. */
  span(s: Span): void {
    if (this.resources === 0 || this.scopes === 0) throw new ViewFactsError('a span before its resource and scope');
    this.num(SPAN);
    this.num(this.resources - 1);
    this.num(this.scopes - 1);
    this.str(s.traceId);
    this.str(s.spanId);
    this.str(s.parentSpanId);
    this.str(s.name);
    this.dbl(s.kind);
    this.dbl(s.flags);
    this.time(s.startTimeUnixNano);
    this.time(s.endTimeUnixNano);
    this.dbl(s.startMs);
    this.dbl(s.durationMs);
    this.dbl(s.status.code);
    this.str(s.status.message);
    this.attributes(s.attributes, this.keys);
    this.num(s.events.length);
    for (const e of s.events) {
      this.str(e.name);
      this.time(e.timeUnixNano);
      this.attributes(e.attributes, EVENT_KEYS);
    }
  }

  /** The facts written since the last take(), in memory of their own (transferable). */
  take(): Uint8Array<ArrayBuffer> {
    const table = Buffer.from(JSON.stringify(this.strings), 'utf8');
    const doublesAt = HEADER + table.length + ((8 - ((HEADER + table.length) % 8)) % 8);
    const intsAt = doublesAt + this.d * 8;
    const out = new Uint8Array(intsAt + this.n * 4);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, FORMAT, true);
    dv.setUint32(4, table.length, true);
    dv.setUint32(8, this.d, true);
    dv.setUint32(12, this.n, true);
    out.set(table, HEADER);
    new Float64Array(out.buffer, doublesAt, this.d).set(this.doubles.subarray(0, this.d));
    new Uint32Array(out.buffer, intsAt, this.n).set(this.ints.subarray(0, this.n));
    this.n = 0;
    this.d = 0;
    this.strings = [];
    this.index = new Map();
    this.resources = 0;
    this.scopes = 0;
    return out;
  }
}

/** The facts of decoded spans (the store worker's, of a JSON body). */
export function viewFactsOfSpans(spans: readonly Span[], keys: ReadonlySet<string>): Uint8Array<ArrayBuffer> {
  const w = new ViewFactsWriter(keys);
  let resource: Resource | undefined;
  let scope: Scope | undefined;
  for (const s of spans) {
    if (s.resource !== resource) {
      resource = s.resource;
      scope = undefined;
      w.resource(resource.attributes);
    }
    if (s.scope !== scope) {
      scope = s.scope;
      w.scope(scope.name, scope.version);
    }
    w.span(s);
  }
  return w.take();
}

// ---- reading ------------------------------------------------------------------------------------

const EMPTY_SCOPE_ATTRIBUTES: Attributes = Object.freeze(newAttributes());

class Reader {
  /** Where the integer and the double streams are. */
  p = 0;
  q = 0;
  constructor(
    readonly ints: Uint32Array,
    readonly doubles: Float64Array,
    readonly strings: readonly string[],
  ) {}

  num(): number {
    if (this.p >= this.ints.length) throw new ViewFactsError(`view facts: truncated at integer ${this.p}`);
    return this.ints[this.p++]!;
  }

  dbl(): number {
    if (this.q >= this.doubles.length) throw new ViewFactsError(`view facts: truncated at double ${this.q}`);
    return this.doubles[this.q++]!;
  }

  /** A count or index below `limit`. */
  int(limit: number, what: string): number {
    const x = this.num();
    if (x >= limit) throw new ViewFactsError(`view facts: ${what} ${x} at integer ${this.p - 1} is out of range`);
    return x;
  }

  /** A count of items of at least one integer each: never more than the integers left. */
  count(what: string): number {
    return this.int(this.ints.length - this.p + 1, what);
  }

  str(): string {
    return this.strings[this.int(this.strings.length, 'string index')]!;
  }

  bigTime(): bigint {
    halves.setUint32(0, this.num(), true);
    halves.setUint32(4, this.num(), true);
    return halves.getBigUint64(0, true);
  }

  value(depth: number): AttrValue {
    if (depth > 64) throw new ViewFactsError('view facts: value nested too deep');
    const tag = this.num();
    switch (tag) {
      case V_STRING:
        return this.str();
      case V_NUMBER:
        return this.dbl();
      case V_TRUE:
        return true;
      case V_FALSE:
        return false;
      case V_BIGINT: {
        const s = this.str();
        if (!/^-?\d+$/.test(s)) throw new ViewFactsError(`view facts: bigint ${JSON.stringify(s.slice(0, 40))} is not an integer`);
        return BigInt(s);
      }
      case V_NULL:
        return null;
      case V_ARRAY: {
        const n = this.count('array length');
        const out: AttrValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.value(depth + 1));
        return out;
      }
      case V_BYTES:
        return new Uint8Array(Buffer.from(this.str(), 'base64'));
      case V_KVLIST: {
        const n = this.count('kvlist length');
        const entries: Array<[string, AttrValue]> = [];
        for (let i = 0; i < n; i++) entries.push([this.str(), this.value(depth + 1)]);
        return new KvList(entries);
      }
      default:
        throw new ViewFactsError(`view facts: unknown value tag ${tag} at integer ${this.p - 1}`);
    }
  }

  attributes(): Attributes {
    const a = newAttributes();
    const n = this.count('attribute count');
    for (let i = 0; i < n; i++) {
      const k = this.str();
      a[k] = this.value(0);
    }
    return a;
  }
}

/** The spans of a facts block (viewFactsOfSpans); throws ViewFactsError when it is malformed. */
export function readViewFacts(bytes: Uint8Array): Span[] {
  if (bytes.length < HEADER) throw new ViewFactsError(`view facts: ${bytes.length} bytes, shorter than the header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== FORMAT) throw new ViewFactsError('view facts: not a facts block (format mark)');
  const tableBytes = dv.getUint32(4, true);
  const doubleCount = dv.getUint32(8, true);
  const intCount = dv.getUint32(12, true);
  const doublesAt = HEADER + tableBytes + ((8 - ((HEADER + tableBytes) % 8)) % 8);
  const intsAt = doublesAt + doubleCount * 8;
  const size = intsAt + intCount * 4;
  if (size !== bytes.length) throw new ViewFactsError(`view facts: ${bytes.length} bytes, the header says ${size}`);
  let strings: unknown;
  try {
    strings = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + HEADER, tableBytes).toString('utf8'));
  } catch (e) {
    throw new ViewFactsError(`view facts: string table: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!Array.isArray(strings) || !strings.every((s) => typeof s === 'string')) throw new ViewFactsError('view facts: the string table is not a list of strings');
  // Aligned when the block starts at a multiple of 8 (its own buffer); copied otherwise.
  const own = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const r = new Reader(new Uint32Array(own.buffer, own.byteOffset + intsAt, intCount), new Float64Array(own.buffer, own.byteOffset + doublesAt, doubleCount), strings as string[]);
  const resources: Resource[] = [];
  const scopes: Scope[] = [];
  const spans: Span[] = [];
  while (r.p < intCount) {
    const kind = r.num();
    if (kind === RESOURCE) resources.push({ attributes: r.attributes(), droppedAttributesCount: 0, schemaUrl: '' });
    else if (kind === SCOPE) scopes.push({ name: r.str(), version: r.str(), attributes: EMPTY_SCOPE_ATTRIBUTES, droppedAttributesCount: 0, schemaUrl: '' });
    else if (kind === SPAN) spans.push(readSpan(r, resources, scopes));
    else throw new ViewFactsError(`view facts: unknown record ${kind} at integer ${r.p - 1}`);
  }
  if (r.q !== doubleCount) throw new ViewFactsError(`view facts: ${doubleCount - r.q} doubles left over`);
  return spans;
}

function readSpan(r: Reader, resources: readonly Resource[], scopes: readonly Scope[]): Span {
  const resource = resources[r.int(resources.length, 'resource index')]!;
  const scope = scopes[r.int(scopes.length, 'scope index')]!;
  const traceId = r.str();
  const spanId = r.str();
  const parentSpanId = r.str();
  const name = r.str();
  const kind = r.dbl();
  const flags = r.dbl();
  const startTimeUnixNano = r.bigTime();
  const endTimeUnixNano = r.bigTime();
  const startMs = r.dbl();
  const durationMs = r.dbl();
  const code = r.dbl();
  const message = r.str();
  const attributes = r.attributes();
  const n = r.count('event count');
  const events: SpanEvent[] = [];
  for (let i = 0; i < n; i++) events.push({ name: r.str(), timeUnixNano: r.bigTime(), attributes: r.attributes(), droppedAttributesCount: 0 });
  return {
    traceId,
    spanId,
    parentSpanId,
    traceState: '',
    name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes,
    droppedAttributesCount: 0,
    events,
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code, message },
    flags,
    resource,
    scope,
    startMs,
    durationMs,
  };
}
