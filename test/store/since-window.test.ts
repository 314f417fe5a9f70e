/**
 * `--since` over the local store selects spans by their start, never files by their hour of
 * receipt (docs/architecture.md "Local store layout"): a file for hour H can hold a span that
 * starts at H+2h (an exporter's clock ahead, a batch stamped later than it was sent), and that
 * span counts in a window starting after H+1h.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writePricingFile } from '../cost/generate.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { hexId, spanWith } from '../helpers/span-factory.js';
import { otlpJsonTracesLine } from '../../src/lib/otlp/json-write.js';
import { emptyResource, newAttributes, type Span } from '../../src/lib/span.js';

const HOUR = Date.UTC(2026, 10, 20, 12); // the hour H the file was received in
const NOW = new Date(HOUR + 3 * 3_600_000).toISOString(); // --since 2h starts at H+1h, as the file's hour ends
const resource = { ...emptyResource(), attributes: Object.assign(newAttributes(), { 'service.name': 'svc' }) };

function chat(trace: string, startMs: number, input: number): Span {
  const start = BigInt(startMs) * 1_000_000n;
  return spanWith({
    traceId: hexId(trace, 16),
    spanId: hexId(`${trace}-s`),
    parentSpanId: '',
    name: 'chat m-plain',
    startTimeUnixNano: start,
    endTimeUnixNano: start + 300_000_000n,
    resource,
    attributes: Object.assign(newAttributes(), {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'm-plain',
      'gen_ai.usage.input_tokens': BigInt(input),
      'gen_ai.usage.output_tokens': 1n,
    }),
  });
}

let store: string;
let pricing: string;

beforeAll(() => {
  const dir = tempDir();
  pricing = writePricingFile(dir);
  store = path.join(dir, 'store');
  // Received in hour H: one span started in it (before the window), one at H+2h (inside it).
  const early = chat('early', HOUR + 10 * 60_000, 100);
  const ahead = chat('ahead', HOUR + 2 * 3_600_000, 7);
  mkdirSync(store);
  writeFileSync(path.join(store, 'traces-20261120T12.jsonl'), Buffer.concat([otlpJsonTracesLine([early]), otlpJsonTracesLine([ahead])]));
});

async function run(args: string[]) {
  const r = await runCli([...args, '--store', store, '--since', '2h', '--format', 'json'], { env: { LLMTRACE_NOW: NOW } });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, any>;
}

describe('--since over the store', () => {
  it('counts a span received in an hour before the window that starts inside it', async () => {
    const cost = await run(['cost', '--pricing', pricing, '--no-builtin-pricing']);
    expect(cost.total).toMatchObject({ calls: 1, inputTokens: 7 });
    const stats = await run(['stats']);
    expect(stats.total).toMatchObject({ calls: 1 });
  }, 60_000);
});
