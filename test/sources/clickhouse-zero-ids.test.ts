/**
 * All-zero span ids over ClickHouse are read as files read them (real chdb): a span whose span
 * id is all zeros is OTLP's invalid id, skipped with a problem (otlp/ids.ts), so its call counts
 * nowhere; an all-zero parent id means no parent (a root). `cost` in SQL (the pushdown marks such
 * a trace for Node) and as spans, `stats` and `tree` equal the files'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { spansInFileAndTable, type Engine } from '../helpers/clickhouse/engine.js';
import { hexId, spanWith } from '../helpers/span-factory.js';
import { emptyResource, newAttributes, type Span } from '../../src/lib/span.js';

const NOW = '2026-11-23T00:00:00Z';
const AT = BigInt(Date.UTC(2026, 10, 20, 12)) * 1_000_000n;
const MS = 1_000_000n;
const ZERO = '0'.repeat(16);
const resource = { ...emptyResource(), attributes: Object.assign(newAttributes(), { 'service.name': 'svc' }) };

function spanOf(trace: string, spanId: string, parentSpanId: string, name: string, startMs: bigint, attrs: Record<string, string | bigint> = {}): Span {
  const start = AT + startMs * MS;
  return spanWith({ traceId: hexId(trace, 16), spanId, parentSpanId, name, startTimeUnixNano: start, endTimeUnixNano: start + 300n * MS, attributes: Object.assign(newAttributes(), attrs), resource });
}

const chat = (trace: string, spanId: string, parent: string, input: number, startMs: bigint, feature?: string) =>
  spanOf(trace, spanId, parent, 'chat m-plain', startMs, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'm-plain',
    'gen_ai.usage.input_tokens': BigInt(input),
    'gen_ai.usage.output_tokens': BigInt(Math.ceil(input / 10)),
    ...(feature === undefined ? {} : { 'app.feature': feature }),
  });

const SPANS: Span[] = [
  // A root with two calls, one of them with an all-zero span id: files skip it (100 tokens count nowhere).
  spanOf('zero-span', hexId('r0'), '', 'agent', 0n, { 'app.feature': 'search' }),
  chat('zero-span', ZERO, hexId('r0'), 100, 10n),
  chat('zero-span', hexId('c2'), hexId('r0'), 50, 20n),
  // A call whose parent id is all zeros: a root, as for files.
  chat('zero-parent', hexId('p1'), ZERO, 30, 30n, 'chat'),
  // A plain trace, so that SQL decides some calls.
  chat('plain', hexId('q1'), '', 7, 40n, 'plain'),
];

let pricing: string;
let file: string;
let engine: Engine;

beforeAll(async () => {
  ({ file, pricing, engine } = await spansInFileAndTable(SPANS, 'zi'));
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

async function run(command: string, input: string, args: string[], env: Record<string, string> = {}) {
  const r = await runCli([command, input, '--format', 'json', ...args], { env: { LLMTRACE_NOW: NOW, ...env } });
  return { code: r.code, stderr: r.stderr, report: JSON.parse(r.stdout) as Record<string, any> };
}

describe('all-zero span ids over ClickHouse equal the files', () => {
  it('cost in SQL and as spans, and stats: the span with an all-zero id is skipped with a problem', async () => {
    const priced = ['--pricing', pricing, '--no-builtin-pricing', '--feature-key', 'app.feature'];
    const f = await run('cost', file, [...priced, '--by', 'feature']);
    expect(f.report.total).toMatchObject({ calls: 3, inputTokens: 50 + 30 + 7 });
    expect(f.report.skipped).toMatchObject({ invalidSpans: 1 });
    expect(f.stderr).toContain('all-zero');
    for (const small of ['0', '']) {
      for (const args of [['--by', 'feature'], ['--by', 'feature,model', '--since', '30d']]) {
        const env = { LLMTRACE_CLICKHOUSE_SMALL_SPANS: small };
        const c = await run('cost', engine.url('zi'), [...priced, ...args], env);
        expect(c.report, `${args.join(' ')} small=${small}`).toEqual((await run('cost', file, [...priced, ...args], env)).report);
        expect(c.stderr).toContain(`span skipped: span id "${ZERO}" is not 16 lowercase hex digits, not all zero`);
      }
    }
    for (const args of [[], ['--since', '30d']]) {
      const c = await run('stats', engine.url('zi'), ['--feature-key', 'app.feature', ...args]);
      expect(c.report).toEqual((await run('stats', file, ['--feature-key', 'app.feature', ...args])).report);
    }
  }, 240_000);

  it('tree: an all-zero parent id is a root', async () => {
    for (const trace of ['zero-parent', 'zero-span']) {
      const args = ['--trace', hexId(trace, 16)];
      const c = await run('tree', engine.url('zi'), args);
      expect(c.report).toEqual((await run('tree', file, args)).report);
    }
  }, 120_000);
});
