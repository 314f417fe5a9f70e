import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KvList, newAttributes, type AttrValue, type Attributes, type Resource, type Scope, type Span } from '../../src/lib/span.js';
import { decodeTraceLine, encodeTraceLine } from '../../src/lib/trace/span-codec.js';
import { TraceStarts } from '../../src/lib/trace/trace-starts.js';

const TRACE = 'ab'.repeat(16);

/**
 * The first difference between two values: prototypes, own keys in order, primitives by
 * Object.is (−0, NaN). Not toStrictEqual: it reads `a.constructor`, an attribute key here.
 */
function difference(a: unknown, b: unknown, path = ''): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: ${String(a)} ≠ ${String(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: another prototype`;
  const ka = Reflect.ownKeys(a), kb = Reflect.ownKeys(b);
  if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: keys ${ka.map(String).join(',')} ≠ ${kb.map(String).join(',')}`;
  for (const k of ka) {
    const d = difference((a as Record<PropertyKey, unknown>)[k], (b as Record<PropertyKey, unknown>)[k], `${path}.${String(k)}`);
    if (d) return d;
  }
  return undefined;
}

const leaf: fc.Arbitrary<AttrValue> = fc.oneof(
  fc.string({ unit: 'binary' }), // lone surrogates included
  fc.boolean(),
  fc.constant(null),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  fc.double(), // NaN, ±Infinity, −0 included
  fc.uint8Array({ maxLength: 8 }),
);

const value: fc.Arbitrary<AttrValue> = fc.letrec<{ v: AttrValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.array(fc.tuple(fc.string(), tie('v')), { maxLength: 3 }).map((entries) => new KvList(entries)),
  ),
})).v;

const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', '10', '2', 'gen_ai.usage.input_tokens'));

const attributes: fc.Arbitrary<Attributes> = fc.array(fc.tuple(key, value), { maxLength: 5 }).map((pairs) => {
  const a = newAttributes();
  for (const [k, v] of pairs) a[k] = v;
  return a;
});

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

function spanArb(resources: Resource[], scopes: Scope[]): fc.Arbitrary<Span> {
  return fc
    .record({
      spanId: fc.string({ minLength: 1, maxLength: 16 }),
      parentSpanId: fc.string({ maxLength: 16 }),
      traceState: fc.string(),
      name: fc.string({ unit: 'binary' }),
      kind: fc.integer({ min: 0, max: 9 }),
      start: u64,
      end: u64,
      attributes,
      droppedAttributesCount: fc.nat(),
      events: fc.array(fc.record({ timeUnixNano: u64, name: fc.string(), attributes, droppedAttributesCount: fc.nat() }), { maxLength: 2 }),
      droppedEventsCount: fc.nat(),
      links: fc.array(
        fc.record({ traceId: fc.string(), spanId: fc.string(), traceState: fc.string(), attributes, droppedAttributesCount: fc.nat(), flags: fc.nat() }),
        { maxLength: 2 },
      ),
      droppedLinksCount: fc.nat(),
      status: fc.record({ code: fc.integer({ min: 0, max: 5 }), message: fc.string() }),
      flags: fc.nat(),
      resource: fc.constantFrom(...resources),
      scope: fc.constantFrom(...scopes),
      startMs: fc.double(),
      durationMs: fc.double(),
    })
    // fc.record may make null-prototype objects; decoders make plain ones.
    .map((r): Span => ({
      // The decoders' field order; fc.record may make null-prototype objects, decoders plain ones.
      traceId: TRACE,
      spanId: r.spanId,
      parentSpanId: r.parentSpanId,
      traceState: r.traceState,
      name: r.name,
      kind: r.kind,
      startTimeUnixNano: r.start,
      endTimeUnixNano: r.end,
      attributes: r.attributes,
      droppedAttributesCount: r.droppedAttributesCount,
      events: r.events.map((e) => ({ timeUnixNano: e.timeUnixNano, name: e.name, attributes: e.attributes, droppedAttributesCount: e.droppedAttributesCount })),
      droppedEventsCount: r.droppedEventsCount,
      links: r.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, traceState: l.traceState, attributes: l.attributes, droppedAttributesCount: l.droppedAttributesCount, flags: l.flags })),
      droppedLinksCount: r.droppedLinksCount,
      status: { code: r.status.code, message: r.status.message },
      flags: r.flags,
      resource: r.resource,
      scope: r.scope,
      startMs: r.startMs,
      durationMs: r.durationMs,
    }));
}

describe('span codec (tree spill files)', () => {
  it('decodes exactly what it encoded: every field, value type and odd number (property)', () => {
    const resource = fc
      .record({ attributes, droppedAttributesCount: fc.nat(), schemaUrl: fc.string() })
      .map((r): Resource => ({ attributes: r.attributes, droppedAttributesCount: r.droppedAttributesCount, schemaUrl: r.schemaUrl }));
    const scope = fc
      .record({ name: fc.string(), version: fc.string(), attributes, droppedAttributesCount: fc.nat(), schemaUrl: fc.string() })
      .map((r): Scope => ({ name: r.name, version: r.version, attributes: r.attributes, droppedAttributesCount: r.droppedAttributesCount, schemaUrl: r.schemaUrl }));
    const spans = fc
      .tuple(fc.array(resource, { minLength: 1, maxLength: 2 }), fc.array(scope, { minLength: 1, maxLength: 2 }))
      .chain(([resources, scopes]) => fc.array(spanArb(resources, scopes), { maxLength: 4 }));
    fc.assert(
      fc.property(spans, (spans) => {
        const logs = spans.map((s, i) => ({ traceId: TRACE, spanId: s.spanId, name: `e${i}`, timeUnixNano: BigInt(i) * 3n }));
        const line = encodeTraceLine(spans, logs);
        expect(line).not.toContain('\n');
        const back = decodeTraceLine(TRACE, line);
        expect(difference(back.spans, spans)).toBeUndefined();
        expect(difference(back.logs, logs)).toBeUndefined();
        // Spans that shared a resource (or scope) share it again.
        for (let i = 1; i < spans.length; i++) {
          expect(back.spans[i]!.resource === back.spans[0]!.resource).toBe(spans[i]!.resource === spans[0]!.resource);
          expect(back.spans[i]!.scope === back.spans[0]!.scope).toBe(spans[i]!.scope === spans[0]!.scope);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps −0, NaN and ±Infinity apart from 0 and null', () => {
    const a = newAttributes();
    Object.assign(a, { nz: -0, nan: NaN, inf: Infinity, ninf: -Infinity, zero: 0, int: 0n, nul: null, list: [-0, 1n, 1.5] });
    const s: Span = {
      traceId: TRACE, spanId: '01', parentSpanId: '', traceState: '', name: 'x', kind: 1,
      startTimeUnixNano: 0n, endTimeUnixNano: 0n, attributes: a, droppedAttributesCount: 0, events: [], droppedEventsCount: 0,
      links: [], droppedLinksCount: 0, status: { code: 0, message: '' }, flags: 0,
      resource: { attributes: newAttributes(), droppedAttributesCount: 0, schemaUrl: '' },
      scope: { name: '', version: '', attributes: newAttributes(), droppedAttributesCount: 0, schemaUrl: '' },
      startMs: -0, durationMs: NaN,
    };
    const back = decodeTraceLine(TRACE, encodeTraceLine([s])).spans[0]!;
    expect(Object.is(back.attributes.nz, -0)).toBe(true);
    expect(back.attributes.nan).toBeNaN();
    expect(back.attributes.int).toBe(0n);
    expect(back.attributes.zero).toBe(0);
    expect(Object.is(back.startMs, -0)).toBe(true);
    expect(difference(back, s)).toBeUndefined();
  });
});

describe('TraceStarts', () => {
  const hexId = fc.oneof(
    fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex')),
    fc.constantFrom('0'.repeat(32), 'f'.repeat(32), 'ABCDEF'.padEnd(32, '0'), 'short', ''),
  );

  it('keeps each trace’s earliest set start and orders like a Map sorted by start, then id (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hexId, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })), { maxLength: 300 }), fc.boolean(), (notes, fewStarts) => {
        const starts = new TraceStarts();
        const ref = new Map<string, bigint>();
        for (const [id, raw] of notes) {
          const start = fewStarts ? raw % 3n : raw; // many ties
          starts.note(id, start);
          const cur = ref.get(id);
          // 0 is an unset start: any set start replaces it (docs/architecture.md, "Unset span times").
          if (cur === undefined || cur === 0n || (start !== 0n && start < cur)) ref.set(id, start);
        }
        expect(starts.size).toBe(ref.size);
        for (const [id, s] of ref) {
          const n = starts.indexOf(id);
          expect(n).toBeGreaterThanOrEqual(0);
          expect(starts.traceId(n)).toBe(id);
          expect(starts.start(n)).toBe(s);
        }
        const expected = [...ref.keys()].sort((a, b) => {
          const x = ref.get(a)!, y = ref.get(b)!;
          return x < y ? -1 : x > y ? 1 : a.localeCompare(b);
        });
        expect([...starts.ordered()].map((n) => starts.traceId(n))).toEqual(expected);
        expect(starts.has('9'.repeat(31) + 'x')).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('grows past its initial capacity', () => {
    const starts = new TraceStarts();
    for (let i = 0; i < 5000; i++) starts.note(i.toString(16).padStart(32, '0'), BigInt(5000 - i)); // id 0 (all zero) is kept as a string
    expect(starts.size).toBe(5000);
    expect(starts.traceId(starts.ordered()[0]!)).toBe((4999).toString(16).padStart(32, '0'));
    expect(starts.indexOf((1234).toString(16).padStart(32, '0'))).toBe(1234);
  });
});
