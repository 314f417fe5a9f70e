/** Runs the load generator (its own process) against a URL and returns its "done" report. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild } from '../procs.mjs';

const LOADGEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'loadgen.mjs');

/** Starts the load; `result` resolves with the done event; `stop()` ends it early; `pid` is the generator's process. */
export function startLoad(cfg, { timeoutMs = (cfg.timeoutS ?? 120) * 1000 + 60_000, onProgress } = {}) {
  const p = startChild(process.execPath, [LOADGEN, JSON.stringify(cfg)]);
  if (onProgress) {
    const seen = new Set();
    const poll = setInterval(() => {
      for (const m of p.lines) if (m.event === 'progress' && !seen.has(m)) (seen.add(m), onProgress(m));
    }, 200);
    p.exited.then(() => clearInterval(poll));
  }
  const result = p.waitFor((m) => m.event === 'done', timeoutMs, 'the load report').then((d) => {
    p.stop('SIGTERM', 5_000);
    return d;
  });
  return { result, pid: p.pid, stop: () => p.child.kill('SIGTERM'), ready: p.waitFor((m) => m.event === 'ready', 120_000, 'ready') };
}

export function runLoad(cfg, opts) {
  return startLoad(cfg, opts).result;
}
