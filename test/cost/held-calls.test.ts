/**
 * The calls `cost`/`stats` hold until the agents' events and metrics are read (model spans
 * without usage): the same calls come back whether they stayed in memory or went to disk.
 * (What they cost in memory is the bench's: `--only splits`, peak RSS on out-of-order input.)
 */
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeldCalls } from '../../src/lib/cost/held-calls.js';
import type { AttributedCall } from '../../src/lib/cost/attribution.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';

function call(trace: number, span: number, version: number): AttributedCall {
  return {
    traceId: trace.toString(16).padStart(32, '0'),
    spanId: span.toString(16).padStart(16, '0'),
    feature: `feature-${version}`,
    inherited: [`session-${trace}`, undefined, 'gpt-4o'],
    service: 'svc',
    provider: 'openai',
    model: 'gpt-4o',
    entry: undefined,
    cost: 0,
    noUsage: true,
    usage: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 },
    startMs: 1_750_000_000_000 + version,
    durationMs: 12.5,
  } as unknown as AttributedCall;
}

const byId = (calls: Iterable<AttributedCall>) => [...calls].sort((a, b) => (a.traceId + a.spanId < b.traceId + b.spanId ? -1 : 1));

describe('HeldCalls', () => {
  it('gives back the same calls in memory and from disk, for any holds and releases', () => {
    const op = fc.record({ trace: fc.integer({ min: 1, max: 6 }), span: fc.integer({ min: 1, max: 5 }), version: fc.nat(3), release: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const parent = tempDir();
        const inMemory = new HeldCalls({ memoryBytes: Infinity });
        const onDisk = new HeldCalls({ memoryBytes: 2048, spillParent: parent });
        for (const o of ops) {
          const c = call(o.trace, o.span, o.version);
          inMemory.hold(c, o.release ? -1 : 1);
          onDisk.hold(c, o.release ? -1 : 1);
        }
        expect(byId(onDisk.values())).toEqual(byId(inMemory.values()));
        expect(readdirSync(parent)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('goes to disk past its budget and removes its directory when closed early', () => {
    const parent = tempDir();
    const held = new HeldCalls({ memoryBytes: 4096, spillParent: parent });
    for (let i = 1; i <= 10; i++) held.hold(call(i, 1, 0), 1);
    expect(held.spilled).toBe(true);
    expect(readdirSync(parent)).toHaveLength(1);
    held.close();
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('cost over a coding agent run, its held calls on disk', () => {
  it('gives the same report as with them in memory', async () => {
    const dir = 'test/fixtures/agents/gemini-cli/several-exports-cumulative';
    const files = ['001-logs.json', '002-metrics.json', '003-logs.json', '004-traces.json', '005-metrics.json', '006-metrics.json', '007-logs.json', '008-traces.json'].map((f) => `${dir}/${f}`);
    const env = { LLMTRACE_NOW: '2026-12-01T00:00:00Z', LLMTRACE_TMPDIR: tempDir() };
    const args = ['cost', ...files, '--since', '3650d', '--format', 'json'];
    const inMemory = await runCli(args, { env });
    const onDisk = await runCli([...args, '--memory', '1KiB'], { env });
    expect(inMemory.code).toBe(0);
    expect(onDisk.stdout).toBe(inMemory.stdout);
    expect(JSON.parse(onDisk.stdout).total.calls).toBe(2);
    expect(readdirSync(env.LLMTRACE_TMPDIR)).toEqual([]);
  });
});
