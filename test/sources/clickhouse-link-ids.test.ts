/**
 * Link ids over ClickHouse are checked as files check them (real chdb): a span with a link whose
 * trace or span id is all zeros (or not lowercase hex of its length) is skipped with a problem by
 * the file decoder (otlp/json-decode.ts `decodeLink`), so its call counts nowhere. `cost` in SQL
 * (the pushdown leaves such a trace to Node) and as spans, `stats` (which read no link) and
 * `tree` equal the files'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { spansInFileAndTable, type Engine } from '../helpers/clickhouse/engine.js';
import { hexId, spanWith } from '../helpers/span-factory.js';
import { emptyResource, newAttributes, type Span, type SpanLink } from '../../src/lib/span.js';

const NOW = '2026-11-23T00:00:00Z';
const AT = BigInt(Date.UTC(2026, 10, 20, 12)) * 1_000_000n;
const MS = 1_000_000n;
const resource = { ...emptyResource(), attributes: Object.assign(newAttributes(), { 'service.name': 'svc' }) };
const link = (traceId: string, spanId: string): SpanLink => ({ traceId, spanId, traceState: '', attributes: newAttributes(), droppedAttributesCount: 0, flags: 0 });

function chat(trace: string, spanId: string, input: number, startMs: bigint, links: SpanLink[] = []): Span {
  const start = AT + startMs * MS;
  return spanWith({
    traceId: hexId(trace, 16),
    spanId,
    name: 'chat m-plain',
    startTimeUnixNano: start,
    endTimeUnixNano: start + 300n * MS,
    resource,
    links,
    attributes: Object.assign(newAttributes(), {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'm-plain',
      'gen_ai.usage.input_tokens': BigInt(input),
      'gen_ai.usage.output_tokens': BigInt(Math.ceil(input / 10)),
      'app.feature': trace,
    }),
  });
}

const SPANS: Span[] = [
  // Calls with a link of an all-zero trace id, an all-zero span id, a short span id: files skip them.
  chat('zero-link-trace', hexId('a1'), 100, 0n, [link('0'.repeat(32), hexId('x1'))]),
  chat('zero-link-span', hexId('b1'), 200, 10n, [link(hexId('other', 16), '0'.repeat(16))]),
  chat('short-link-span', hexId('c1'), 400, 20n, [link(hexId('other', 16), 'abc')]),
  // Valid links, and a plain call, which count.
  chat('good-link', hexId('d1'), 30, 30n, [link(hexId('other', 16), hexId('x2'))]),
  chat('plain', hexId('e1'), 7, 40n),
];

let pricing: string;
let file: string;
let engine: Engine;

beforeAll(async () => {
  ({ file, pricing, engine } = await spansInFileAndTable(SPANS, 'li'));
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

async function run(command: string, input: string, args: string[], env: Record<string, string> = {}) {
  const r = await runCli([command, input, '--format', 'json', ...args], { env: { LLMTRACE_NOW: NOW, ...env } });
  expect(r.stdout, r.stderr).not.toBe('');
  return { code: r.code, stderr: r.stderr, report: JSON.parse(r.stdout) as Record<string, any> };
}

describe('invalid link ids over ClickHouse equal the files', () => {
  it('cost in SQL and as spans, and stats: a span with an invalid link id is skipped with a problem', async () => {
    const priced = ['--pricing', pricing, '--no-builtin-pricing', '--feature-key', 'app.feature'];
    const f = await run('cost', file, [...priced, '--by', 'feature']);
    expect(f.report.total).toMatchObject({ calls: 2, inputTokens: 30 + 7 });
    expect(f.report.skipped).toMatchObject({ invalidSpans: 3 });
    for (const small of ['0', '']) {
      for (const args of [['--by', 'feature'], ['--by', 'feature,model', '--since', '30d']]) {
        const env = { LLMTRACE_CLICKHOUSE_SMALL_SPANS: small };
        const c = await run('cost', engine.url('li'), [...priced, ...args], env);
        expect(c.report, `${args.join(' ')} small=${small}`).toEqual((await run('cost', file, [...priced, ...args], env)).report);
        expect(c.stderr).toContain(`span skipped: link trace id "${'0'.repeat(32)}"`);
        expect(c.stderr).toContain(`span skipped: link span id "${'0'.repeat(16)}"`);
        expect(c.stderr).toContain('span skipped: link span id "abc"');
      }
    }
    for (const args of [[], ['--since', '30d']]) {
      const c = await run('stats', engine.url('li'), ['--feature-key', 'app.feature', ...args]);
      expect(c.report.total).toMatchObject({ calls: 2 });
      expect(c.report).toEqual((await run('stats', file, ['--feature-key', 'app.feature', ...args])).report);
    }
  }, 240_000);

  it('tree: a trace of skipped spans only is no trace, a valid link is kept', async () => {
    for (const args of [['--trace', hexId('zero-link-span', 16)], ['--trace', hexId('good-link', 16)], ['--last', '10']]) {
      const c = await runCli(['tree', engine.url('li'), '--format', 'json', ...args], { env: { LLMTRACE_NOW: NOW } });
      const f = await runCli(['tree', file, '--format', 'json', ...args], { env: { LLMTRACE_NOW: NOW } });
      expect([c.code, c.stdout], args.join(' ')).toEqual([f.code, f.stdout]);
    }
  }, 120_000);
});
