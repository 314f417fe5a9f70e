// The coding agents' screens of README.md ("Coding agents: usage from log events and metrics"):
// one recorded run per agent (test/fixtures/agents/, all over OTLP/HTTP) sent to a real `tail`
// in its recorded order, then `cost` over what tail stored. Build first (npm run build).
//
//   node scripts/agents/readme-screen.mjs
//
// Prints tail's stdout (its banner and notices go to stderr, not shown), then the cost report.
// Nothing is edited in: paste what it prints, but the last line of the summary ("stored in"), which
// names the temporary directory.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const RUNS = ['claude-code/http-json-delta', 'codex/http-json', 'gemini-cli/http-json-delta', 'copilot-cli/chat-http-json'];
const BIN = path.resolve('bin/llmtrace.js');
const env = { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC' };

// A fresh working directory: tail and cost use its default store, ./.llmtrace, as in the README.
const cwd = mkdtempSync(path.join(tmpdir(), 'llmtrace-readme-'));
try {
  const screen = spawn(process.execPath, [BIN, 'tail', '--http-port', '0', '--no-grpc'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  screen.stdout.on('data', (d) => (out += d));
  screen.stderr.on('data', (d) => (err += d));
  const listening = await new Promise((resolve, reject) => {
    // The banner is on stderr; the lines and the summary on stdout.
    const check = () => {
      const m = /OTLP\/HTTP +http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    };
    screen.stderr.on('data', check);
    screen.on('exit', () => reject(new Error(`tail exited before listening\n${err}`)));
  });
  for (const run of RUNS) {
    const dir = path.resolve('test/fixtures/agents', run);
    for (const r of JSON.parse(readFileSync(path.join(dir, 'requests.json'), 'utf8'))) {
      if (r.transport !== 'http') throw new Error(`${run}: ${r.file} was recorded over ${r.transport}; this script sends HTTP only`);
      const stored = readFileSync(path.join(dir, r.file));
      const body = r.stored === 'gzip' ? gunzipSync(stored) : stored;
      const res = await fetch(`http://127.0.0.1:${listening}${r.path}`, { method: 'POST', headers: { 'content-type': r.contentType }, body });
      if (!res.ok) throw new Error(`${run} ${r.file}: HTTP ${res.status} ${await res.text()}`);
    }
  }
  screen.kill('SIGINT');
  await new Promise((r) => screen.on('close', r));
  process.stdout.write(out);

  const cost = spawn(process.execPath, [BIN, 'cost', '--by', 'agent,model', '--format', 'csv'], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let csv = '';
  cost.stdout.on('data', (d) => (csv += d));
  await new Promise((r) => cost.on('close', r));
  process.stdout.write(`\n$ llmtrace cost --by agent,model --format csv\n${csv}`);
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
