/**
 * A long-running `llmtrace tail` for end-to-end tests: spawned from the built binary on
 * ephemeral ports with --json, its NDJSON events parsed as they arrive, stopped with a signal.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import net from 'node:net';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BIN } from './cli.js';

export type TailEvent = Record<string, unknown> & { event: string };

export interface TailProcess {
  child: ChildProcessWithoutNullStreams;
  events: TailEvent[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the first event (already received or to come) that matches. */
  waitFor(pred: (e: TailEvent) => boolean, timeoutMs?: number): Promise<TailEvent>;
  /** Sends a signal and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnTail(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): TailProcess {
  const child = spawn(process.execPath, [BIN, 'tail', ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let partial = '';
  const events: TailEvent[] = [];
  const waiters = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) {
      if (l.startsWith('{')) events.push(JSON.parse(l) as TailEvent);
    }
    for (const w of waiters) w();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  exited.then(() => waiters.forEach((w) => w()));
  let gone = false;
  void exited.then(() => (gone = true));

  return {
    child,
    events,
    stdout: () => out,
    stderr: () => err,
    waitFor(pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred);
          if (hit) {
            done();
            resolve(hit);
          } else if (gone) {
            done();
            reject(new Error(`tail exited before the event came\nstdout:\n${out}\nstderr:\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for an event\nstdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGINT') {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}

/** Starts tail with --json on ephemeral ports; resolves once it listens. */
/** A port free on 127.0.0.1 now: for `tail --quiet`, which prints no `listening` event. */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function startTail(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const tail = spawnTail(['--http-port', '0', '--grpc-port', '0', '--json', ...args], opts);
  const listening = (await tail.waitFor((e) => e.event === 'listening')) as TailEvent & {
    http: { host: string; port: number };
    grpc: { host: string; port: number } | null;
    store: string | null;
  };
  return { tail, listening };
}

/**
 * An agent run through the SDK with one export per span (SimpleSpanProcessor), as an app with
 * short-lived spans sends them: the trace arrives in 4 requests, children first, root last.
 */
export async function exportAgentRun(exporter: SpanExporter, service = 'tail-e2e'): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('tail-e2e');
  // Explicit times (ms apart) so siblings have one order in every tree.
  const t0 = Date.now();
  const at = (ms: number) => new Date(t0 + ms);
  const root = tracer.startSpan('invoke_agent research', {
    startTime: at(0),
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'research', 'app.feature': 'research' },
  });
  const ctx = trace.setSpan(context.active(), root);
  const chat = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      startTime: at(1),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 23,
        'gen_ai.usage.cache_read.input_tokens': 11,
        'gen_ai.usage.output_tokens': 12,
        'gen_ai.response.finish_reasons': ['tool_calls'],
        'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"What is OTLP?"}]}]',
      },
    },
    ctx,
  );
  chat.end(at(30));
  const tool = tracer.startSpan('execute_tool search_docs', { startTime: at(31), attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search_docs' } }, ctx);
  tool.end(at(35));
  const chat2 = tracer.startSpan(
    'chat gpt-4o-mini',
    {
      kind: SpanKind.CLIENT,
      startTime: at(36),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 46,
        'gen_ai.usage.output_tokens': 7,
        'gen_ai.response.finish_reasons': ['stop'],
      },
    },
    ctx,
  );
  chat2.end(at(50));
  root.end(at(60));
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}
