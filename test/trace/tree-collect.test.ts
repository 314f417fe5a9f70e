import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SpanLogEvent } from '../../src/lib/otlp/decode-result.js';
import type { Span } from '../../src/lib/span.js';
import { TreeCollector, type CollectedTrace } from '../../src/lib/trace/tree-collect.js';
import { tempDir } from '../helpers/read-all.js';
import { spanWith, T0 } from '../helpers/span-factory.js';
import { makeDump, rng } from './tree-dump.js';

/** Everything a trace was handed out with, in arrival order. */
const render = (t: CollectedTrace) => [
  JSON.stringify({ id: t.traceId, spans: t.spans.map((s) => [s.spanId, s.name, String(s.startTimeUnixNano), s.attributes['app.odd'] !== undefined]), logs: t.logEvents.map((e) => [e.spanId, String(e.timeUnixNano)]) }),
];

async function output(c: TreeCollector): Promise<string> {
  const parts: Buffer[] = [];
  for await (const p of c.rendered(render, '\n')) parts.push(Buffer.from(p));
  return Buffer.concat(parts).toString();
}

/** The dump's spans and log events in batches of 1–8, in a random order. */
function batches(spans: Span[], logs: SpanLogEvent[], seed: number): Array<{ spans: Span[]; logEvents: SpanLogEvent[] }> {
  const rand = rng(seed);
  const items: Array<Span | SpanLogEvent> = [...spans, ...logs];
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  const out: Array<{ spans: Span[]; logEvents: SpanLogEvent[] }> = [];
  for (let i = 0; i < items.length; ) {
    const n = 1 + Math.floor(rand() * 8);
    const group = items.slice(i, i + n);
    out.push({ spans: group.filter((x): x is Span => 'resource' in x), logEvents: group.filter((x): x is SpanLogEvent => !('resource' in x)) });
    i += n;
  }
  return out;
}

describe('TreeCollector', () => {
  it('hands out every trace the same, in order, whether held, spilled or read back from split partitions', async () => {
    const spans: Span[] = [];
    const logs: SpanLogEvent[] = [];
    for (let seed = 1; spans.length < 6000; seed++) {
      const d = makeDump(seed, 10);
      spans.push(...d.spans);
      logs.push(...d.logs);
    }
    const input = batches(spans, logs, 42);
    const held = new TreeCollector();
    for (const b of input) held.add(b);
    const expected = await output(held);
    expect(held.spilledBytes).toBe(0);

    const parent = tempDir();
    // One partition of several MB with a budget of 300 kB: it is split before it is read back.
    for (const opts of [{ memoryBytes: 300_000, partitions: 1 }, { memoryBytes: 1 }, { memoryBytes: 50_000, partitions: 3 }]) {
      const c = new TreeCollector({ ...opts, spillParent: parent });
      for (const b of input) c.add(b);
      expect(c.size).toBe(held.size);
      expect(await output(c), JSON.stringify(opts)).toBe(expected);
      expect(c.spilledTraces).toBeGreaterThan(0);
      if (opts.partitions === 1) expect(c.spilledBytes).toBeGreaterThan(2 << 20);
      expect(readdirSync(parent)).toEqual([]); // its temporary files are gone
    }
  });

  it('keeps the largest trace in memory: it is held whole to be drawn anyway', async () => {
    const traceId = 'b'.repeat(32);
    const bigSpans = Array.from({ length: 2000 }, (_, i) =>
      spanWith({ traceId, spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: i ? i.toString(16).padStart(16, '0') : '', name: `step ${i}`, startTimeUnixNano: T0 + BigInt(i) }),
    );
    const small = makeDump(6, 5);
    const input = batches([...bigSpans, ...small.spans], [], 3);
    const held = new TreeCollector();
    const tight = new TreeCollector({ memoryBytes: 10_000 });
    for (const b of input) {
      held.add(b);
      tight.add(b);
    }
    expect(tight.spilledTraces).toBeLessThanOrEqual(small.traceIds.length);
    expect(await output(tight)).toBe(await output(held));
    // Alone, it is never written out.
    const alone = new TreeCollector({ memoryBytes: 1 });
    for (const b of batches(bigSpans, [], 4)) alone.add(b);
    await output(alone);
    expect(alone.spilledBytes).toBe(0);
  });

  it('shows no trace for log events whose spans never came, and is spent after its output', async () => {
    const d = makeDump(8, 3);
    const c = new TreeCollector({ memoryBytes: 1 });
    c.add({ spans: d.spans, logEvents: [...d.logs, { traceId: 'f'.repeat(32), spanId: '1'.repeat(16), name: 'orphan log', timeUnixNano: 1n }] });
    const out = await output(c);
    expect(out).not.toContain('f'.repeat(32));
    expect(out.split('\n')).toHaveLength(d.traceIds.length);
    await expect(output(c)).rejects.toThrow(/twice/);
    expect(() => c.add({ spans: [] })).toThrow(/after output/);
  });
});
