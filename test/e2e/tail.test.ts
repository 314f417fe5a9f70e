/**
 * `llmtrace tail` as a user runs it: the built binary on ephemeral ports, fed by the official
 * OpenTelemetry JS exporters, read through its --json events, stopped with SIGINT.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { textWidth } from '../../src/lib/render/text-width.js';
import { runCli } from '../helpers/cli.js';
import { readAll, tempDir } from '../helpers/read-all.js';
import { exportAgentRun, freePort, spawnTail, startTail, type TailEvent, type TailProcess } from '../helpers/tail-process.js';

const CAPTURES = path.resolve('fixtures/shared/captures');
type Compression = NonNullable<ConstructorParameters<typeof HttpJsonExporter>[0]>['compression'];
const GZIP = 'gzip' as Compression;

const running: TailProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop('SIGKILL')));
});

async function tailIn(dir: string, args: string[] = []) {
  const started = await startTail(['--store', path.join(dir, 'store'), ...args], { cwd: dir });
  running.push(started.tail);
  return started;
}

const spansOf = (events: TailEvent[], traceId: string) => events.filter((e) => e.event === 'span' && e.traceId === traceId);

describe('llmtrace tail (built binary, official exporters)', () => {
  const exporters: Array<[string, (http: number, grpc: number) => SpanExporter]> = [
    ['http/json', (h) => new HttpJsonExporter({ url: `http://127.0.0.1:${h}/v1/traces` })],
    ['http/protobuf gzip', (h) => new HttpProtoExporter({ url: `http://127.0.0.1:${h}/v1/traces`, compression: GZIP })],
    ['grpc', (_h, g) => new GrpcExporter({ url: `http://127.0.0.1:${g}` })],
  ];

  it.each(exporters)('%s: a line per call, the tree once, the summary at SIGINT, and the store for `tree`', async (_name, make) => {
    const dir = tempDir();
    const { tail, listening } = await tailIn(dir);
    expect(listening.http.port).toBeGreaterThan(0);
    expect(listening.grpc!.port).toBeGreaterThan(0);
    expect(listening.store).toBe(path.join(dir, 'store'));
    expect(tail.events[0]!.event).toBe('listening');

    const traceId = await exportAgentRun(make(listening.http.port, listening.grpc!.port));
    const done = await tail.waitFor((e) => e.event === 'trace' && e.traceId === traceId);
    expect(done).toMatchObject({ spans: 4, calls: 2, inputTokens: 69, outputTokens: 19, cacheReadTokens: 11, unpricedCalls: 0, incomplete: false, reason: 'quiet' });
    expect(done.cost).toBeGreaterThan(0); // gpt-4o and gpt-4o-mini are in the built-in price table

    // Each span is its own export request; concurrent requests may arrive in any order.
    const spans = spansOf(tail.events, traceId);
    expect(spans.map((s) => [s.kind, s.model ?? s.toolName]).sort()).toEqual([
      ['llm', 'gpt-4o'],
      ['llm', 'gpt-4o-mini'],
      ['tool', 'search_docs'],
    ]);
    // The root ends last, so when the call arrives its feature is usually not known yet.
    expect([null, 'research']).toContain(spans.find((s) => s.model === 'gpt-4o')!.feature);
    expect(spans.find((s) => s.model === 'gpt-4o')).toMatchObject({ service: 'tail-e2e', inputTokens: 23, cacheReadTokens: 11, outputTokens: 12, finishReasons: ['tool_calls'], late: false });
    expect(spans.find((s) => s.model === 'gpt-4o')).not.toHaveProperty('content'); // prompts stay hidden without --show-content

    expect(await tail.stop('SIGINT')).toBe(0);
    const summary = tail.events.at(-1)!;
    expect(summary).toMatchObject({ event: 'summary', calls: 2, inputTokens: 69, outputTokens: 19, spans: 4, traces: 1, rejected: 0 });
    expect(tail.events.filter((e) => e.event === 'trace')).toHaveLength(1);

    const tree = await runCli(['tree', '--store', path.join(dir, 'store')]);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toMatch(/^invoke_agent research .*∑ 69 → 19 tok \(11 cached\)/m);
    expect(tree.stdout).toMatch(/├─ chat gpt-4o .*23 → 12 tok \(11 cached\)/);
    expect(tree.stdout).toMatch(/└─ chat gpt-4o-mini .*46 → 7 tok/);
  });

  it('--show-content adds the prompt to the span event; filters hide what does not match', async () => {
    const dir = tempDir();
    const { tail, listening } = await tailIn(dir, ['--show-content', '--model', 'gpt-4o', '--feature', 'research']);
    const traceId = await exportAgentRun(new HttpProtoExporter({ url: `http://127.0.0.1:${listening.http.port}/v1/traces` }));
    await tail.waitFor((e) => e.event === 'trace' && e.traceId === traceId);
    const spans = spansOf(tail.events, traceId);
    // Held until the root told the feature, then shown once.
    expect(spans.map((s) => [s.model, s.feature])).toEqual([['gpt-4o', 'research']]);
    expect((spans[0]!.content as Record<string, string>)['gen_ai.input.messages']).toContain('What is OTLP?');
    expect(await tail.stop('SIGTERM')).toBe(0);
    expect(tail.events.at(-1)).toMatchObject({ event: 'summary', calls: 1, spans: 4 });
  });

  it('--show-content shows GenAI log events (OTLP logs) under their span', async () => {
    const dir = tempDir();
    const { tail, listening } = await tailIn(dir, ['--show-content', '--no-grpc']);
    const traceId = await exportAgentRun(new HttpProtoExporter({ url: `http://127.0.0.1:${listening.http.port}/v1/traces` }));
    const chat = await tail.waitFor((e) => e.event === 'span' && e.traceId === traceId && e.model === 'gpt-4o');
    const logs = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'tail-e2e' } }] },
          scopeLogs: [
            {
              scope: { name: 'openai-instrumentation' },
              logRecords: [
                { timeUnixNano: '1795315098000000000', eventName: 'gen_ai.choice', traceId, spanId: chat.spanId, body: { stringValue: 'A protocol.' } },
                { timeUnixNano: '1795315098000000000', eventName: 'app.audit', traceId, spanId: chat.spanId, body: { stringValue: 'not GenAI' } },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`http://127.0.0.1:${listening.http.port}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(logs) });
    expect(res.status).toBe(200);
    const log = await tail.waitFor((e) => e.event === 'log');
    expect(log).toMatchObject({ traceId, spanId: chat.spanId, spanName: 'chat gpt-4o', eventName: 'gen_ai.choice', body: 'A protocol.' });
    expect(await tail.stop()).toBe(0);
    expect(tail.events.filter((e) => e.event === 'log')).toHaveLength(1);
    expect(tail.events.at(-1)).toMatchObject({ event: 'summary', logRecords: 2, requests: { traces: 4, logs: 1, metrics: 0 } });
  });

  it('reports rejected requests and keeps serving', async () => {
    const dir = tempDir();
    const { tail, listening } = await tailIn(dir, ['--no-grpc']);
    expect(listening.grpc).toBeNull();
    const res = await fetch(`http://127.0.0.1:${listening.http.port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(res.status).toBe(400);
    expect(await tail.waitFor((e) => e.event === 'rejected')).toMatchObject({ protocol: 'http', status: 400 });
    const traceId = await exportAgentRun(new HttpJsonExporter({ url: `http://127.0.0.1:${listening.http.port}/v1/traces` }));
    await tail.waitFor((e) => e.event === 'trace' && e.traceId === traceId);
    expect(await tail.stop()).toBe(0);
    expect(tail.events.at(-1)).toMatchObject({ event: 'summary', rejected: 1, calls: 2 });
  });

  it('--forward relays every request to another endpoint; a dead target is reported, never fatal', async () => {
    const dir = tempDir();
    const target = await tailIn(dir, ['--no-grpc', '--no-store']);
    const relay = await tailIn(dir, ['--no-grpc', '--forward', `http://127.0.0.1:${target.listening.http.port}`]);
    const traceId = await exportAgentRun(new HttpProtoExporter({ url: `http://127.0.0.1:${relay.listening.http.port}/v1/traces` }));
    const relayed = await target.tail.waitFor((e) => e.event === 'trace' && e.traceId === traceId);
    expect(relayed).toMatchObject({ spans: 4, calls: 2 });
    expect(await relay.tail.stop()).toBe(0);
    expect(relay.tail.events.at(-1)).toMatchObject({ event: 'summary', forward: { forwarded: 4, failed: 0, dropped: 0 } });

    // Nothing listens on the target any more: exports still succeed, failures are counted.
    const deadPort = target.listening.http.port;
    expect(await target.tail.stop()).toBe(0);
    const lonely = await tailIn(dir, ['--no-grpc', '--no-store', '--forward', `http://127.0.0.1:${deadPort}/`]);
    const t0 = Date.now();
    const id2 = await exportAgentRun(new HttpJsonExporter({ url: `http://127.0.0.1:${lonely.listening.http.port}/v1/traces` }));
    expect(Date.now() - t0).toBeLessThan(3000);
    await lonely.tail.waitFor((e) => e.event === 'trace' && e.traceId === id2);
    expect(await lonely.tail.stop()).toBe(0);
    expect(lonely.tail.events.at(-1)).toMatchObject({ event: 'summary', forward: { forwarded: 0, failed: 4 } });
    expect(lonely.tail.stderr()).toMatch(/forward to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed: ECONNREFUSED/);
    // Rate-limited: one report, then a count.
    expect(lonely.tail.stderr().match(/failed: ECONNREFUSED/g)).toHaveLength(1);
  });

  it('a second SIGINT exits at once while the first one waits for a hanging --forward target', async () => {
    const sockets: net.Socket[] = [];
    const hang = net.createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    try {
      const dir = tempDir();
      const { tail, listening } = await tailIn(dir, ['--no-grpc', '--forward', `http://127.0.0.1:${(hang.address() as net.AddressInfo).port}`]);
      const traceId = await exportAgentRun(new HttpJsonExporter({ url: `http://127.0.0.1:${listening.http.port}/v1/traces` }));
      await tail.waitFor((e) => e.event === 'trace' && e.traceId === traceId);
      tail.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      expect(await tail.stop('SIGINT')).toBe(130);
      expect(Date.now() - t0).toBeLessThan(1000);
      // The summary so far still comes, said to be cut short (issue #16).
      expect(tail.events.some((e) => e.event === 'summary')).toBe(true);
      expect(tail.stderr()).toContain('stopped at once (second signal)');
    } finally {
      sockets.forEach((s) => s.destroy());
      hang.close();
    }
  });

  it('exits 2 with a hint when the port is busy and nobody can answer a prompt', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const r = await runCli(['tail', '--http-port', String(port), '--no-grpc', '--no-store'], { cwd: tempDir() });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`OTLP/HTTP port ${port} on 127.0.0.1 is already in use`);
      expect(r.stderr).toMatch(/hint: .*--http-port \d+/);
      expect(r.stdout).toBe('');
    } finally {
      busy.close();
    }
  });

  it('--token (or LLMTRACE_TOKEN) is handed to the receivers', async () => {
    const dir = tempDir();
    const { tail, listening } = await startTail(['--no-grpc', '--no-store'], { cwd: dir, env: { LLMTRACE_TOKEN: 's3cret' } });
    running.push(tail);
    const url = `http://127.0.0.1:${listening.http.port}/v1/traces`;
    const body = JSON.stringify({ resourceSpans: [] });
    const denied = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(denied.status).toBe(401);
    const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' }, body });
    expect(ok.status).toBe(200);
    expect(await tail.waitFor((e) => e.event === 'rejected')).toMatchObject({ status: 401 });
    expect(await tail.stop()).toBe(0);
  });

  it('SIGINT during a stream of exports: every request answered 200 is in the summary and the store', async () => {
    const dir = tempDir();
    const { tail, listening } = await tailIn(dir, ['--no-grpc']);
    const body = readFileSync(path.join(CAPTURES, 'manual-agent-http-proto.bin')); // 5 spans, one trace
    const url = `http://127.0.0.1:${listening.http.port}/v1/traces`;
    let accepted = 0;
    let stop = false;
    const sender = async () => {
      while (!stop) {
        try {
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
          await res.arrayBuffer();
          if (res.status === 200) accepted++;
        } catch {
          return; // the listener is gone
        }
      }
    };
    const senders = Array.from({ length: 4 }, sender);
    await new Promise((r) => setTimeout(r, 400));
    const code = await tail.stop('SIGINT'); // one SIGINT: a second one means "quit now" (exit 130)
    stop = true;
    await Promise.all(senders);
    expect(code).toBe(0);
    expect(accepted).toBeGreaterThan(0);
    expect(tail.events.at(-1)).toMatchObject({ event: 'summary', spans: accepted * 5, requests: { traces: accepted } });
    const { spans } = await readAll([path.join(dir, 'store')]);
    expect(spans).toHaveLength(accepted * 5);
  });

  it('piped with COLUMNS=40: call lines, the tree and the summary fit 40 columns, as `tree` does', async () => {
    const port = await freePort();
    const tail = spawnTail(['--http-port', String(port), '--no-grpc', '--no-store'], { cwd: tempDir(), env: { COLUMNS: '40' } });
    running.push(tail);
    const until = async (test: () => boolean) => {
      while (!test()) {
        if (tail.child.exitCode !== null) throw new Error(`tail exited:\n${tail.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => tail.stderr().includes('Ctrl-C'));
    await exportAgentRun(new HttpJsonExporter({ url: `http://127.0.0.1:${port}/v1/traces` }), 'a-rather-long-service-name');
    await until(() => /^└─ /m.test(tail.stdout()));
    expect(await tail.stop('SIGINT')).toBe(0);
    const lines = tail.stdout().split('\n').filter((l) => l);
    expect(lines.findIndex((l) => l.startsWith('trace '))).toBe(3); // a line per call (and tool) before the tree
    expect(lines.some((l) => l.includes('session summary'))).toBe(true);
    expect(lines.filter((l) => textWidth(l) > 40)).toEqual([]);
  });

  it('--store DIR: the summary names a `tree` command that reads that store (plain `llmtrace tree` reads ./.llmtrace)', async () => {
    const dir = tempDir();
    const port = await freePort();
    const tail = spawnTail(['--http-port', String(port), '--no-grpc', '--store', 'my traces'], { cwd: dir });
    running.push(tail);
    while (!tail.stderr().includes('Ctrl-C')) {
      if (tail.child.exitCode !== null) throw new Error(`tail exited:\n${tail.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await exportAgentRun(new HttpJsonExporter({ url: `http://127.0.0.1:${port}/v1/traces` }));
    expect(await tail.stop('SIGINT')).toBe(0);
    const hint = /\(read it with: (.+)\)$/m.exec(tail.stdout());
    expect(hint, tail.stdout()).not.toBeNull();
    const words = [...hint![1]!.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
    expect(words.slice(0, 2)).toEqual(['llmtrace', 'tree']);
    const tree = await runCli(words.slice(1), { cwd: dir });
    expect(tree.code, tree.stderr).toBe(0);
    expect(tree.stdout).toMatch(/^invoke_agent research .*∑ 69 → 19 tok \(11 cached\)/m);
  });

  it('rejects bad option values as usage errors', async () => {
    for (const args of [['--max-body', '12 parsecs'], ['--http-port', '70000'], ['--forward', 'grpc://x:4317'], ['--max-in-flight', 'lots'], ['--max-in-flight', '-1MiB'], ['--max-in-flight', '2TiB']]) {
      const r = await runCli(['tail', '--no-store', ...args], { cwd: tempDir() });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^llmtrace: /);
    }
  });

  it('refuses an empty --host before listening (it listened on every address, then failed with an internal error)', async () => {
    const r = await runCli(['tail', '--no-store', '--host', '', '--http-port', '0', '--grpc-port', '0'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^llmtrace: option '--host <addr>' argument '' is invalid\. --host must be an address or a host name/);
    expect(r.stdout).toBe('');
  });

  it('refuses --max-in-flight below --max-body: the largest body could never be taken in', async () => {
    const r = await runCli(['tail', '--no-store', '--max-in-flight', '8MiB'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^llmtrace: --max-in-flight \(8 MiB\) is below --max-body \(20 MiB\)/);
    expect(r.stdout).toBe('');
  });

  it('warns that prompts are sensitive when listening beyond loopback', async () => {
    const dir = tempDir();
    const { tail } = await tailIn(dir, ['--host', '0.0.0.0', '--no-grpc', '--no-store']);
    expect(await tail.stop()).toBe(0);
    expect(tail.stderr()).toMatch(/warning: listening on 0\.0\.0\.0, not loopback.*prompts/);
  });
});
