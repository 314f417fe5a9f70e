/**
 * `tail --quiet` decodes, answers and counts on worker threads when it has them: the answers,
 * the store and the summary must be exactly those of the one-thread run (LLMTRACE_WORKERS=0).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { readAll, tempDir } from '../helpers/read-all.js';
import { freePort } from '../helpers/tail-process.js';

const CAPTURES = path.resolve('fixtures/shared/captures');

async function session(workers: string) {
  const dir = tempDir();
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'tail', '--quiet', '--no-grpc', '--http-port', String(port), '--store', path.join(dir, 'store')], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', LLMTRACE_WORKERS: workers },
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const url = `http://127.0.0.1:${port}/v1/traces`;
  for (let i = 0; ; i++) {
    try {
      await fetch(url, { method: 'GET' });
      break;
    } catch {
      if (i > 100) throw new Error(`tail did not listen: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
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
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', (c) => resolve(c));
    child.kill('SIGINT');
  });
  const stored = await readAll([path.join(dir, 'store')]);
  // The summary, without the run's duration and the store's path.
  const summary = (stdout + stderr).replace(/\d+(\.\d+)? ?(ms|s|min)\b/g, 'T').replaceAll(dir, 'DIR');
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
