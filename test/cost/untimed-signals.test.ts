/**
 * Coding agents' usage events and metric points without a time (neither `timeUnixNano` nor
 * `observedTimeUnixNano`; a point without `timeUnixNano`): the rule of spans without a start
 * (docs/architecture.md "Unset span times", "Usage from log events and metrics"). Without a
 * window they are counted; under --since/--until they are in no row and counted as untimed
 * (every format, --strict fails); a dated price leaves them unpriced with the reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { writePricingFile } from './generate.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';

const NOW = '2026-11-23T00:00:00Z';
/** 2026-11-20 12:00 UTC in nanoseconds, after m-dated's price switch (2026-01-01). */
const AT = String(BigInt(Date.UTC(2026, 10, 20, 12)) * 1_000_000n);

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: v } });
const resource = { attributes: [str('service.name', 'claude-code'), str('service.instance.id', 'i1')] };

/** A Claude Code api_request event; `time`: its timeUnixNano and observedTimeUnixNano (none when undefined). */
function request(session: string, model: string, input: number, output: number, time: string | undefined) {
  return {
    ...(time === undefined ? {} : { timeUnixNano: time, observedTimeUnixNano: time }),
    body: { stringValue: 'claude_code.api_request' },
    attributes: [str('session.id', session), str('model', model), int('input_tokens', input), int('output_tokens', output), int('cache_read_tokens', 0), int('cache_creation_tokens', 0), int('duration_ms', 40)],
  };
}

/** Delta token points of one session (input and output), at `time` (none when undefined). */
function tokenPoints(session: string, model: string, input: number, output: number, time: string | undefined) {
  const point = (type: string, v: number) => ({ ...(time === undefined ? {} : { timeUnixNano: time }), asInt: String(v), attributes: [str('session.id', session), str('model', model), str('type', type)] });
  return { resourceMetrics: [{ resource, scopeMetrics: [{ scope: { name: 'com.anthropic.claude_code' }, metrics: [{ name: 'claude_code.token.usage', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point('input', input), point('output', output)] } }] }] }] };
}

let dir: string;
let pricing: string;
let inputs: string[];

beforeAll(() => {
  dir = tempDir();
  pricing = writePricingFile(dir);
  const logs = {
    resourceLogs: [
      {
        resource,
        scopeLogs: [
          {
            logRecords: [
              request('s1', 'm-plain', 100, 10, AT),
              // No time at all: no window can place it.
              request('s1', 'm-plain', 200, 20, undefined),
              request('s1', 'm-dated', 300, 30, undefined),
              // observedTimeUnixNano alone is a time.
              { ...request('s1', 'm-plain', 400, 40, undefined), observedTimeUnixNano: AT },
            ],
          },
        ],
      },
    ],
  };
  const logsFile = path.join(dir, 'logs.json');
  writeFileSync(logsFile, JSON.stringify(logs));
  // A session with metrics only: one timed request group and one without a time.
  const timed = path.join(dir, 'metrics-timed.json');
  writeFileSync(timed, JSON.stringify(tokenPoints('s2', 'm-plain', 1000, 100, AT)));
  const untimed = path.join(dir, 'metrics-untimed.json');
  writeFileSync(untimed, JSON.stringify(tokenPoints('s3', 'm-plain', 5000, 500, undefined)));
  inputs = [logsFile, timed, untimed];
});

async function cost(args: string[]) {
  const r = await runCli(['cost', ...inputs, '--pricing', pricing, '--no-builtin-pricing', ...args], { env: { LLMTRACE_NOW: NOW } });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, report: args.includes('json') ? (JSON.parse(r.stdout) as Record<string, any>) : undefined };
}

describe('cost: usage events and metric points without a time', () => {
  it('without a window: counted, and a dated price leaves them unpriced with the reason', async () => {
    const { report } = await cost(['--by', 'model', '--format', 'json']);
    expect(report!.untimedCalls).toBeUndefined();
    expect(report!.total).toMatchObject({ calls: 4, inputTokens: 100 + 200 + 300 + 400 + 1000 + 5000, outputTokens: 10 + 20 + 30 + 40 + 100 + 500 });
    expect(report!.unpriced).toEqual([{ model: 'm-dated', calls: 1, inputTokens: 300, outputTokens: 30, reason: 'no start time, and its price depends on the date' }]);
  }, 60_000);

  it('with --since: in no row, counted as untimed in every format, and --strict fails', async () => {
    const { code, report, stderr } = await cost(['--by', 'model', '--since', '30d', '--strict', '--format', 'json']);
    expect(report!.total).toMatchObject({ calls: 2, inputTokens: 100 + 400 + 1000, outputTokens: 10 + 40 + 100 });
    expect(report!.unpriced).toEqual([]);
    // Two events and the metrics' request group (a sum counts no requests), with their tokens.
    expect(report!).toMatchObject({ untimedCalls: 2, untimedInputTokens: 200 + 300 + 5000, untimedOutputTokens: 20 + 30 + 500 });
    expect(code).toBe(1);
    expect(stderr).toContain('FAILED strict: 2 model calls have no start time (5,500 → 550 tokens)');
    for (const format of ['table', 'markdown']) expect((await cost(['--since', '30d', '--format', format])).stdout).toContain('2 model calls have no start time (5,500 → 550 tokens)');
    expect((await cost(['--since', '30d', '--format', 'csv'])).stderr).toContain('2 model calls have no start time (5,500 → 550 tokens)');
  }, 60_000);

  it('a metrics figure alone: no call, its tokens untimed, and --strict fails', async () => {
    const r = await runCli(['cost', inputs[2]!, '--pricing', pricing, '--no-builtin-pricing', '--since', '30d', '--strict', '--format', 'json'], { env: { LLMTRACE_NOW: NOW } });
    const report = JSON.parse(r.stdout) as Record<string, any>;
    expect(report).toMatchObject({ untimedCalls: 0, untimedInputTokens: 5000, untimedOutputTokens: 500 });
    expect(report.total.inputTokens).toBe(0);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('usage of 5,000 → 500 tokens has no start time');
  }, 60_000);

  it('stats counts them the same way', async () => {
    const r = await runCli(['stats', ...inputs, '--since', '30d', '--format', 'json', '--strict'], { env: { LLMTRACE_NOW: NOW } });
    const report = JSON.parse(r.stdout) as Record<string, any>;
    expect(report.total.calls).toBe(2);
    expect(report).toMatchObject({ untimedCalls: 2, untimedInputTokens: 5500, untimedOutputTokens: 550 });
    expect(r.code).toBe(1);
  }, 60_000);
});

describe('delta metric points without a time: never dropped as a resend', () => {
  it('two different exports both count; an equal one counts too, with a warning', async () => {
    const first = path.join(dir, 'metrics-untimed-a.json');
    const second = path.join(dir, 'metrics-untimed-b.json');
    writeFileSync(first, JSON.stringify(tokenPoints('s4', 'm-plain', 700, 70, undefined)));
    writeFileSync(second, JSON.stringify(tokenPoints('s4', 'm-plain', 800, 80, undefined)));
    const run = (files: string[]) => runCli(['cost', ...files, '--pricing', pricing, '--no-builtin-pricing', '--format', 'json'], { env: { LLMTRACE_NOW: NOW } });
    const two = await run([first, second]);
    expect(JSON.parse(two.stdout).total).toMatchObject({ inputTokens: 1500, outputTokens: 150 });
    expect(two.stderr).not.toContain('resend');
    const again = await run([first, second, first]);
    expect(JSON.parse(again.stdout).total).toMatchObject({ inputTokens: 2200, outputTokens: 220 });
    expect(again.stderr).toContain('2 delta metric points without a time equal one read before and are counted');
  }, 60_000);
});
