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

describe('store files damaged by a crash', () => {
  // A machine crash can leave a file's blocks zero-filled: a file created just before it is all
  // NULs, and the tail that restarts in the same hour appends after a newline (writer.ts).
  it('a file starting with a NUL-filled block: the lines after it are read, the block is one bad record named by file and line', async () => {
    const store = await demoStore(path.join(tempDir(), 'store'), 2);
    const file = tracesFile(store);
    const lines = readFileSync(file);
    writeFileSync(file, Buffer.concat([Buffer.alloc(4096), Buffer.from('\n'), lines]));
    const r = await runCli(['cost', '--format', 'json', '--store', store]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).total.calls).toBe(2 * CALLS_PER_RUN);
    expect(r.stderr).toContain(`${file}:1: invalid JSON`);
    expect(r.stderr).toMatch(/read 1 input, 16 spans, 1 bad record skipped/);
  });

  it('a file of NULs only beside a good one is named, never read silently as empty protobuf frames', async () => {
    const store = await demoStore(path.join(tempDir(), 'store'), 1);
    const zeroed = path.join(store, 'traces-20200101T00.jsonl');
    writeFileSync(zeroed, Buffer.alloc(8192));
    const r = await runCli(['cost', '--format', 'json', '--store', store]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).total.calls).toBe(CALLS_PER_RUN);
    expect(r.stderr).toContain(`${zeroed}:1: invalid JSON`);
  });

  it('a file of garbage bytes beside a good one: its lines are bad records, the rest is read (exit 0); alone it is unusable (exit 2)', async () => {
    const store = await demoStore(path.join(tempDir(), 'store'), 1);
    const garbage = path.join(store, 'traces-20200101T00.jsonl');
    writeFileSync(garbage, Buffer.from('\x80\x81garbage\n\x7fmore garbage\n', 'latin1'));
    const r = await runCli(['stats', '--format', 'json', '--store', store]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${garbage}:1: invalid JSON`);
    expect(r.stderr).toContain(`${garbage}:2: invalid JSON`);
    expect(r.stderr).toMatch(/2 bad records skipped/);

    const alone = path.join(tempDir(), 'alone');
    await demoStore(alone, 1);
    writeFileSync(tracesFile(alone), Buffer.from('\x80\x81garbage\n', 'latin1'));
    const bad = await runCli(['cost', '--store', alone]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no usable trace data/);
  });
});

describe('store logs files damaged by a crash', () => {
  it('a logs file starting with a NUL-filled block: the agents\' events after it are still counted, the block named', async () => {
    const run = path.resolve('test/fixtures/agents/claude-code/http-json-delta');
    const lines = readdirSync(run).filter((f) => /-logs\.json$/.test(f)).sort().map((f) => readFileSync(path.join(run, f), 'utf8').trim());
    const clean = tempDir();
    writeFileSync(path.join(clean, 'logs-20261205T17.jsonl'), `${lines.join('\n')}\n`);
    const damaged = tempDir();
    const file = path.join(damaged, 'logs-20261205T17.jsonl');
    writeFileSync(file, Buffer.concat([Buffer.alloc(4096), Buffer.from(`\n${lines.join('\n')}\n`)]));
    const want = await costCalls(['--store', clean]);
    expect(want).toBeGreaterThan(0);
    const r = await runCli(['cost', '--format', 'json', '--store', damaged]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { total: { calls: number } }).total.calls).toBe(want);
    expect(r.stderr).toContain(`${file}:1: invalid JSON`);
  });
});
