/**
 * `stats` gates at their limit, as a user writes it: a figure equal to the limit typed on the
 * command line passes, whatever the binary rounding of either (7 errors in 125 calls is 5.6%,
 * and 5.6 / 100 is not the double 7 / 125; 2.01 · 1000 is not 2010).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { writeTemp } from '../helpers/read-all.js';
import { parseDurationMs } from '../../src/lib/stats/gates.js';

/** `calls` chat calls of one trace, each `ms` long: the first `errors` failed (error.type 500), the next `cutOff` cut off (finish reason length). */
function calls(name: string, n: number, opts: { errors: number; cutOff: number; ms: number }): string {
  const ns = (ms: number) => String(BigInt(Date.UTC(2026, 4, 1)) * 1_000_000n + BigInt(ms) * 1_000_000n);
  const s = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const spans = Array.from({ length: n }, (_, i) => {
    const failed = i < opts.errors;
    const cut = !failed && i < opts.errors + opts.cutOff;
    return {
      traceId: 'e'.repeat(32), spanId: (i + 1).toString(16).padStart(16, '0'), name: 'chat gpt-4o',
      startTimeUnixNano: ns(i), endTimeUnixNano: ns(i + opts.ms),
      attributes: [
        s('gen_ai.operation.name', 'chat'), s('gen_ai.provider.name', 'openai'), s('gen_ai.request.model', 'gpt-4o'),
        { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: cut ? 'length' : 'stop' }] } } },
        ...(failed ? [s('error.type', '500')] : []),
      ],
      status: { code: failed ? 2 : 0 },
    };
  });
  return writeTemp(name, JSON.stringify({ resourceSpans: [{ resource: { attributes: [s('service.name', 'svc')] }, scopeSpans: [{ spans }] }] }));
}

describe('stats gates at the limit', () => {
  it('passes a p95 equal to a decimal duration limit (2010 ms, --max-p95 2.01s) and fails just above', async () => {
    const file = calls('gate-p95.json', 10, { errors: 0, cutOff: 0, ms: 2010 });
    const at = await runCli(['stats', file, '--max-p95', '2.01s']);
    expect(at.code, at.stderr).toBe(0);
    expect(at.stderr).toContain('ok max-p95: total latency p95 2.01s within 2.01s');
    expect((await runCli(['stats', file, '--max-p95', '2.009s'])).code).toBe(1);
  });

  it('passes an error rate and a length rate equal to a decimal percent limit (7 of 125 = 5.6%) and fails just below it', async () => {
    const file = calls('gate-rates.json', 125, { errors: 7, cutOff: 7, ms: 100 });
    const json = JSON.parse((await runCli(['stats', file, '--format', 'json'])).stdout) as { total: { errors: number; calls: number; lengthRate: number } };
    expect(json.total).toMatchObject({ calls: 125, errors: 7, lengthRate: 7 / 125 });
    const at = await runCli(['stats', file, '--max-error-rate', '5.6%', '--max-length-rate', '5.6%']);
    expect(at.code, at.stderr).toBe(0);
    expect(at.stderr).toContain('ok max-error-rate: total error rate 5.60% within 5.60%');
    expect(at.stderr).toContain('ok max-length-rate: total length rate 5.60% within 5.60%');
    expect((await runCli(['stats', file, '--max-error-rate', '5.59%'])).code).toBe(1);
    expect((await runCli(['stats', file, '--max-length-rate', '5.59%'])).code).toBe(1);
  });

  it('passes a rise equal to --max-increase (error rate 30% → 33% is +10%) and fails a smaller limit', async () => {
    const before = await runCli(['stats', calls('gate-base.json', 100, { errors: 30, cutOff: 0, ms: 100 }), '--format', 'json']);
    const baseline = writeTemp('gate-baseline.json', before.stdout);
    const now = calls('gate-now.json', 100, { errors: 33, cutOff: 0, ms: 100 });
    const at = await runCli(['stats', now, '--baseline', baseline, '--max-increase', '10%']);
    expect(at.code, at.stderr).toBe(0);
    expect(at.stderr).toContain('ok max-increase: total error rate 30.00% → 33.00% (+10.0%), limit +10%');
    const below = await runCli(['stats', now, '--baseline', baseline, '--max-increase', '9.9%']);
    expect(below.code).toBe(1);
    expect(below.stderr).toContain('FAILED max-increase: total error rate 30.00% → 33.00% (+10.0%), limit +9.9%');
  });

  it('reads a TTFT in seconds as the decimal it is (2.007 s is 2007 ms, 4.009 s 4009 ms) and passes --max-ttft-p95 4009ms', async () => {
    const ns = (ms: number) => String(BigInt(Date.UTC(2026, 4, 1)) * 1_000_000n + BigInt(ms) * 1_000_000n);
    const attr = (key: string, value: object) => ({ key, value });
    const spans = [2.007, 4.009].map((ttft, i) => ({
      traceId: 'f'.repeat(32), spanId: String(i + 1).padStart(16, '0'), name: 'chat gpt-4o', startTimeUnixNano: ns(0), endTimeUnixNano: ns(5000),
      attributes: [
        attr('gen_ai.operation.name', { stringValue: 'chat' }), attr('gen_ai.provider.name', { stringValue: 'openai' }), attr('gen_ai.request.model', { stringValue: 'gpt-4o' }),
        attr('gen_ai.usage.input_tokens', { intValue: '10' }), attr('gen_ai.usage.output_tokens', { intValue: '100' }),
        attr('gen_ai.response.time_to_first_chunk', { doubleValue: ttft }),
      ],
    }));
    const file = writeTemp('ttft-seconds.json', JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ spans }] }] }));
    const r = await runCli(['stats', file, '--format', 'json']);
    const total = (JSON.parse(r.stdout) as { total: { ttftMs: unknown; outputTokensPerSecond: unknown } }).total;
    expect(total.ttftMs).toEqual({ count: 2, p50: 2007, p95: 4009 });
    expect(total.outputTokensPerSecond).toEqual({ p50: 100 / ((5000 - 2007) / 1000) });
    const gate = await runCli(['stats', file, '--max-ttft-p95', '4009ms']);
    expect(gate.code, gate.stderr).toBe(0);
    expect(gate.stderr).toContain('ok max-ttft-p95: total TTFT p95 4.01s within 4.01s');
  });

  it('compares no rates with a baseline that had no calls (an empty window is no error rate of 0)', async () => {
    const empty = writeTemp('gate-empty.json', JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ spans: [{ traceId: 'd'.repeat(32), spanId: '1'.repeat(16), name: 'GET /', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] }));
    const before = await runCli(['stats', empty, '--format', 'json']);
    expect((JSON.parse(before.stdout) as { total: { calls: number } }).total.calls).toBe(0);
    const baseline = writeTemp('gate-empty-baseline.json', before.stdout);
    const r = await runCli(['stats', calls('gate-after-empty.json', 10, { errors: 2, cutOff: 1, ms: 100 }), '--baseline', baseline, '--max-increase', '10%']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('from 0');
  });
});

describe('duration limits', () => {
  it('refuses a duration too large for a number (a limit of ∞ never fails)', () => {
    expect(() => parseDurationMs('--max-p95', `${'9'.repeat(400)}ms`)).toThrow(/--max-p95 .*too large/);
    expect(() => parseDurationMs('--max-ttft-p95', `${'9'.repeat(400)}m`)).toThrow(/--max-ttft-p95 .*too large/);
    expect(parseDurationMs('--max-p95', '1.5s')).toBe(1500);
  });
});
