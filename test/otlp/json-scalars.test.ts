/**
 * OTLP/JSON scalars read by one set of rules (json-decode.ts) in both readers: traces
 * (decodeOtlpJsonTraces) and logs and metrics (pb-json.ts via decodeSignalJson). The same value in
 * a field of the same type is accepted as the same number by both, or refused by both with the
 * same message, whatever it is (garbage, wrong types, huge strings).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/lib/errors.js';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import { toBigInt, type PbMessage } from '../../src/lib/otlp/pb-json.js';
import { decodeSignalJson } from '../../src/lib/otlp/signals.js';

const IDS = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };

type Outcome = { value: string } | { error: string };

/** A span's field through the trace reader: its value, or the message of the span it skipped. */
function viaTraces(field: string, v: unknown, read: (span: Record<string, unknown>) => unknown): Outcome {
  const r = decodeOtlpJsonTraces({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...IDS, [field]: v }] }] }] });
  if (r.spans.length === 1) return { value: String(read(r.spans[0] as unknown as Record<string, unknown>)) };
  return { error: r.problems[0]!.message.replace(/^span skipped: /, '') };
}

/** A histogram data point's field through the metrics reader: its value, or the DecodeError's message. */
function viaMetrics(field: string, v: unknown, read: (point: PbMessage) => unknown): Outcome {
  try {
    const msg = decodeSignalJson('metrics', { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ histogram: { dataPoints: [{ [field]: v }] } }] }] }] });
    const rm = (msg['resource_metrics'] as PbMessage[])[0]!;
    const m = ((rm['scope_metrics'] as PbMessage[])[0]!['metrics'] as PbMessage[])[0]!;
    return { value: String(read(((m['histogram'] as PbMessage)['data_points'] as PbMessage[])[0]!)) };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return { error: e.message };
  }
}

/** Values for a number field: integers, their strings, garbage and wrong types. */
const scalar = fc.oneof(
  fc.bigInt({ min: -(1n << 65n), max: 1n << 65n }).map(String),
  fc.bigInt({ min: -(1n << 65n), max: 1n << 65n }).map((n) => ` ${n}`),
  fc.integer(),
  fc.double(),
  fc.constantFrom('-0', '0', '', '1e3', '0x10', 'NaN', 'Infinity', '-Infinity', '18446744073709551616', '9'.repeat(21), 'x'.repeat(100_000)),
  fc.string(),
  fc.boolean(),
  fc.constant([1]),
  fc.constant({ value: 1 }),
);

describe('OTLP/JSON scalars: one set of rules for traces and for logs and metrics', () => {
  it('a uint64 (a span start time, a data point count): the same value or the same refusal', () => {
    fc.assert(
      fc.property(scalar, (v) => {
        const traces = viaTraces('startTimeUnixNano', v, (s) => s['startTimeUnixNano']);
        const metrics = viaMetrics('count', v, (p) => toBigInt(p['count'], false));
        expect(metrics).toEqual(traces);
      }),
      { numRuns: 300 },
    );
  });

  it('a uint32 (a span dropped attributes count, a data point flags): the same value or the same refusal', () => {
    fc.assert(
      fc.property(scalar, (v) => {
        const traces = viaTraces('droppedAttributesCount', v, (s) => s['droppedAttributesCount']);
        expect(viaMetrics('flags', v, (p) => p['flags'] ?? 0)).toEqual(traces);
      }),
      { numRuns: 300 },
    );
    // A long refusal quotes the start of the value, not all of it.
    expect(viaTraces('flags', 'x'.repeat(100_000), () => 0)).toEqual({ error: `expected a uint32, got "${'x'.repeat(39)}` });
  });

  it('a double (a data point sum): the same as the trace reader reads a doubleValue', () => {
    fc.assert(
      fc.property(scalar, (v) => {
        const r = decodeOtlpJsonTraces({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...IDS, attributes: [{ key: 'k', value: { doubleValue: v } }] }] }] }] });
        const traces: Outcome = r.problems.length === 0 ? { value: String(r.spans[0]!.attributes['k']) } : { error: r.problems[0]!.message.replace(/^attribute "k" dropped: /, '') };
        expect(viaMetrics('sum', v, (p) => p['sum'])).toEqual(traces);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses "-0" as a uint64 in both, with the field named', () => {
    expect(viaTraces('startTimeUnixNano', '-0', () => 0)).toEqual({ error: 'expected an unsigned integer string, got "-0"' });
    expect(() => decodeSignalJson('metrics', { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ histogram: { dataPoints: [{ count: '-0' }] } }] }] }] })).toThrow(
      expect.objectContaining({ field: 'resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].count' }),
    );
  });
});
