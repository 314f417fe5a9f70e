/**
 * The local store as a demanding user meets it (README "Local store", docs/architecture.md
 * "Local store writes"): which directory is the store, and store files damaged by a crash.
 * Each scenario builds its own store with `demo --store` (5 calls a run) and checks the figures.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { spawnTail, type TailProcess } from '../helpers/tail-process.js';

const running: TailProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop('SIGKILL')));
});

const CALLS_PER_RUN = 5;

async function demoStore(dir: string, runs: number): Promise<string> {
  const r = await runCli(['demo', '--store', dir, '--runs', String(runs)]);
  expect(r.code).toBe(0);
  return dir;
}

async function costCalls(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<number> {
  const r = await runCli(['cost', '--format', 'json', ...args], opts);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { total: { calls: number } }).total.calls;
}

/** The one traces file `demo --store` wrote into `dir`. */
function tracesFile(dir: string): string {
  const names = readdirSync(dir).filter((n) => n.startsWith('traces-'));
  expect(names).toHaveLength(1);
  return path.join(dir, names[0]!);
}

describe('which directory is the store', () => {
  it('--store wins over $LLMTRACE_STORE, which wins over store in llmtrace.config.json (cost and tail)', async () => {
    const project = tempDir();
    await demoStore(path.join(project, 'from-config'), 1);
    const fromEnv = await demoStore(path.join(tempDir(), 'from-env'), 2);
    const fromFlag = await demoStore(path.join(tempDir(), 'from-flag'), 3);
    writeFileSync(path.join(project, 'llmtrace.config.json'), JSON.stringify({ store: 'from-config' }));

    expect(await costCalls([], { cwd: project })).toBe(1 * CALLS_PER_RUN);
    expect(await costCalls([], { cwd: project, env: { LLMTRACE_STORE: fromEnv } })).toBe(2 * CALLS_PER_RUN);
    expect(await costCalls(['--store', fromFlag], { cwd: project, env: { LLMTRACE_STORE: fromEnv } })).toBe(3 * CALLS_PER_RUN);

    const tail = spawnTail(['--http-port', '0', '--no-grpc', '--json'], { cwd: project, env: { LLMTRACE_STORE: fromEnv } });
    running.push(tail);
    const listening = await tail.waitFor((e) => e.event === 'listening');
    expect(listening.store).toBe(fromEnv);
  });

  it('an empty $LLMTRACE_STORE is unset: the working directory never becomes the store', async () => {
    const project = tempDir();
    await demoStore(path.join(project, '.llmtrace'), 1);
    expect(await costCalls([], { cwd: project, env: { LLMTRACE_STORE: '' } })).toBe(CALLS_PER_RUN);

    const tail = spawnTail(['--http-port', '0', '--no-grpc', '--json'], { cwd: project, env: { LLMTRACE_STORE: '' } });
    running.push(tail);
    const listening = await tail.waitFor((e) => e.event === 'listening');
    expect(listening.store).toBe(path.join(project, '.llmtrace'));
  });
});
