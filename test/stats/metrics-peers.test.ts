/**
 * `stats` over real metrics: the official @opentelemetry/instrumentation-openai records the GenAI
 * client histograms through a real MeterProvider while the real `openai` client talks to the mock
 * server (test/peers/emit-metrics.mjs: two gpt-4o calls, one 429, one gpt-4o-mini stream), and the
 * official OTLP/JSON serializer writes them. Both temporalities give the same calls, errors and
 * tokens; every percentile stays inside the exported min and max.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FAIL_429_MODEL, startOpenAIServer, tokensFor } from '../peers/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import type { StatsReport } from '../../src/lib/stats/report.js';

const EMIT = path.resolve('test/peers/emit-metrics.mjs');

async function emitMetrics(temporality: 'cumulative' | 'delta'): Promise<string> {
  const server = await startOpenAIServer();
  const out = path.join(tempDir(), `metrics-${temporality}.json`);
  try {
    await promisify(execFile)(process.execPath, [EMIT, '--url', server.url, '--out', out, '--temporality', temporality], { timeout: 60_000 });
  } finally {
    await server.close();
  }
  return out;
}

describe.each(['cumulative', 'delta'] as const)('stats over the official OpenAI instrumentation’s metrics (%s)', (temporality) => {
  it('one call per request, the 429 one failed call, tokens as the server reported them', async () => {
    const file = await emitMetrics(temporality);
    const r = await runCli(['stats', file, '--by', 'model.raw', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as StatsReport;
    const row = (model: string) => report.rows.find((x) => x['model.raw'] === model)!;
    expect(report.rows.map((x) => [x['model.raw'], x.source, x.calls, x.errors])).toEqual([
      ['gpt-4o', 'metrics', 2, 0],
      [FAIL_429_MODEL, 'metrics', 1, 1],
      ['gpt-4o-mini', 'metrics', 1, 0],
    ]);
    expect(row(FAIL_429_MODEL).errorTypes).toEqual({ RateLimitError: 1 });
    expect(row('gpt-4o').tokens).toEqual({ input: 2 * tokensFor('gpt-4o').prompt, output: 2 * tokensFor('gpt-4o').completion });
    expect(row('gpt-4o-mini').tokens).toEqual({ input: tokensFor('gpt-4o-mini').prompt, output: tokensFor('gpt-4o-mini').completion });
    expect(report.metrics).toMatchObject({ services: ['peer-official-metrics'], total: { calls: 4, errors: 1 } });

    // The exported min and max bound every percentile, and max is the exported one.
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string; histogram: { dataPoints: Array<{ attributes: Array<{ key: string; value: { stringValue?: string } }>; min: number; max: number }> } }> }> }> };
    const points = doc.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)).filter((m) => m.name === 'gen_ai.client.operation.duration').flatMap((m) => m.histogram.dataPoints);
    for (const p of points) {
      const model = p.attributes.find((a) => a.key === 'gen_ai.request.model')!.value.stringValue!;
      const lat = row(model).latencyMs!;
      expect(lat.method).toBe('histogram-interpolated');
      expect(lat.max).toBeCloseTo(p.max * 1000, 9);
      for (const v of [lat.p50, lat.p95, lat.p99]) {
        expect(v).toBeGreaterThanOrEqual(p.min * 1000 - 1e-9);
        expect(v).toBeLessThanOrEqual(p.max * 1000 + 1e-9);
      }
    }
  }, 90_000);
});
