/**
 * `tail --quiet` decodes, answers and counts on worker threads when it has them: the answers,
 * the store and the summary must be exactly those of the one-thread run (LLMTRACE_WORKERS=0),
 * and so must the warnings of the pricing the view thread does.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { readAll, tempDir } from '../helpers/read-all.js';
import { freePort } from '../helpers/tail-process.js';

const CAPTURES = path.resolve('fixtures/shared/captures');

/** `tail --quiet` with `args` in `dir`, once it listens: its traces URL, output so far, and a SIGINT stop giving the exit code. */
async function quietTail(dir: string, workers: string, args: string[]) {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'tail', '--quiet', '--no-grpc', '--http-port', String(port), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', LLMTRACE_WORKERS: workers },
  });
  const out = { stdout: '', stderr: '' };
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  const url = `http://127.0.0.1:${port}/v1/traces`;
  for (let i = 0; ; i++) {
    try {
      await fetch(url, { method: 'GET' });
      break;
    } catch {
      if (i > 100) throw new Error(`tail did not listen: ${out.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
  return { url, out, stop };
}

async function session(workers: string) {
  const dir = tempDir();
  const { url, out, stop } = await quietTail(dir, workers, ['--store', path.join(dir, 'store')]);
  const send = async (file: string | Buffer, type: string) => {
    const body = typeof file === 'string' ? readFileSync(path.join(CAPTURES, file)) : file;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(body) });
    return `${res.status} ${Buffer.from(await res.arrayBuffer()).toString('base64')}`;
  };
  const answers: string[] = [];
  for (let round = 0; round < 3; round++) {
    answers.push(await send('manual-agent-http-proto.bin', 'application/x-protobuf'));
    answers.push(await send('official-agent-http-proto.bin', 'application/x-protobuf'));
    answers.push(await send('manual-agent-http-json.json', 'application/json'));
    answers.push(await send(Buffer.from([0x0a, 0xff, 0xff, 0x01]), 'application/x-protobuf'));
    answers.push(await send(Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"01","name":"bad id"}]}]}]}'), 'application/json'));
  }
  const code = await stop();
  const stored = await readAll([path.join(dir, 'store')]);
  // The summary, without the run's duration and the store's path.
  const summary = (out.stdout + out.stderr).replace(/\d+(\.\d+)? ?(ms|s|min)\b/g, 'T').replaceAll(dir, 'DIR');
  return { code, answers, summary, spans: stored.spans.map((s) => `${s.traceId}/${s.spanId}/${s.name}`).sort() };
}

describe('tail --quiet on worker threads', () => {
  it('answers, stores and sums up exactly as on one thread', async () => {
    const one = await session('0');
    const threads = await session('2');
    expect(one.code).toBe(0);
    expect(threads.code).toBe(0);
    expect(one.answers.filter((a) => a.startsWith('400'))).toHaveLength(3);
    expect(threads.answers).toEqual(one.answers);
    expect(one.spans.length).toBeGreaterThan(10);
    expect(threads.spans).toEqual(one.spans);
    expect(one.summary).toMatch(/total/);
    expect(threads.summary).toBe(one.summary);
  }, 60_000);
});

/** `tail --quiet --no-store` with `args`, sent `bodies` (OTLP JSON), stopped with SIGINT: its exit code and stderr. */
async function quietRun(workers: string, args: string[], bodies: string[]) {
  const { url, out, stop } = await quietTail(tempDir(), workers, ['--no-store', ...args]);
  for (const body of bodies) expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(200);
  const code = await stop();
  return { code, stderr: out.stderr };
}

describe('tail --quiet pricing on the view thread', () => {
  it('tells two patterns of one pricing file matching a model once, as on one thread', async () => {
    const pricing = path.join(tempDir(), 'prices.json');
    writeFileSync(pricing, JSON.stringify({ currency: 'USD', models: { any: { input: 1, output: 1, match: 'gpt' }, gpt: { input: 2, output: 2, match: '^gpt' } } }));
    const call = (spanId: string) =>
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '0af7651916cd43dd8448eb211c80319c',
                    spanId,
                    name: 'chat gpt-x',
                    startTimeUnixNano: '1764000000000000000',
                    endTimeUnixNano: '1764000001000000000',
                    attributes: [
                      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-x' } },
                      { key: 'gen_ai.usage.input_tokens', value: { intValue: '100' } },
                      { key: 'gen_ai.usage.output_tokens', value: { intValue: '10' } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      });
    const told = `llmtrace: pricing file ${pricing}: entries "any" (match gpt) and "gpt" (match ^gpt) both match model "gpt-x"; using "gpt", the later one\n`;
    for (const workers of ['1', '0']) {
      const run = await quietRun(workers, ['--pricing', pricing], [call('b7ad6b7169203331'), call('b7ad6b7169203332')]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr.split(told).length - 1, `LLMTRACE_WORKERS=${workers}: ${run.stderr}`).toBe(1);
    }
  }, 30_000);
});
