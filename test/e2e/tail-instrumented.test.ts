/**
 * Real LLM instrumentation libraries (OpenLLMetry, OpenInference) drive the `openai` client
 * against the mock server and export with the official OTLP/HTTP protobuf exporter into a running
 * `llmtrace tail`. The store must then hold exactly the spans the library produced, and `tree`
 * with no source must render them.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import { runCli } from '../helpers/cli.js';
import { readAll, tempDir } from '../helpers/read-all.js';
import { startTail, type TailProcess } from '../helpers/tail-process.js';
import { startOpenAIServer } from '../peers/index.js';

const EMIT = path.resolve('test/peers/emit.mjs');
const running: TailProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop('SIGKILL')));
});

function emit(args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [EMIT, ...args], { timeout: 60_000 }, (err, _out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve())),
  );
}

describe('tail receives real instrumentation libraries', () => {
  it.each(['openllmetry', 'openinference'])('%s → OTLP/HTTP protobuf → tail → store → tree', async (lib) => {
    const dir = tempDir();
    const store = path.join(dir, 'store');
    const { tail, listening } = await startTail(['--store', store], { cwd: dir });
    running.push(tail);
    const server = await startOpenAIServer();
    const sent = path.join(dir, 'sent.json');
    try {
      await emit([lib, '--url', server.url, '--json', sent, '--export', `http://127.0.0.1:${listening.http.port}/v1/traces`]);
    } finally {
      await server.close();
    }
    const expected = decodeOtlpJsonTraces(JSON.parse(readFileSync(sent, 'utf8'))).spans;
    const traceId = expected[0]!.traceId;
    const done = await tail.waitFor((e) => e.event === 'trace' && e.traceId === traceId);
    expect(done).toMatchObject({ spans: expected.length, incomplete: false });
    expect(await tail.stop('SIGINT')).toBe(0);

    const stored = await readAll([store]);
    expect(stored.problems).toEqual([]);
    const key = (s: { spanId: string; name: string; attributes: object }) => JSON.stringify([s.spanId, s.name, Object.entries(s.attributes).map(([k, v]) => [k, String(v)])]);
    expect(stored.spans.map(key).sort()).toEqual(expected.map(key).sort());

    const tree = await runCli(['tree'], { cwd: dir, env: { LLMTRACE_STORE: store } });
    expect(tree.code).toBe(0);
    expect(tree.stdout).toMatch(/^agent\.research .*∑ /m);
    expect(tree.stdout).toMatch(/gpt-4o .*23 → 12 tok/);
  });
});

describe('tail receives Logfire, which exports every span twice', () => {
  it('drops the pending_span copies: the live trace and what is read from the store hold the real spans only', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'store');
    const { tail, listening } = await startTail(['--store', store], { cwd: dir });
    running.push(tail);
    const { runLib } = await import('../peers/libs/run-lib.mjs');
    await runLib('logfire', dir, { otlpOrigin: `http://127.0.0.1:${listening.http.port}` });
    // 6 GenAI and agent spans, 5 HTTP client spans under the model calls; 11 pending copies.
    const done = await tail.waitFor((e) => e.event === 'trace' && e.spans === 12, 30_000);
    expect(done).toMatchObject({ incomplete: false });
    expect(await tail.stop('SIGINT')).toBe(0);
    const stored = await readAll([store]);
    expect(stored.problems).toEqual([]);
    expect(stored.spans).toHaveLength(12);
    expect(stored.spans.filter((s) => s.attributes['logfire.span_type'] === 'pending_span')).toEqual([]);
    const cost = await runCli(['cost', '--format', 'json'], { cwd: dir, env: { LLMTRACE_STORE: store } });
    expect(cost.code).toBe(0);
    expect(JSON.parse(cost.stdout).total).toMatchObject({ calls: 5, inputTokens: 99, outputTokens: 59 });
  }, 120_000);
});
