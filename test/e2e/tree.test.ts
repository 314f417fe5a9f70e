import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeDeepChain } from '../../bench/lib/deep-chain.mjs';
import { BIN, runCli } from '../helpers/cli.js';
import { tempDir, writeTemp } from '../helpers/read-all.js';

const CAPTURES = path.resolve('fixtures/shared/captures');
const AGENT_LINES = [
  // gpt-4o: (23 − 11) × $2.50 + 11 × $1.25 + 12 × $10 per 1M = $0.00016375
  /^agent\.research .*∑ 85 → 19 tok \(11 cached\) {2}∑ \$0\.000175$/,
  /^├─ chat gpt-4o .*llm {2}gpt-4o {2}23 → 12 tok \(11 cached\) {2}\$0\.000164 {2}tool_calls$/,
  /^├─ execute_tool search_docs .*tool$/,
  /^├─ chat gpt-4o-mini .*46 → 7 tok {2}\$0\.0000111 {2}stop$/,
  /^└─ embeddings text-embedding-3-small .*16 tok in {2}\$0\.00000032$/,
];

function treeLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l && !l.startsWith('trace '));
}

describe('llmtrace tree (built binary)', () => {
  it.each(['manual-agent-http-proto.bin', 'manual-agent-grpc.bin', 'manual-agent-http-json.json'])('draws agent.research from the capture %s', async (file) => {
    const r = await runCli(['tree', path.join(CAPTURES, file)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = treeLines(r.stdout);
    expect(lines).toHaveLength(5);
    AGENT_LINES.forEach((re, i) => expect(lines[i]).toMatch(re));
  });

  it('leaves a span whose start is unset (0) out of the header\'s start and duration, with a note', async () => {
    // fixtures/unset-start.json: the manual agent capture with agent.research's start set to 0.
    const r = await runCli(['tree', 'fixtures/unset-start.json', '--timeline']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    // Start: chat gpt-4o's (02:38:18.142), not 1970; duration to embeddings' end (.194915183).
    expect(lines[0]).toMatch(/ · 53ms · 2026-11-22 02:38:18\.142 UTC$/);
    expect(lines[1]).toBe("⚠ 1 span has no start time (0): duration ? and left out of the trace's start and duration");
    expect(lines[2]).toMatch(/^agent\.research {2}\? {2}∑ .*│\? +│$/);
    // The timeline spans the timed spans: chat gpt-4o's bar starts at the left edge.
    expect(lines[3]).toMatch(/│█+ +│$/);
    const json = JSON.parse((await runCli(['tree', 'fixtures/unset-start.json', '--format', 'json'])).stdout);
    const t = json.traces[0];
    expect([t.startTime, t.durationMs, t.unsetStarts]).toEqual(['2026-11-22T02:38:18.142000000Z', 52.915183, 1]);
    expect([t.roots[0].startTime, t.roots[0].durationMs]).toEqual([null, null]);
  });

  it('gives a span that ends before it starts no duration, as stats does, and never a negative trace duration', async () => {
    // fixtures/end-before-start-call.json: a call alone in its trace ending 5 ms before its start;
    // a 100 ms root whose tool child ends 90 ms before its start. `stats` counts the call in
    // unknownDurations (span.ts durationKnown); tree drew -5.0ms and -90ms.
    const file = 'fixtures/end-before-start-call.json';
    const stats = JSON.parse((await runCli(['stats', '--format', 'json', file])).stdout);
    expect([stats.unknownDurations, stats.rows[0].latencyMs]).toEqual([1, null]);
    const r = await runCli(['tree', file, '--timeline']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(r.stdout).not.toMatch(/ -\d/);
    expect(lines[0]).toMatch(/^trace 0+e0b5a1 · clock-skew · 1 span · 1 call · \? · 2026-11-22 02:38:18\.000 UTC$/);
    expect(lines[1]).toBe('⚠ 1 span ends before it starts: duration ?');
    expect(lines[2]).toMatch(/^chat gpt-4o {2}\? {2}llm .*│\? +│$/);
    expect(lines[4]).toMatch(/^trace 0+e0b5a2 · clock-skew · 2 spans · 0 calls · 100ms · /);
    expect(lines[5]).toBe('⚠ 1 span ends before it starts: duration ?');
    expect(lines[7]).toMatch(/^└─ execute_tool search {2}\? {2}tool .*│\? +│$/);
    const json = JSON.parse((await runCli(['tree', '--format', 'json', file])).stdout);
    const [call, tool] = json.traces;
    expect([call.startTime, call.durationMs, call.endsBeforeStart]).toEqual(['2026-11-22T02:38:18.000000000Z', null, 1]);
    expect([call.roots[0].startTime, call.roots[0].durationMs]).toEqual(['2026-11-22T02:38:18.000000000Z', null]);
    expect([tool.durationMs, tool.endsBeforeStart, tool.roots[0].durationMs, tool.roots[0].children[0].durationMs]).toEqual([100, 1, 100, null]);
  });

  it('renders the same tree from the Jaeger UI and Zipkin forms of the trace', async () => {
    const otlp = await runCli(['tree', path.join(CAPTURES, 'manual-agent-http-json.json')]);
    for (const f of ['fixtures/agent-jaeger.json', 'fixtures/agent-zipkin.json']) {
      const r = await runCli(['tree', f]);
      expect(r.code).toBe(0);
      // Jaeger and Zipkin carry microseconds: compare everything but the durations.
      const strip = (s: string) => treeLines(s).map((l) => l.replace(/\s+\d+(\.\d+)?(µs|ms|s)\b/g, ''));
      expect(strip(r.stdout)).toEqual(strip(otlp.stdout));
    }
  });

  it('renders one tree per trace from a dump whose traces are spread over shuffled lines', async () => {
    const captures = ['manual-agent-http-json.json', 'official-agent-http-json.json', 'manual-error-http-json.json'];
    const lines: string[] = [];
    for (const c of captures) {
      const doc = JSON.parse(readFileSync(path.join(CAPTURES, c), 'utf8'));
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) {
        lines.push(JSON.stringify({ resourceSpans: [{ resource: rs.resource, scopeSpans: [{ scope: ss.scope, spans: [s] }] }] }));
      }
    }
    // A fixed shuffle so the test is deterministic.
    const shuffled = lines.map((l, i) => [(i * 7919) % lines.length, l] as const).sort((a, b) => a[0] - b[0]).map(([, l]) => l);
    const file = writeTemp('shuffled.jsonl', shuffled.join('\n') + '\n');
    const r = await runCli(['tree', file]);
    expect(r.code).toBe(0);
    const headers = r.stdout.split('\n').filter((l) => l.startsWith('trace '));
    expect(headers).toHaveLength(3);
    expect(r.stdout).not.toContain('incomplete');
    const json = await runCli(['tree', file, '--format', 'json']);
    const doc = JSON.parse(json.stdout);
    expect(doc.traces.map((t: { spanCount: number }) => t.spanCount).sort()).toEqual([2, 5, 5]);
    for (const t of doc.traces) expect(t.roots).toHaveLength(1);
  });

  function chainFile(n: number, cycle = false): string {
    const file = path.join(tempDir(), 'deep.json');
    writeDeepChain(file, n, { cycle });
    return file;
  }

  it('renders a 10,000-deep chain as text and as JSON without a stack overflow', async () => {
    const file = chainFile(10_000);
    const text = await runCli(['tree', file], { env: { COLUMNS: '100' } });
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10_001);
    expect(lines.at(-1)).toMatch(/step 9999/);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    const json = await runCli(['tree', file, '--format', 'json']);
    expect(json.code).toBe(0);
    let node = JSON.parse(json.stdout).traces[0].roots[0];
    let depth = 0;
    while (node.children.length) {
      node = node.children[0];
      depth++;
    }
    expect(depth).toBe(9_999);
  });

  it('renders a 100,000-span parent cycle as text: cut once, one line per span, elided levels counted', async () => {
    const text = await runCli(['tree', chainFile(100_000, true)], { env: { COLUMNS: '100' } });
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 100_000);
    expect(lines[1]).toMatch(/1 parent cycle cut/);
    expect(lines[2]).toMatch(/\(parent cycle cut\)$/);
    // 100 columns draw 11 guide levels; the deepest span has 99,998 levels above its own guide.
    expect(lines.at(-1)).toMatch(/^┆99987┆ ( {3}){11}└─ step \d+ /);
  });

  it('draws a parent cycle the same from any split and order of its spans (text and JSON)', async () => {
    // Scenario: two chat spans that name each other as parent, from two services, one per file.
    const line = (id: string, parent: string, service: string, start: number) =>
      JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans: [{
        traceId: 'ab'.repeat(16), spanId: id.repeat(16), parentSpanId: parent.repeat(16), name: 'chat gpt-4o', kind: 3,
        startTimeUnixNano: String(1_780_000_000_000_000_000n + BigInt(start) * 1_000_000n), endTimeUnixNano: String(1_780_000_000_100_000_000n + BigInt(start) * 1_000_000n),
        attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }, { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } }],
      }] }] }] });
    const first = writeTemp('cycle-a.jsonl', line('a', 'b', 'svc-a', 0) + '\n');
    const second = writeTemp('cycle-b.jsonl', line('b', 'a', 'svc-b', 5) + '\n');
    for (const format of ['text', 'json']) {
      const ab = await runCli(['tree', first, second, '--format', format]);
      const ba = await runCli(['tree', second, first, '--format', format]);
      expect(ab.code).toBe(0);
      expect(ba.stdout).toBe(ab.stdout);
    }
    const text = await runCli(['tree', second, first]);
    // Cut above the span that starts first, so it is the root drawn, with its service.
    expect(text.stdout).toMatch(/^trace (ab){16} · svc-a · 2 spans/);
  });

  it('exits 2 with a one-line error on garbage', async () => {
    const r = await runCli(['tree', writeTemp('garbage.bin', Buffer.from([0xde, 0xad, 0xbe, 0xef]))]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/garbage\.bin: unrecognized format/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('exits 2 naming a file of unrecognized format, after drawing what it could read', async () => {
    const r = await runCli(['tree', path.join(CAPTURES, 'manual-stream-http-proto.bin'), writeTemp('notes.txt', 'not traces\n')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/chat gpt-4o-mini/);
    expect(r.stderr).toMatch(/notes\.txt: unrecognized format/);
    expect(r.stderr).toMatch(/1 unreadable/);
    // The closing error counts what was not read; it does not list the capture that was.
    expect(r.stderr).toContain('llmtrace: 1 input could not be read (named above): the trees leave it out');
    expect(r.stderr).not.toMatch(/could not be read \(.*manual-stream/);
  });

  it('exits 2 naming a missing file, after drawing what it could read', async () => {
    const r = await runCli(['tree', path.join(CAPTURES, 'manual-stream-http-proto.bin'), 'missing.jsonl']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/chat gpt-4o-mini/);
    expect(r.stderr).toMatch(/missing\.jsonl: no such file/);
  });

  it('selects traces by id prefix and by --last, and reads stdin', async () => {
    const dump = ['manual-agent-http-json.json', 'manual-error-http-json.json'].map((f) => readFileSync(path.join(CAPTURES, f), 'utf8').trim()).join('\n');
    const byPrefix = await runCli(['tree', '-', '--trace', 'DC2A5B'], { stdin: dump });
    expect(byPrefix.stdout.match(/^trace /gm)).toHaveLength(1);
    expect(byPrefix.stdout).toMatch(/✗ 429/);
    const none = await runCli(['tree', '-', '--trace', 'ffff'], { stdin: dump });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no trace matches/);
    const last = await runCli(['tree', '-', '--last', '1'], { stdin: dump });
    expect(last.stdout.match(/^trace /gm)).toHaveLength(1);
  });

  it('limits depth and rejects bad flag values with exit 2', async () => {
    const file = path.join(CAPTURES, 'manual-agent-http-json.json');
    const shallow = await runCli(['tree', file, '--depth', '0']);
    expect(shallow.stdout).toMatch(/… 4 more spans below/);
    // JSON says so too: a node whose children are hidden is not a leaf.
    const json = JSON.parse((await runCli(['tree', file, '--depth', '0', '--format', 'json'])).stdout);
    expect(json.traces[0].roots[0]).toMatchObject({ children: [], hiddenSpans: 4 });
    const full = JSON.parse((await runCli(['tree', file, '--format', 'json'])).stdout);
    expect(JSON.stringify(full)).not.toContain('hiddenSpans');
    for (const bad of [['--depth', '-1'], ['--last', '0'], ['--format', 'xml'], ['--trace', 'xyz']]) {
      const r = await runCli(['tree', file, ...bad]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^llmtrace: /);
    }
  });

  it('reads the local store when given no source', async () => {
    const store = tempDir();
    writeFileSync(path.join(store, 'traces-20261122T02.jsonl'), readFileSync(path.join(CAPTURES, 'manual-agent-http-json.json'), 'utf8').trim() + '\n');
    const r = await runCli(['tree', '--store', store]);
    expect(r.code).toBe(0);
    expect(treeLines(r.stdout)[0]).toMatch(AGENT_LINES[0]!);
    const viaEnv = await runCli(['tree'], { env: { LLMTRACE_STORE: store } });
    expect(viaEnv.stdout).toBe(r.stdout);
    const missing = await runCli(['tree'], { cwd: tempDir() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no local store/);
  });

  it('prints --version and --help quickly with exit 0', async () => {
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await runCli(['tree', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/Examples:/);
  });
});

describe('tree in bounded memory', () => {
  /** The three captures as one dump of single-span lines in a fixed shuffle, with a log event line. */
  function shuffledDump(): string {
    const lines: string[] = [];
    for (const c of ['manual-agent-http-json.json', 'official-agent-http-json.json', 'manual-error-http-json.json']) {
      const doc = JSON.parse(readFileSync(path.join(CAPTURES, c), 'utf8'));
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) {
        lines.push(JSON.stringify({ resourceSpans: [{ resource: rs.resource, scopeSpans: [{ scope: ss.scope, spans: [s] }] }] }));
      }
    }
    return lines.map((l, i) => [(i * 7919) % lines.length, l] as const).sort((a, b) => a[0] - b[0]).map(([, l]) => l).join('\n') + '\n';
  }

  it('prints byte for byte the same when its traces spill to disk, and leaves no temporary file', async () => {
    const file = writeTemp('shuffled.jsonl', shuffledDump());
    const tmp = tempDir();
    for (const format of ['text', 'json']) {
      const held = await runCli(['tree', file, '--format', format, '--attrs', 'service.name'], { env: { LLMTRACE_TMPDIR: tmp } });
      expect(held.code).toBe(0);
      expect(held.stderr).toBe('');
      const spilled = await runCli(['tree', file, '--format', format, '--attrs', 'service.name', '--memory', '1B'], { env: { LLMTRACE_TMPDIR: tmp } });
      expect(spilled.code).toBe(0);
      expect(spilled.stdout).toBe(held.stdout);
      expect(spilled.stderr).toMatch(/^llmtrace: note: the traces outgrew --memory 1 B; \d+ kB of them went through temporary files/);
    }
    // A run that ends in an error (exit 2, a missing input) removes them too.
    const failed = await runCli(['tree', file, 'missing.jsonl', '--memory', '1B'], { env: { LLMTRACE_TMPDIR: tmp } });
    expect(failed.code).toBe(2);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('prints the newest N from stdin (gzipped too) as from a file, and counts calls in each header', async () => {
    const dump = shuffledDump();
    const file = writeTemp('dump.jsonl', dump);
    const tmp = tempDir();
    const fromFile = await runCli(['tree', file, '--last', '2']);
    expect(fromFile.stdout.match(/^trace /gm)).toHaveLength(2);
    expect(fromFile.stderr).toMatch(/showing the newest 2 of 3 traces/);
    const fromStdin = await runCli(['tree', '-', '--last', '2'], { stdin: gzipSync(dump), env: { LLMTRACE_TMPDIR: tmp } });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    expect(readdirSync(tmp)).toEqual([]);
    const all = await runCli(['tree', file]);
    expect(all.stdout.endsWith(fromFile.stdout)).toBe(true);
    // The error capture: one failed call without usage, counted as a call as `cost` does.
    expect(all.stdout).toMatch(/^trace dc2a5b5e8e00517a7b890a530d0af5f1 · llmtrace-peer-manual · 2 spans · 1 call · /m);
    expect(all.stdout).toMatch(/^trace ceffef6e43d1d9305c60ffa28f785921 · llmtrace-peer-manual · 5 spans · 3 calls · /m);
    const json = JSON.parse((await runCli(['tree', file, '--format', 'json'])).stdout);
    expect(json.traces.map((t: { calls: number }) => t.calls).sort()).toEqual([1, 3, 3]);
  });

  it('rejects a garbage --memory with exit 2 and a clear message', async () => {
    const file = path.join(CAPTURES, 'manual-agent-http-json.json');
    for (const bad of ['lots', '12', '-5MiB', '0MiB', '5 parsecs', '2TB']) {
      const r = await runCli(['tree', file, '--memory', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^llmtrace: .*--memory must be a size with a unit \(e\.g\. 256MiB, 1GiB or 512MB\)/);
    }
  });

  it('removes its temporary files on Ctrl-C', async () => {
    const tmp = tempDir();
    // --last over stdin copies stdin to a temporary file first: interrupt it while stdin is open.
    const child = spawn(process.execPath, [BIN, 'tree', '-', '--last', '1'], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', LLMTRACE_TMPDIR: tmp }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.write(readFileSync(path.join(CAPTURES, 'manual-agent-http-json.json')));
    for (let i = 0; i < 100 && readdirSync(tmp).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(tmp)).toHaveLength(1);
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    child.kill('SIGINT');
    expect(await exit).toBe('SIGINT');
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('GenAI log events under their span', () => {
  it('counts span and log events per node and lists them with --events (names only)', async () => {
    const store = tempDir();
    const capture = readFileSync(path.join(CAPTURES, 'manual-agent-http-json.json'), 'utf8').trim();
    const chat = JSON.parse(capture).resourceSpans[0].scopeSpans[0].spans.find((s: { name: string }) => s.name === 'chat gpt-4o');
    const log = {
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'llmtrace-peer-manual' } }] },
        scopeLogs: [{ scope: { name: 'x' }, logRecords: [{
          timeUnixNano: String(BigInt(chat.startTimeUnixNano) + 5_000_000n),
          eventName: 'gen_ai.choice', traceId: chat.traceId, spanId: chat.spanId,
          body: { stringValue: 'SECRET COMPLETION' },
        }] }],
      }],
    };
    writeFileSync(path.join(store, 'traces-20261122T02.jsonl'), `${capture}\n`);
    writeFileSync(path.join(store, 'logs-20261122T02.jsonl'), `${JSON.stringify(log)}\n`);
    const r = await runCli(['tree', '--store', store]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/├─ chat gpt-4o .*◦ 1 event$/m);
    const listed = await runCli(['tree', '--store', store, '--events']);
    expect(listed.stdout).toMatch(/│ {5}◦ gen_ai\.choice \+5\.0ms \(log\)/);
    expect(listed.stdout).not.toContain('SECRET');
  });

  it('--format json carries each node’s cost as the text shows it, and the trace’s as `cost --by trace` counts it', async () => {
    const file = path.join(CAPTURES, 'manual-agent-http-json.json');
    const json = await runCli(['tree', file, '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const t = JSON.parse(json.stdout).traces[0];
    const byTrace = JSON.parse((await runCli(['cost', file, '--by', 'trace', '--format', 'json'])).stdout).rows[0];
    expect(t.cost).toBe(byTrace.cost);
    const [root] = t.roots;
    expect(root.subtreeCost).toBe(byTrace.cost);
    const chat = root.children.find((c: { name: string }) => c.name === 'chat gpt-4o');
    // (23 − 11) × $2.50 + 11 × $1.25 + 12 × $10 per 1M, as the text's $0.000164
    expect(chat).toMatchObject({ cost: 0.00016375, subtreeCost: 0.00016375 });
    expect(root).not.toHaveProperty('cost'); // no call of its own, as it has no usage of its own
    const tool = root.children.find((c: { kind: string }) => c.kind === 'tool');
    expect(tool).not.toHaveProperty('cost');
    expect(tool).not.toHaveProperty('subtreeCost');
  });
});
