/** Child processes that speak NDJSON on stdout: start, wait for a line, stop, sample memory. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** `stdoutFd`: send stdout there instead of parsing it (then `lines`/`waitFor` see nothing). */
export function startChild(cmd, args, { env, cwd, stdoutFd } = {}) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'] });
  const lines = [];
  const waiters = [];
  let buf = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        msg = { text: line };
      }
      if (lines.length < 10_000) lines.push(msg);
      for (const w of [...waiters]) if (w.match(msg)) w.resolve(msg);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d) => {
    if (stderr.length < 1 << 20) stderr += d;
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    pid: child.pid,
    lines,
    get stderr() {
      return stderr;
    },
    exited,
    /** The first stdout message (already seen or coming) for which `match` is true. */
    waitFor(match, timeoutMs = 30_000, what = 'a message') {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { match, resolve: (m) => (clearTimeout(t), waiters.splice(waiters.indexOf(w), 1), resolve(m)) };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`timed out waiting for ${what} from ${cmd} ${args.join(' ')}; stderr: ${stderr.slice(-500)}`));
        }, timeoutMs);
        waiters.push(w);
        exited.then(({ code, signal }) => {
          if (waiters.includes(w)) {
            clearTimeout(t);
            waiters.splice(waiters.indexOf(w), 1);
            reject(new Error(`${args[0] ?? cmd} exited (${code ?? signal}) before ${what}; stderr: ${stderr.slice(-500)}`));
          }
        });
      });
    },
    /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`). */
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

/** RSS and peak RSS (VmHWM) of a live process, in MB, from /proc. */
export function memoryOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1]);
    return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
  } catch {
    return { rssMB: NaN, peakMB: NaN };
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port, timeoutMs = 30_000, alive = () => true) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (!alive()) throw new Error(`the process exited before listening on port ${port}`);
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
