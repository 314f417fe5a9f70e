/**
 * The store lock as a user meets it (built binary): a second `tail` on a store another one
 * holds exits 2 at start-up naming the store and the holder, with a hint, and prints nothing on
 * stdout; `--no-store` needs no lock; `cost`, `tree` and `lint` read a store a running tail
 * holds, also while its last line is being written; the lock goes at SIGINT and SIGTERM, and
 * one left by a tail killed with SIGKILL is taken over by the next, which says so; a store deleted
 * while tail runs is made again with its lock, within a second even when nothing is exported,
 * unless another tail has started on it meanwhile.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { exportAgentRun, startTail, type TailProcess } from '../helpers/tail-process.js';

const running: TailProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop('SIGKILL')));
});

async function tailOn(store: string, args: string[] = []) {
  const started = await startTail(['--store', store, '--no-grpc', ...args]);
  running.push(started.tail);
  return started;
}

/** This boot's id (Linux), which the lock records. */
const thisBoot = existsSync('/proc/sys/kernel/random/boot_id') ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : undefined;

/** One span as OTLP JSON, posted to a tail: the answer's status. */
async function postSpan(port: number, name: string): Promise<number> {
  const span = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name, startTimeUnixNano: '1764000000000000000', endTimeUnixNano: '1764000001000000000' };
  const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
  const r = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await r.arrayBuffer();
  return r.status;
}

const lockOf = (store: string) => path.join(store, 'tail.lock');
const holderOf = (store: string) => JSON.parse(readFileSync(lockOf(store), 'utf8')) as { pid: number; host: string };

describe('tail: one per store', () => {
  it.each([[[]], [['--json']], [['--quiet']]])('a second tail on the same store exits 2 naming the store and its holder %j', async (mode) => {
    const store = path.join(tempDir(), 'store');
    const { tail } = await tailOn(store);
    expect(holderOf(store)).toEqual({ pid: tail.child.pid, host: os.hostname(), since: expect.any(String), ...(thisBoot ? { boot: thisBoot } : {}) });

    const r = await runCli(['tail', '--store', store, '--http-port', '0', '--grpc-port', '0', ...mode]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`the store ${store} is in use by another llmtrace (pid ${tail.child.pid} on ${os.hostname()}, since `);
    expect(r.stderr).toMatch(/hint: .*--store DIR.*--no-store/);
    expect(holderOf(store).pid).toBe(tail.child.pid); // the holder keeps it

    // Writing into it with demo is refused the same way; --no-store needs no lock.
    const demo = await runCli(['demo', '--store', store]);
    expect(demo.code).toBe(2);
    expect(demo.stderr).toMatch(/in use by another llmtrace[\s\S]*hint: send the run to that tail instead/);
    const other = await startTail(['--no-store', '--no-grpc']);
    running.push(other.tail);
    expect(other.listening.store).toBeNull();
    expect(await other.tail.stop()).toBe(0);

    expect(await tail.stop('SIGINT')).toBe(0);
    expect(existsSync(lockOf(store))).toBe(false);
  }, 30_000);

  it('cost, tree and lint read a store a running tail holds, skipping a last line still being written', async () => {
    const store = path.join(tempDir(), 'store');
    const { tail, listening } = await tailOn(store);
    const traceId = await exportAgentRun(new OTLPTraceExporter({ url: `http://127.0.0.1:${listening.http.port}/v1/traces` }));
    await tail.waitFor((e) => e.event === 'trace' && e.traceId === traceId);
    // What a reader can meet while a write is under way: the file ends inside a line.
    const file = path.join(store, readdirSync(store).find((n) => n.startsWith('traces-'))!);
    appendFileSync(file, '{"resourceSpans":[{"resource":{"attr');

    for (const command of [['cost'], ['tree'], ['lint', '--format', 'json']]) {
      const r = await runCli([...command, '--store', store]);
      expect(r.code, `${command[0]}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toContain('1 bad record skipped');
      expect(r.stderr).toContain('4 spans');
      expect(r.stdout).not.toBe('');
    }
    const tree = await runCli(['tree', '--store', store]);
    expect(tree.stdout).toContain('invoke_agent research');
    expect(holderOf(store).pid).toBe(tail.child.pid);
    expect(await tail.stop('SIGTERM')).toBe(0);
    expect(existsSync(lockOf(store))).toBe(false);
  }, 30_000);

  it('a tail killed with SIGKILL leaves its lock; the next one takes it over, says so, and removes it at exit', async () => {
    const store = path.join(tempDir(), 'store');
    const first = await tailOn(store);
    const killedPid = first.tail.child.pid;
    await first.tail.stop('SIGKILL');
    expect(holderOf(store).pid).toBe(killedPid);

    const next = await tailOn(store);
    expect(next.tail.stderr()).toContain(`llmtrace: took over the store lock ${lockOf(store)} from pid ${killedPid}, which is no longer running`);
    expect(holderOf(store).pid).toBe(next.tail.child.pid);
    expect(await next.tail.stop('SIGINT')).toBe(0);
    expect(existsSync(lockOf(store))).toBe(false);
    expect(next.tail.stdout()).not.toContain('took over'); // a diagnostic: stderr only
  }, 30_000);

  it('a store deleted while tail runs gets its lock back with the next export; one another tail started on meanwhile is left to it (503, said once)', async () => {
    const store = path.join(tempDir(), 'store');
    const first = await tailOn(store);
    const port = first.listening.http.port;
    rmSync(store, { recursive: true });
    expect(await postSpan(port, 'after the first deletion')).toBe(200);
    expect(holderOf(store).pid).toBe(first.tail.child.pid);

    // Another tail taking the store before the first puts its lock back (within a second): the
    // lock of a running process (this test's) is written at once after the deletion.
    rmSync(store, { recursive: true });
    mkdirSync(store);
    const theirs = `${JSON.stringify({ pid: process.pid, host: os.hostname(), since: 'now' })}\n`;
    writeFileSync(lockOf(store), theirs);
    expect(await postSpan(port, 'refused')).toBe(503);
    expect(await postSpan(port, 'refused again')).toBe(503);
    const said = `the store ${store} was deleted and another llmtrace (pid ${process.pid} on ${os.hostname()}, since now)`;
    expect(first.tail.stderr().split(said).length - 1).toBe(1);
    expect(readdirSync(store).sort()).toEqual(['tail.lock']);
    // The other one stops: its lock goes, and the first, which left the store to it, does not take it back.
    rmSync(lockOf(store));
    await new Promise((r) => setTimeout(r, 2500));
    expect(existsSync(lockOf(store))).toBe(false);
    expect(await first.tail.stop('SIGINT')).toBe(0);
  }, 30_000);

  it('a store deleted while an idle tail runs gets its lock back within a second or two: a tail started after is refused', async () => {
    const store = path.join(tempDir(), 'store');
    const first = await tailOn(store);
    const lockBack = async () => {
      for (let waited = 0; !existsSync(lockOf(store)) && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      return holderOf(store).pid;
    };
    rmSync(store, { recursive: true });
    expect(existsSync(store)).toBe(false);
    expect(await lockBack()).toBe(first.tail.child.pid);
    expect(readdirSync(store).sort()).toEqual(['.gitignore', 'tail.lock']);
    const second = await runCli(['tail', '--store', store, '--http-port', '0', '--grpc-port', '0']);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`the store ${store} is in use by another llmtrace (pid ${first.tail.child.pid} on ${os.hostname()}, since `);
    // The lock alone deleted: put back too.
    rmSync(lockOf(store));
    expect(await lockBack()).toBe(first.tail.child.pid);
    expect(await postSpan(first.listening.http.port, 'kept')).toBe(200);
    expect(readdirSync(store).some((n) => n.startsWith('traces-'))).toBe(true);
    expect(await first.tail.stop('SIGINT')).toBe(0);
    expect(existsSync(lockOf(store))).toBe(false);
  }, 30_000);
});
