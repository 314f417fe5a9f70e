/**
 * Store lines made on a worker thread (tail's default with two cores or more) must be exactly
 * the lines the receiver thread makes. Workers only exist in the built code: this imports dist/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const { openStoreLines } = (await import(path.resolve('dist/lib/receiver/store-lines.js'))) as typeof import('../../src/lib/receiver/store-lines.js');
const { decodeExport } = (await import(path.resolve('dist/lib/receiver/decode.js'))) as typeof import('../../src/lib/receiver/decode.js');

const CAPTURES = 'fixtures/shared/captures';

describe('store lines from a worker thread', () => {
  const lines = openStoreLines(2)!;
  afterAll(() => lines.close());

  it('equal the lines made in-thread for every capture (protobuf and JSON), newline included', async () => {
    const files = ['manual-agent-http-proto.bin', 'manual-agent-grpc.bin', 'official-agent-http-proto.bin', 'manual-stream-http-proto.bin', 'manual-agent-http-json.json', 'official-agent-http-json.json', 'manual-error-http-json.json'];
    for (const f of files) {
      const body = new Uint8Array(readFileSync(path.join(CAPTURES, f)));
      const encoding = f.endsWith('.json') ? 'json' : 'protobuf';
      const payload = body;
      const here = decodeExport('traces', encoding, payload).storeLine;
      const made = await lines.make('traces', encoding, payload);
      expect(here, f).toBeDefined();
      expect(Buffer.from(made!).toString('utf8'), f).toBe(`${here}\n`);
      // The body is copied for the worker: the caller's bytes stay usable (decoded, forwarded).
      expect(payload.byteLength, f).toBeGreaterThan(0);
    }
  });

  it('a body with nothing to store gives no line; garbage is a failed task (the receiver then decides)', async () => {
    expect(await lines.make('traces', 'json', Buffer.from('{"resourceSpans":[]}'))).toBeUndefined();
    await expect(lines.make('traces', 'protobuf', Uint8Array.from([0x0a, 0xff, 0xff]))).rejects.toThrow(/worker task failed/);
    // The pool still works after a failed task.
    expect(await lines.make('traces', 'json', Buffer.from('{"resourceSpans":[]}'))).toBeUndefined();
  });
});
