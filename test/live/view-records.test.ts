/**
 * `tail --quiet` with a store: a JSON trace body is parsed once, by the store worker, which
 * passes the view thread its records (only the span attributes the view reads) instead of the
 * body (docs/architecture.md, "Bytes in flight"). The records must give the view exactly what
 * the body gives it. Workers exist only in the built code: this imports dist/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import { newAttributes, type Span } from '../../src/lib/span.js';
import { tempDir } from '../helpers/read-all.js';
import { makeSdkSpans, sdkJson } from '../helpers/sdk-spans.js';

const { openStoreLines } = (await import(path.resolve('dist/lib/receiver/store-lines.js'))) as typeof import('../../src/lib/receiver/store-lines.js');
const { ViewThread, viewSpanKeys } = (await import(path.resolve('dist/lib/live/view-thread.js'))) as typeof import('../../src/lib/live/view-thread.js');

const CAPTURES = 'fixtures/shared/captures';
const AT = new Date('2026-11-22T07:30:00Z');
const KEYS = viewSpanKeys(undefined);

const jsonBodies: Array<[string, Uint8Array]> = [
  ...['manual-agent-http-json.json', 'manual-error-http-json.json', 'official-agent-http-json.json'].map((f): [string, Uint8Array] => [f, new Uint8Array(readFileSync(path.join(CAPTURES, f)))]),
  ['OpenTelemetry SDK JSON serializer', Uint8Array.from(Buffer.from(sdkJson(makeSdkSpans())))],
];

/** The spans with only the view's span attributes, computed here from the whole body. */
function slim(spans: Span[]): unknown[] {
  return spans.map((s) => {
    const attributes = newAttributes();
    for (const k of Object.keys(s.attributes)) if (KEYS.includes(k)) attributes[k] = s.attributes[k]!;
    return { ...s, attributes, resource: { ...s.resource }, scope: { ...s.scope } };
  });
}

describe('the view records a store worker passes on for a JSON body', () => {
  const lines = openStoreLines(tempDir(), true, KEYS)!;
  afterAll(() => lines.close());

  it.each(jsonBodies)('are the accepted spans of %s with only the view’s attributes', async (_name, body) => {
    const outcome = await lines.keep('traces', 'json', body, AT);
    if (outcome.kind !== 'kept') throw new Error(`not kept: ${JSON.stringify(outcome)}`);
    expect(outcome.viewLine).toBeInstanceOf(Uint8Array);
    const whole = decodeOtlpJsonTraces(JSON.parse(Buffer.from(body).toString('utf8')));
    const records = decodeOtlpJsonTraces(JSON.parse(Buffer.from(outcome.viewLine!).toString('utf8')));
    expect(records.problems).toEqual([]);
    expect(records.spans.length).toBe(whole.spans.length);
    expect(slim(records.spans)).toEqual(slim(whole.spans));
    // Smaller than the body whenever a span has an attribute the view does not read.
    expect(outcome.viewLine!.length).toBeLessThan(body.length);
  });

  it('are not made for protobuf (the view thread reads it with the same key set) nor without keys', async () => {
    const proto = new Uint8Array(readFileSync(path.join(CAPTURES, 'manual-agent-http-proto.bin')));
    const outcome = await lines.keep('traces', 'protobuf', proto, AT);
    expect(outcome).toMatchObject({ kind: 'kept', stored: true });
    expect((outcome as { viewLine?: Uint8Array }).viewLine).toBeUndefined();
    const plain = openStoreLines(tempDir(), true)!;
    try {
      const o = await plain.keep('traces', 'json', jsonBodies[0]![1], AT);
      expect((o as { viewLine?: Uint8Array }).viewLine).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('give the view thread the same totals as the body itself', async () => {
    const fromBody = new ViewThread({ filters: {} });
    const fromRecords = new ViewThread({ filters: {} });
    for (const [, body] of jsonBodies) {
      const outcome = await lines.keep('traces', 'json', body, AT);
      const req = { signal: 'traces', protocol: 'http', encoding: 'json', contentType: 'application/json', receivedAt: AT } as const;
      await (await fromBody.show({ ...req, body })).done;
      await (await fromRecords.show({ ...req, body: (outcome as { viewLine: Uint8Array }).viewLine })).done;
    }
    await fromBody.finish();
    await fromRecords.finish();
    expect(fromRecords.totals.spans).toBeGreaterThan(0);
    expect({ ...fromRecords.totals }).toEqual({ ...fromBody.totals });
  });
});
