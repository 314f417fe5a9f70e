/**
 * Untrusted span data never reaches a terminal raw (docs/architecture.md, "Terminal safety").
 * One payload carries every control class — C0, CSI/OSC (title, clear screen, OSC 52 clipboard),
 * C1, bidi overrides and isolates, line separators and newlines — and is put into every field a
 * command prints: span, service, model, tool, status message, error type, finish reason, event
 * name, attribute key and value, feature, and a file name in an error message. Each command runs in
 * every format, with colors on and off; text outputs may carry only our own styles, machine
 * formats only their own escapes (and keep the data exact).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { spawnTail, startTail } from '../helpers/tail-process.js';

const PAYLOAD = [
  '«',
  '\u0007\u0000\u0008\r\t', // C0: bell, NUL, backspace, carriage return, tab
  '\u001b[2J\u001b[5m\u001b[38;5;196m', // CSI: clear screen, blink, a color we never use
  '\u001b]0;PWNED\u0007\u001b]52;c;aGk=\u0007', // OSC: window title, clipboard write
  '\u009b2J\u009d0;T\u009c\u0085', // C1: CSI, OSC, ST, NEL
  '\u202eRTL\u202c\u2066iso\u2069\u061c\u200e\u200f', // bidi overrides, isolates and marks
  '\u2028\u2029\nFORGED', // line breaks: a forged line would start with FORGED
  '»',
].join('');
/** The payload where a command-line argument or a file name carries it (no NUL there, nor `/`). */
const ARG_PAYLOAD = PAYLOAD.replace(/[\u0000/]/g, '');

/** Our styles: bold, dim, colors 31–37, and their resets. Nothing else may be a raw ESC sequence. */
const OUR_STYLE = /\u001b\[(?:1|2|22|3[1-7]|39)m/g;
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** What a terminal would act on in `text`, besides newlines and our own styles. */
function rawControls(text: string): string | undefined {
  const m = RAW.exec(text.replace(OUR_STYLE, ''));
  if (!m) return undefined;
  const at = m.index;
  return JSON.stringify(text.replace(OUR_STYLE, '').slice(Math.max(0, at - 30), at + 30));
}

function expectTerminalSafe(text: string, what: string): void {
  expect(rawControls(text), `${what}: raw control`).toBeUndefined();
  expect(/^FORGED/m.test(text), `${what}: a payload newline started a line`).toBe(false);
}

const attr = (key: string, value: string | number) =>
  typeof value === 'number' ? { key, value: { intValue: String(value) } } : { key, value: { stringValue: value } };

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const ns = (ms: number) => String(1_795_315_098_000_000_000n + BigInt(ms) * 1_000_000n);

function otlpDocument(): Record<string, unknown> {
  const base = { traceId: TRACE, kind: 3, flags: 1 };
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', `svc${PAYLOAD}`)] },
        scopeSpans: [
          {
            scope: { name: 'scope' },
            spans: [
              { ...base, spanId: 'b7ad6b7169203331', name: `invoke_agent ${PAYLOAD}`, kind: 1, startTimeUnixNano: ns(0), endTimeUnixNano: ns(900), attributes: [attr('gen_ai.operation.name', 'invoke_agent'), attr('gen_ai.agent.name', `agent${PAYLOAD}`), attr('app.feature', `feature${PAYLOAD}`)], status: {} },
              {
                ...base,
                spanId: '00f067aa0ba902b7',
                parentSpanId: 'b7ad6b7169203331',
                name: `chat ${PAYLOAD}`,
                startTimeUnixNano: ns(10),
                endTimeUnixNano: ns(400),
                attributes: [
                  attr('gen_ai.operation.name', 'chat'),
                  attr('gen_ai.provider.name', 'openai'),
                  attr('gen_ai.request.model', `model${PAYLOAD}`),
                  attr('gen_ai.response.model', `model${PAYLOAD}`),
                  attr('gen_ai.usage.input_tokens', 120),
                  attr('gen_ai.usage.output_tokens', 30),
                  { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: `stop${PAYLOAD}` }] } } },
                  attr(`key${ARG_PAYLOAD}`, `value${PAYLOAD}`),
                ],
                events: [{ timeUnixNano: ns(200), name: `event${PAYLOAD}`, attributes: [] }],
                status: {},
              },
              {
                ...base,
                spanId: '00f067aa0ba902b8',
                parentSpanId: 'b7ad6b7169203331',
                name: `execute_tool ${PAYLOAD}`,
                kind: 1,
                startTimeUnixNano: ns(410),
                endTimeUnixNano: ns(500),
                attributes: [attr('gen_ai.operation.name', 'execute_tool'), attr('gen_ai.tool.name', `tool${PAYLOAD}`), attr('error.type', `error${PAYLOAD}`)],
                status: { code: 2, message: `status${PAYLOAD}` },
              },
              {
                ...base,
                spanId: '00f067aa0ba902b9',
                parentSpanId: 'b7ad6b7169203331',
                name: `chat ${PAYLOAD}`,
                startTimeUnixNano: ns(510),
                endTimeUnixNano: ns(800),
                attributes: [attr('gen_ai.operation.name', 'chat'), attr('gen_ai.provider.name', 'openai'), attr('gen_ai.request.model', `model${PAYLOAD}`), attr('error.type', `429${PAYLOAD}`)],
                status: { code: 2, message: `rate limited${PAYLOAD}` },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** GenAI client metrics of a service that sends no spans: `stats` shows their attributes. */
function otlpMetricsDocument(): Record<string, unknown> {
  const point = (extra: ReturnType<typeof attr>[]) => ({
    attributes: [attr('gen_ai.operation.name', `chat${PAYLOAD}`), attr('gen_ai.provider.name', `prov${PAYLOAD}`), attr('gen_ai.request.model', `model${PAYLOAD}`), ...extra],
    startTimeUnixNano: ns(0),
    timeUnixNano: ns(60_000),
    count: '2',
    sum: 1.5,
    bucketCounts: ['1', '1'],
    explicitBounds: [1],
  });
  return {
    resourceMetrics: [
      {
        resource: { attributes: [attr('service.name', `metrics${PAYLOAD}`)] },
        scopeMetrics: [
          {
            scope: { name: `scope${PAYLOAD}` },
            metrics: [
              { name: 'gen_ai.client.operation.duration', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [point([]), point([attr('error.type', `429${PAYLOAD}`)])] } },
              { name: 'gen_ai.client.operation.time_to_first_chunk', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [point([])] } },
            ],
          },
        ],
      },
    ],
  };
}

let dir: string;
let file: string;
let metricsFile: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'llmtrace-escape-'));
  file = path.join(dir, 'dump.jsonl');
  writeFileSync(file, `${JSON.stringify(otlpDocument())}\n`);
  metricsFile = path.join(dir, 'metrics.jsonl');
  writeFileSync(metricsFile, `${JSON.stringify(otlpMetricsDocument())}\n`);
});

/** Markdown as GitHub shows it: CommonMark's backslash escapes of ASCII punctuation taken out. */
const asRendered = (markdown: string) => markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1');

const COLORS: Record<string, Record<string, string>> = { color: { FORCE_COLOR: '1', NO_COLOR: '' }, 'no color': {} };

describe('terminal safety: untrusted strings in every printed field', () => {
  const textRuns: [string, string[]][] = [
    ['cost table', ['cost', '--by', 'feature,model,service,provider,operation', '--feature-key', 'app.feature']],
    ['cost markdown', ['cost', '--by', 'feature,model,service', '--feature-key', 'app.feature', '--format', 'markdown']],
    ['cost csv', ['cost', '--by', 'feature,model,service', '--feature-key', 'app.feature', '--format', 'csv']],
    ['stats table', ['stats', '--by', 'feature,model,service,provider,operation', '--feature-key', 'app.feature']],
    ['stats markdown', ['stats', '--by', 'feature,model,service', '--feature-key', 'app.feature', '--format', 'markdown']],
    ['stats csv', ['stats', '--by', 'feature,model,service', '--feature-key', 'app.feature', '--format', 'csv']],
    ['tree', ['tree', '--attrs', `key${ARG_PAYLOAD},gen_ai.request.model`, '--events']],
    ['tree timeline', ['tree', '--timeline']],
    ['lint stylish', ['lint']],
    ['lint github', ['lint', '--format', 'github']],
  ];
  for (const [name, args] of textRuns) {
    for (const [mode, env] of Object.entries(COLORS)) {
      it(`${name} (${mode}): stdout and stderr carry no raw control`, async () => {
        const r = await runCli([...args, file], { env });
        expect(r.stdout.length, r.stderr).toBeGreaterThan(0);
        // CSV keeps a value's line break inside its quotes (RFC 4180); everything else is one field a line.
        if (name.endsWith(' csv')) expect(rawControls(r.stdout)).toBeUndefined();
        else expectTerminalSafe(r.stdout, 'stdout');
        expectTerminalSafe(r.stderr, 'stderr');
        // What was escaped is still there to read (annotations drop controls instead; markdown as rendered).
        const stdout = name.endsWith(' markdown') ? asRendered(r.stdout) : r.stdout;
        expect(stdout + r.stderr).toContain(name === 'lint github' ? ']0;PWNED' : '\\x1b]0;PWNED');
      });
    }
  }

  it('github annotations: one line each, control characters dropped, CR/LF percent-encoded', async () => {
    const r = await runCli(['lint', '--format', 'github', file]);
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations.length).toBeGreaterThan(0);
    for (const a of annotations) {
      expect(rawControls(a)).toBeUndefined();
      expect(a).not.toContain('\\x1b'); // dropped, not escaped: an annotation is plain text
    }
    expect(r.stdout).toContain('%0AFORGED');
  });

  const jsonRuns: [string, string[]][] = [
    ['cost json', ['cost', '--by', 'feature,model,service', '--feature-key', 'app.feature', '--format', 'json']],
    ['stats json', ['stats', '--by', 'feature,model,service', '--feature-key', 'app.feature', '--format', 'json']],
    ['tree json', ['tree', '--format', 'json']],
    ['lint json', ['lint', '--format', 'json']],
    ['lint sarif', ['lint', '--format', 'sarif']],
  ];
  for (const [name, args] of jsonRuns) {
    it(`${name}: valid JSON, only JSON escapes, the data kept exactly`, async () => {
      const r = await runCli([...args, file]);
      expect(rawControls(r.stdout)).toBeUndefined();
      expectTerminalSafe(r.stderr, 'stderr');
      const doc = JSON.parse(r.stdout) as unknown;
      expect(JSON.stringify(doc)).toContain(JSON.stringify(PAYLOAD).slice(1, -1));
    });
  }

  // Metrics attributes (service, model, provider, operation, error type) reach the same cells and notes.
  for (const format of ['table', 'markdown', 'csv', 'json']) {
    for (const [mode, env] of Object.entries(COLORS)) {
      it(`stats over metrics ${format} (${mode}): stdout and stderr carry no raw control`, async () => {
        const r = await runCli(['stats', '--by', 'service,model,provider,operation', '--format', format, metricsFile], { env });
        expect(r.code, r.stderr).toBe(0);
        if (format === 'json' || format === 'csv') expect(rawControls(r.stdout)).toBeUndefined();
        else expectTerminalSafe(r.stdout, 'stdout');
        expectTerminalSafe(r.stderr, 'stderr');
        if (format === 'json') expect(JSON.stringify(JSON.parse(r.stdout))).toContain(JSON.stringify(PAYLOAD).slice(1, -1));
        else expect((format === 'markdown' ? asRendered(r.stdout) : r.stdout) + r.stderr).toContain('\\x1b]0;PWNED');
      });
    }
  }

  it('a file name in an error message is escaped', async () => {
    const missing = path.join(dir, `missing${ARG_PAYLOAD}.jsonl`);
    for (const cmd of ['cost', 'stats', 'tree', 'lint']) {
      const r = await runCli([cmd, missing]);
      expect(r.code).toBe(2);
      expectTerminalSafe(r.stderr, `${cmd} stderr`);
      expectTerminalSafe(r.stdout, `${cmd} stdout`);
      // lint reports the unreadable file as a finding, the others on stderr.
      expect(r.stdout + r.stderr).toContain('missing«');
    }
  });
});

describe('terminal safety: tail', () => {
  async function post(port: number, body: string): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.arrayBuffer();
    return res.status;
  }

  for (const [mode, env] of Object.entries(COLORS)) {
    it(`text lines, the rejected reason and the summary (${mode})`, async () => {
      const tail = spawnTail(['--http-port', '0', '--no-grpc', '--no-store'], { env });
      await waitUntil(() => /http:\/\/127\.0\.0\.1:\d+/.test(tail.stdout() + tail.stderr()));
      const port = Number(/http:\/\/127\.0\.0\.1:(\d+)/.exec(tail.stdout() + tail.stderr())![1]);
      expect(await post(port, JSON.stringify(otlpDocument()))).toBe(200);
      // V8's parse error quotes the body: the reason tail prints for this rejection carries the payload.
      expect(await post(port, `{"resourceSpans": ${PAYLOAD}`)).toBe(400);
      await waitUntil(() => tail.stdout().includes('tool') && tail.stderr().includes('rejected'));
      expect(await tail.stop('SIGINT')).toBe(0);
      expectTerminalSafe(tail.stdout(), 'stdout');
      expectTerminalSafe(tail.stderr(), 'stderr');
      expect(tail.stdout() + tail.stderr()).toContain('\\x1b');
    });
  }

  it('--json events: only JSON escapes, the data kept exactly', async () => {
    const { tail, listening } = await startTail(['--no-store']);
    expect(await post(listening.http.port, JSON.stringify(otlpDocument()))).toBe(200);
    expect(await post(listening.http.port, `{"resourceSpans": ${PAYLOAD}`)).toBe(400);
    await tail.waitFor((e) => e.event === 'rejected');
    await tail.waitFor((e) => e.event === 'trace');
    expect(await tail.stop('SIGINT')).toBe(0);
    expect(rawControls(tail.stdout())).toBeUndefined();
    expectTerminalSafe(tail.stderr(), 'stderr');
    const spans = tail.events.filter((e) => e.event === 'span');
    expect(JSON.stringify(spans)).toContain(JSON.stringify(PAYLOAD).slice(1, -1));
  });
});

async function waitUntil(ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

