/**
 * The usage readers (cost/signal-usage.ts) on untrusted input, as a user runs `cost`: garbage,
 * cut lines, wrong types and huge values in the store's logs and metrics files, and in dumps
 * given as sources. No crash; each problem names its file, line and field; the rest is read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';

const FIXTURE = path.resolve('test/fixtures/agents/claude-code/http-json-delta');
/** A real Claude Code logs request (three api_request events of 1391, 1545 and 1699 input tokens) and its metrics. */
const LOGS = readFileSync(path.join(FIXTURE, '003-logs.json'), 'utf8').trim();
const FIRST_LOGS = readFileSync(path.join(FIXTURE, '001-logs.json'), 'utf8').trim();

type Doc = { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ attributes: Array<{ key: string; value: Record<string, unknown> }> }> }> }> };

/** The logs request with one attribute of its first record replaced. */
function withAttribute(text: string, key: string, value: Record<string, unknown>): string {
  const doc = JSON.parse(text) as Doc;
  const rec = doc.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
  rec.attributes = rec.attributes.map((a) => (a.key === key ? { key, value } : a));
  return JSON.stringify(doc);
}

async function cost(store: string, ...args: string[]) {
  const r = await runCli(['cost', '--store', store, '--by', 'agent,model', '--format', 'json', ...args]);
  return { ...r, doc: r.stdout ? (JSON.parse(r.stdout) as { total: { calls: number; inputTokens: number; source: string } }) : undefined };
}

function inputsOf(text: string): number[] {
  const doc = JSON.parse(text) as Doc;
  return doc.resourceLogs.flatMap((rl) =>
    rl.scopeLogs.flatMap((sl) =>
      sl.logRecords.flatMap((r) => {
        const a = Object.fromEntries(r.attributes.map((x) => [x.key, Number(Object.values(x.value)[0])]));
        return 'input_tokens' in a ? [a.input_tokens! + a.cache_read_tokens! + a.cache_creation_tokens!] : [];
      }),
    ),
  );
}

describe('cost reads usage from bad logs and metrics lines, naming each', () => {
  const all = [...inputsOf(FIRST_LOGS), ...inputsOf(LOGS)];

  it('garbage, a cut line, an array and a request of the wrong signal are skipped with their line', async () => {
    const store = tempDir();
    const lines = [FIRST_LOGS, '{not json', '[1, 2]', '{"resourceSpans": []}', '"text"', LOGS, LOGS.slice(0, 200)];
    writeFileSync(path.join(store, 'logs-20261205T17.jsonl'), lines.join('\n')); // the last line has no newline: cut
    const r = await cost(store);
    const file = path.join(store, 'logs-20261205T17.jsonl');
    expect(r.stderr).toContain(`${file}:2: invalid JSON`);
    expect(r.stderr).toContain(`${file}:3: not an OTLP logs request`);
    expect(r.stderr).toContain(`${file}:4: not an OTLP logs request`);
    expect(r.stderr).toContain(`${file}:5: not an OTLP logs request`);
    expect(r.stderr).toContain(`${file}:7:`);
    expect(r.code).toBe(0);
    expect(r.doc!.total).toMatchObject({ calls: 3, inputTokens: all.reduce((a, b) => a + b, 0), source: 'events' });
  });

  it('a count of the wrong type names the field and counts 0 for it; the other events are read', async () => {
    const store = tempDir();
    const bad = withAttribute(FIRST_LOGS, 'cache_read_tokens', { stringValue: 'many' });
    writeFileSync(path.join(store, 'logs-20261205T17.jsonl'), `${bad}\n${LOGS}\n`);
    const r = await cost(store);
    expect(r.stderr).toContain(':1: resourceLogs[0].scopeLogs[0].logRecords[0].attributes.cache_read_tokens: claude_code.api_request: "many" is not a token count; counted as 0');
    expect(r.code).toBe(0);
    expect(r.doc!.total.inputTokens).toBe(all.reduce((a, b) => a + b, 0) - 237);
  });

  it('wrong value types (bool, array, kvlist, negative, huge) never crash and are never counted as tokens', async () => {
    for (const value of [{ boolValue: true }, { arrayValue: { values: [{ intValue: 5 }] } }, { kvlistValue: { values: [] } }, { intValue: -5 }, { doubleValue: 1e308 }, { stringValue: '9'.repeat(400) }]) {
      const store = tempDir();
      writeFileSync(path.join(store, 'logs-20261205T17.jsonl'), `${withAttribute(FIRST_LOGS, 'output_tokens', value)}\n`);
      const r = await cost(store);
      expect(r.code).toBe(0);
      const huge = 'doubleValue' in value || 'stringValue' in value;
      if (!huge) expect(r.stderr).toContain('attributes.output_tokens: claude_code.api_request:');
      // 1e308 and a 400-digit string are numbers: counted as written (finite), or refused when not.
      expect(Number.isFinite(r.doc!.total.inputTokens)).toBe(true);
    }
  });

  it('a metrics point of the wrong type or a negative count is named and skipped', async () => {
    const store = tempDir();
    const gauge = { resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] }, scopeMetrics: [{ metrics: [{ name: 'claude_code.token.usage', gauge: { dataPoints: [{ asInt: '5' }] } }] }] }] };
    const noValue = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'claude_code.token.usage', sum: { aggregationTemporality: 1, dataPoints: [{ asDouble: -5, attributes: [{ key: 'type', value: { stringValue: 'input' } }] }] } }] }] }] };
    writeFileSync(path.join(store, 'metrics-20261205T17.jsonl'), `${JSON.stringify(gauge)}\n${JSON.stringify(noValue)}\n`);
    writeFileSync(path.join(store, 'logs-20261205T17.jsonl'), `${LOGS}\n`);
    const r = await cost(store);
    expect(r.stderr).toContain('metrics-20261205T17.jsonl:1: resourceMetrics[0].scopeMetrics[0].metrics[0]: claude_code.token.usage is a gauge, expected a sum or a histogram; skipped');
    expect(r.stderr).toContain('metrics-20261205T17.jsonl:2: resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0]: claude_code.token.usage: -5 is not a token count; skipped');
    expect(r.code).toBe(0);
    expect(r.doc!.total.source).toBe('events');
  });

  it('a store with only garbage in its logs file: nothing read, exit 2, stdout empty', async () => {
    const store = tempDir();
    writeFileSync(path.join(store, 'logs-20261205T17.jsonl'), '{not json\n');
    const r = await runCli(['cost', '--store', store]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('logs-20261205T17.jsonl:1: invalid JSON');
  });
});

describe('cost reads the agents’ OTLP dumps given as files, JSON and protobuf', () => {
  it.each(['claude-code/grpc-delta', 'claude-code/http-json-delta', 'gemini-cli/grpc-cumulative', 'copilot-cli/chat-http-protobuf'])('%s: the files as recorded give the mock’s tokens', async (name) => {
    const dir = path.resolve('test/fixtures/agents', name);
    const requests = JSON.parse(readFileSync(path.join(dir, 'requests.json'), 'utf8')) as Array<{ file: string }>;
    const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')) as { totalsByModel: Record<string, { input: number; output: number; cacheRead: number }> };
    const r = await runCli(['cost', ...requests.map((q) => path.join(dir, q.file)), '--by', 'agent', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const t = Object.values(truth.totalsByModel)[0]!;
    expect((JSON.parse(r.stdout) as { total: Record<string, number> }).total).toMatchObject({ inputTokens: t.input, cacheReadTokens: t.cacheRead, outputTokens: t.output });
  });

  it('a protobuf file that is no OTLP request of any signal is named, exit 2', async () => {
    const store = tempDir();
    const file = path.join(store, 'garbage.pb');
    writeFileSync(file, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]));
    const r = await runCli(['cost', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: not a valid OTLP protobuf trace request`);
  });
});
