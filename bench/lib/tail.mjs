/**
 * `llmtrace tail` under test: started on a free loopback port with a given store, stopped with
 * SIGINT (the orderly stop: finish requests, flush, summary, exit 0), or killed with SIGKILL.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { BIN, CLI_ENV } from './llmtrace.mjs';
import { freePort, memoryOf, startChild, waitForPort } from './procs.mjs';

/**
 * `mode: 'json'` writes the NDJSON events to `eventsFile` (as `tail --json > file` would), and
 * takes the port from its "listening" event.
 * `args`: more tail flags (e.g. `--max-in-flight 40MiB`).
 * @param {{ store: string | null, forward?: string, mode?: 'quiet' | 'json', port?: number, eventsFile?: string, args?: string[] }} o
 */
export async function startTail(o) {
  const mode = o.mode ?? 'quiet';
  const port = mode === 'json' ? 0 : (o.port ?? (await freePort()));
  const args = [BIN, 'tail', '--http-port', String(port), '--no-grpc', mode === 'json' ? '--json' : '--quiet'];
  args.push(...(o.store === null ? ['--no-store'] : ['--store', o.store]));
  if (o.forward) args.push('--forward', o.forward);
  if (o.args) args.push(...o.args);
  const fd = mode === 'json' ? openSync(o.eventsFile, 'w') : undefined;
  const p = startChild(process.execPath, args, { env: CLI_ENV, stdoutFd: fd });
  if (fd !== undefined) closeSync(fd);
  let actual = port;
  if (mode === 'json') {
    actual = await listeningPort(o.eventsFile, () => p.child.exitCode === null);
  } else {
    await waitForPort(port, 30_000, () => p.child.exitCode === null);
  }
  return {
    proc: p,
    pid: p.pid,
    port: actual,
    url: `http://127.0.0.1:${actual}/v1/traces`,
    memory: () => memoryOf(p.pid),
    /** SIGINT, then the exit code, the summary output and the peak RSS seen just before. */
    async stop(timeoutMs = 60_000) {
      const mem = memoryOf(p.pid);
      const r = await p.stop('SIGINT', timeoutMs);
      return { ...r, peakMB: mem.peakMB, stderr: p.stderr, lines: p.lines };
    },
    async kill9() {
      return p.stop('SIGKILL', 5_000);
    },
  };
}

async function listeningPort(file, alive) {
  const until = Date.now() + 30_000;
  for (;;) {
    const first = readFileSync(file, 'utf8').split('\n')[0];
    if (first) {
      const ev = JSON.parse(first);
      if (ev.event !== 'listening') throw new Error(`tail --json printed ${first.slice(0, 200)} first, not the listening event`);
      return ev.http.port;
    }
    if (!alive()) throw new Error('tail exited before listening');
    if (Date.now() > until) throw new Error('tail --json printed no listening event within 30 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}
