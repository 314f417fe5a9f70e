/**
 * `tail --quiet` with a store: a trace body is read once, by the store worker, which passes the
 * view thread its facts (receiver/view-facts.ts: only what the view reads) instead of the body
 * (docs/architecture.md, "View facts"). The facts must give the view exactly what the body gives
 * it. Workers exist only in the built code: this imports dist/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeExport } from '../../src/lib/receiver/decode.js';
import { readViewFacts } from '../../src/lib/receiver/view-facts.js';
import type { Span } from '../../src/lib/span.js';
import { tempDir } from '../helpers/read-all.js';
import { viewedSpans } from '../helpers/viewed-spans.js';
import { makeSdkSpans, sdkJson } from '../helpers/sdk-spans.js';

const { openStoreLines } = (await import(path.resolve('dist/lib/receiver/store-lines.js'))) as typeof import('../../src/lib/receiver/store-lines.js');
const { ViewThread, viewSpanKeys } = (await import(path.resolve('dist/lib/live/view-thread.js'))) as typeof import('../../src/lib/live/view-thread.js');

const CAPTURES = 'fixtures/shared/captures';
const AT = new Date('2026-11-22T07:30:00Z');
const KEYS = viewSpanKeys(undefined);

type Body = [string, 'json' | 'protobuf', Uint8Array];
const capture = (f: string): Uint8Array => new Uint8Array(readFileSync(path.join(CAPTURES, f)));
const bodies: Body[] = [
  ...['manual-agent-http-json.json', 'manual-error-http-json.json', 'official-agent-http-json.json'].map((f): Body => [f, 'json', capture(f)]),
  ['OpenTelemetry SDK JSON serializer', 'json', Uint8Array.from(Buffer.from(sdkJson(makeSdkSpans())))],
];
const protoBodies: Body[] = ['manual-agent-http-proto.bin', 'manual-stream-http-proto.bin', 'official-agent-http-proto.bin'].map((f): Body => [f, 'protobuf', capture(f)]);

const viewed = (spans: readonly Span[]) => viewedSpans(spans, new Set(KEYS));

describe('the view facts a store worker passes on', () => {
  const lines = openStoreLines({ dir: tempDir(), viewKeys: KEYS }, { start: true })!;
  afterAll(() => lines.close());

  it.each(bodies)('are what the view reads of the accepted spans of %s', async (_name, encoding, body) => {
    const outcome = await lines.keep('traces', encoding, body, AT);
    if (outcome.kind !== 'kept') throw new Error(`not kept: ${JSON.stringify(outcome)}`);
    expect(outcome.viewFacts).toBeInstanceOf(Uint8Array);
    const whole = decodeExport('traces', encoding, Buffer.from(body), { storeLine: false });
    const facts = readViewFacts(outcome.viewFacts!);
    expect(whole.spans.length).toBeGreaterThan(0);
    expect(viewed(facts)).toEqual(viewed(whole.spans));
    // Smaller than the body whenever a span has an attribute the view does not read.
    expect(outcome.viewFacts!.length).toBeLessThan(body.length);
  });

  it('are not made for protobuf (the view thread reads it with the same key set) nor without keys', async () => {
    for (const [, encoding, body] of protoBodies) {
      const o = await lines.keep('traces', encoding, body, AT);
      expect(o).toMatchObject({ kind: 'kept', stored: true });
      expect((o as { viewFacts?: Uint8Array }).viewFacts).toBeUndefined();
    }
    const plain = openStoreLines({ dir: tempDir() }, { start: true })!;
    try {
      for (const [, encoding, body] of bodies) {
        const o = await plain.keep('traces', encoding, body, AT);
        expect(o).toMatchObject({ kind: 'kept', stored: true });
        expect((o as { viewFacts?: Uint8Array }).viewFacts).toBeUndefined();
      }
    } finally {
      await plain.close();
    }
  });

  it('give the view thread the same totals as the body itself', async () => {
    const fromBody = new ViewThread({ filters: {} });
    const fromRecords = new ViewThread({ filters: {} });
    for (const [, encoding, body] of [...bodies, ...protoBodies]) {
      const outcome = await lines.keep('traces', encoding, body, AT);
      const req = { signal: 'traces', protocol: 'http', encoding, contentType: 'application/json', receivedAt: AT } as const;
      await (await fromBody.show({ ...req, body })).done;
      const facts = (outcome as { viewFacts?: Uint8Array }).viewFacts;
      await (await fromRecords.show(facts ? { ...req, body: new Uint8Array(0) } : { ...req, body }, facts)).done;
    }
    await fromBody.finish();
    await fromRecords.finish();
    expect(fromRecords.totals.spans).toBeGreaterThan(0);
    expect({ ...fromRecords.totals }).toEqual({ ...fromBody.totals });
  });
});
