/**
 * What a person sees: `llmtrace tail` in a real terminal (tmux), fed by the official OTLP/HTTP
 * exporter, read back with `tmux capture-pane`. Skipped, saying so, where tmux is not installed
 * (.ci/run installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { exportAgentRun } from '../helpers/tail-process.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('tail-tmux.test.ts: tmux is not installed, so the terminal test is skipped (apt-get install -y tmux)');

const SOCKET = `llmtrace-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
let session = 'tail';
const screen = () => tmux('capture-pane', '-p', '-t', session);

async function until(what: string, test: (s: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (test(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the screen shows:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

describe.skipIf(!hasTmux)('llmtrace tail in a terminal (tmux)', () => {
  it('shows the banner, a line per call, the tree once, a running total, and the summary after Ctrl-C', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'store');
    const cmd = `cd ${dir} && TZ=UTC ${process.execPath} ${BIN} tail --http-port 0 --grpc-port 0 --store ${store}; echo "exit=$?"; sleep 60`;
    session = 'tail';
    tmux('new-session', '-d', '-s', session, '-x', '110', '-y', '40', cmd);

    const banner = await until('the banner', (s) => /OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:\d+/.test(s));
    expect(banner).toMatch(/╭─+╮/);
    expect(banner).toContain('OTEL_EXPORTER_OTLP_PROTOCOL=grpc');
    const port = Number(/OTLP\/HTTP +http:\/\/127\.0\.0\.1:(\d+)/.exec(banner)![1]);

    await exportAgentRun(new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` }), 'shop-api');
    const seen = await until('the tree', (s) => s.includes('└─ chat gpt-4o-mini') && /Σ 2 calls/.test(s));
    const lines = seen.split('\n');
    const calls = lines.filter((l) => /^\d\d:\d\d:\d\d {2}shop-api/.test(l));
    expect(calls).toHaveLength(3);
    // One export per span (SimpleSpanProcessor), sent concurrently: lines come in arrival order.
    const one = (re: RegExp) => expect(calls.filter((l) => re.test(l)), String(re)).toHaveLength(1);
    one(/chat gpt-4o +23 → 12 tok \(11 cached\) +\$0\.\d+ +\S+ +tool_calls$/);
    one(/tool search_docs +\S+ +ok$/);
    one(/chat gpt-4o-mini +46 → 7 tok +\$0\.\d+ +\S+ +stop$/);
    expect(lines.filter((l) => l.startsWith('trace '))).toHaveLength(1);
    expect(seen).toMatch(/^invoke_agent research .*∑ 69 → 19 tok \(11 cached\)/m);
    expect(seen).not.toContain('What is OTLP?'); // prompts hidden by default
    // The running total is the last line with text, kept below the output.
    const lastLine = lines.filter((l) => l.trim()).at(-1)!;
    expect(lastLine).toMatch(/^Σ 2 calls · 69 → 19 tok \(11 cached\) · \$0\.\d+ · 1 trace · 4 spans/);

    tmux('send-keys', '-t', 'tail', 'C-c');
    const after = await until('the summary', (s) => s.includes('exit='));
    expect(after).toMatch(/session summary/);
    expect(after).toMatch(/gpt-4o +1 +0 +\S+ +23 +11 +12 +\$0\.\d+/); // calls, errors, p95, tokens, cost
    expect(after).toMatch(/total +2 +0 +\S+ +69 +11 +19 +\$0\.\d+/);
    expect(after).toContain('exit=0');
    // The running total does not linger above the summary.
    expect(after.split('\n').filter((l) => l.startsWith('Σ '))).toHaveLength(0);
  });

  it('a terminal narrowed while tail runs: later lines and trees fit the new width', async () => {
    const dir = tempDir();
    session = 'narrowed';
    const cmd = `cd ${dir} && TZ=UTC ${process.execPath} ${BIN} tail --http-port 0 --no-grpc --no-store; echo "exit=$?"; sleep 60`;
    tmux('new-session', '-d', '-s', session, '-x', '110', '-y', '50', cmd);
    const banner = await until('the banner', (s) => /OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:\d+/.test(s));
    const port = Number(/OTLP\/HTTP +http:\/\/127\.0\.0\.1:(\d+)/.exec(banner)![1]);
    tmux('resize-window', '-t', session, '-x', '60');
    await exportAgentRun(new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` }), 'shop-api');
    await until('the tree', (s) => /^└─ /m.test(s));
    // -J joins lines the terminal wrapped: a line wider than the window comes back whole. What
    // comes after the banner (drawn at 110 columns) was written at 60.
    const joined = tmux('capture-pane', '-p', '-J', '-t', session).split('\n');
    const out = joined.slice(joined.findIndex((l) => l.includes('Ctrl-C stops')) + 1).filter((l) => l.trim() && !l.includes('╰'));
    expect(out.filter((l) => /^trace |^invoke_agent|^[├└]─/.test(l))).toHaveLength(4);
    expect(out.filter((l) => l.length > 60)).toEqual([]);
    tmux('send-keys', '-t', session, 'C-c');
    expect(await until('the exit', (s) => s.includes('exit='))).toContain('exit=0');
  });

  it('offers the next free port when the port is busy, and listens there when accepted', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      session = 'busy';
      const cmd = `cd ${tempDir()} && ${process.execPath} ${BIN} tail --http-port ${port} --no-grpc --no-store; echo "exit=$?"; sleep 60`;
      tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', cmd);
      const asked = await until('the question', (s) => s.includes('already in use'));
      expect(asked).toMatch(new RegExp(`OTLP/HTTP port ${port} on 127\\.0\\.0\\.1 is already in use\\. Listen on (\\d+) instead\\?`));
      expect(asked).toMatch(/Yes \/ .*No/);
      tmux('send-keys', '-t', session, 'Enter');
      const banner = await until('the banner', (s) => /OTLP\/HTTP +http:\/\/127\.0\.0\.1:\d+/.test(s));
      const newPort = Number(/OTLP\/HTTP +http:\/\/127\.0\.0\.1:(\d+)/.exec(banner)![1]);
      expect(newPort).toBeGreaterThan(port);
      tmux('send-keys', '-t', session, 'C-c');
      expect(await until('the exit', (s) => s.includes('exit='))).toContain('exit=0');
    } finally {
      busy.close();
    }
  });

  it('Ctrl-C twice: the summary so far on a clean line, said to be cut short, exit 130', async () => {
    // A forward target that accepts and never answers keeps the orderly stop busy for 2 s.
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const target = (silent.address() as net.AddressInfo).port;
    try {
      session = 'twice';
      const cmd = `cd ${tempDir()} && TZ=UTC ${process.execPath} ${BIN} tail --http-port 0 --no-grpc --no-store --forward http://127.0.0.1:${target}; echo "exit=$?"; sleep 60`;
      tmux('new-session', '-d', '-s', session, '-x', '110', '-y', '40', cmd);
      const banner = await until('the banner', (s) => /OTLP\/HTTP +http:\/\/127\.0\.0\.1:\d+/.test(s));
      const port = Number(/OTLP\/HTTP +http:\/\/127\.0\.0\.1:(\d+)/.exec(banner)![1]);
      await exportAgentRun(new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` }), 'shop-api');
      await until('the running total', (s) => /Σ 2 calls/.test(s));
      tmux('send-keys', '-t', session, 'C-c');
      await until('the stopping note', (s) => s.includes('stopping:'));
      tmux('send-keys', '-t', session, 'C-c');
      const after = await until('the exit', (s) => s.includes('exit='));
      expect(after).toContain('exit=130');
      expect(after).toMatch(/session summary/);
      expect(after).toMatch(/total +2 +0 +\S+ +69 +11 +19 +\$0\.\d+/);
      expect(after).toContain('stopped at once (second signal)');
      expect(after.split('\n').filter((l) => l.includes('Σ '))).toHaveLength(0);
    } finally {
      silent.close();
    }
  });

  it('init: Ctrl-C at a question says "Nothing written." once and exits 130', async () => {
    session = 'init';
    const dir = tempDir();
    // init never prompts in CI (CI is set there): this is a person at a terminal.
    const cmd = `cd ${dir} && env -u CI ${process.execPath} ${BIN} init; echo "exit=$?"; sleep 60`;
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', cmd);
    await until('the first question', (s) => s.includes('Attribute keys'));
    tmux('send-keys', '-t', session, 'C-c');
    const after = await until('the exit', (s) => s.includes('exit='));
    expect(after).toContain('exit=130');
    expect(after.split('Nothing written.').length - 1).toBe(1);
    expect(after).not.toContain('init cancelled');
  });

  it('tail | cat: no running total drawn between the piped lines', async () => {
    session = 'piped';
    const cmd = `cd ${tempDir()} && TZ=UTC ${process.execPath} ${BIN} tail --http-port 0 --no-grpc --no-store | cat; echo "exit=$?"; sleep 60`;
    tmux('new-session', '-d', '-s', session, '-x', '110', '-y', '70', cmd);
    const banner = await until('the banner', (s) => /OTLP\/HTTP +http:\/\/127\.0\.0\.1:\d+/.test(s));
    const port = Number(/OTLP\/HTTP +http:\/\/127\.0\.0\.1:(\d+)/.exec(banner)![1]);
    await exportAgentRun(new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` }), 'shop-api');
    const seen = await until('the tree', (s) => s.includes('└─ chat gpt-4o-mini'));
    await new Promise((r) => setTimeout(r, 500)); // a total would be drawn within 200 ms
    expect(screen()).not.toContain('Σ ');
    expect(seen.split('\n').filter((l) => /^\d\d:\d\d:\d\d {2}/.test(l))).toHaveLength(3);
    tmux('send-keys', '-t', session, 'C-c');
    // Ctrl-C reaches cat too (one process group), so the summary has no reader: only the exit.
    await until('the exit', (s) => s.includes('exit='));
  });
});
