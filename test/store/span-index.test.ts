/**
 * The span index (docs/architecture.md "Span index"): `cost`/`stats --since/--until` over a store
 * `tail` wrote leave out the trace files that can add nothing to the window, and answer exactly
 * what reading every file answers. A file left out is never opened (it is overwritten with
 * garbage of the same size, and the answers do not move); a file whose index is behind, torn or
 * missing is read; spans without a start are still counted; a span received in an hour before
 * the window that starts inside it (an exporter's clock ahead, a batch stamped later than it was
 * sent) still counts, in `cost` and `stats`; an ancestor before the window is read with its call.
 */
import { appendFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATE_SWITCH, generateDump, writePricingFile } from '../cost/generate.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { hexId, spanWith } from '../helpers/span-factory.js';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import { otlpJsonTracesLine } from '../../src/lib/otlp/json-write.js';
import { emptyResource, newAttributes, spanStartsOf, type Span } from '../../src/lib/span.js';
import { storeFiles } from '../../src/lib/store/layout.js';
import { INDEX_DIR, spanIndexFile, traceFilesForWindow } from '../../src/lib/store/span-index.js';
import { createStoreWriter } from '../../src/lib/store/writer.js';

const HOUR = 3_600_000;
const H0 = DATE_SWITCH + 24 * HOUR; // the store's first hour
const HOURS = 8;
const NOW = new Date(H0 + HOURS * HOUR).toISOString();
const resource = { ...emptyResource(), attributes: Object.assign(newAttributes(), { 'service.name': 'svc' }) };

let dir: string;
let pricing: string;

beforeAll(() => {
  dir = tempDir();
  pricing = writePricingFile(dir);
});

interface Received {
  spans: Span[];
  receivedAt: number;
}

/** Writes the spans through the store writer, a line each, received at its time (as `tail` would). */
async function writeStore(store: string, lines: Received[]): Promise<void> {
  const w = createStoreWriter(store);
  for (const { spans, receivedAt } of lines) await w.append('traces', otlpJsonTracesLine(spans), new Date(receivedAt), spanStartsOf(spans));
  await w.close();
}

/** The same store without its index: every file is read (the answer to equal). */
function unindexedCopy(store: string): string {
  const copy = path.join(tempDir(), 'store');
  cpSync(store, copy, { recursive: true });
  rmSync(path.join(copy, INDEX_DIR), { recursive: true });
  return copy;
}

async function report(command: 'cost' | 'stats', store: string, window: string[]): Promise<{ doc: Record<string, unknown>; stderr: string }> {
  const extra = command === 'cost' ? ['--pricing', pricing, '--no-builtin-pricing'] : [];
  const r = await runCli([command, '--store', store, ...window, ...extra, '--format', 'json'], { env: { LLMTRACE_NOW: NOW } });
  expect(r.code, r.stderr).toBe(0);
  return { doc: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
}

const traceNames = (store: string) => storeFiles(readdirSync(store), 'traces').map((f) => f.name);

/** Overwrites a file with bytes of the same size that no reader could take for spans. */
function spoil(file: string): void {
  const size = statSync(file).size;
  writeFileSync(file, `${'x'.repeat(size - 1)}\n`);
}

describe('a store of several hours written by the store writer', () => {
  let store: string;
  let everything: string;

  beforeAll(async () => {
    // Generated traces (features from roots and ancestors, copies, usage on outer spans), their
    // spans in end-time batches received a little after their last end: traces cross hours.
    const dump = generateDump(dir, 7, { traces: 400, files: 1, fromMs: H0, spanDays: (HOURS - 1) / 24, layout: 'replicas' });
    const lines = readFileSync(dump.files[0]!, 'utf8').split('\n').filter((l) => l !== '').map((text) => {
      const spans = decodeOtlpJsonTraces(JSON.parse(text)).spans;
      const lastEnd = Math.max(...spans.map((s) => Number(s.endTimeUnixNano / 1_000_000n)));
      return { spans, receivedAt: lastEnd + 500 };
    });
    store = path.join(tempDir(), 'store');
    await writeStore(store, lines);
    everything = unindexedCopy(store);
    expect(traceNames(store).length).toBeGreaterThanOrEqual(HOURS - 1);
  }, 60_000);

  const windows = [['--since', '3h'], ['--since', '5h', '--until', '3h'], ['--until', '6h'], []];

  it('answers as reading every file does, for several windows, without opening the files left out', async () => {
    const answers = new Map<string, { doc: unknown; stderr: string }>();
    for (const w of windows) {
      for (const command of ['cost', 'stats'] as const) {
        const all = await report(command, everything, w);
        const some = await report(command, store, w);
        expect(some.doc, `${command} ${w.join(' ')}`).toEqual(all.doc);
        expect(some.stderr).toBe(all.stderr);
        answers.set(`${command} ${w.join(' ')}`, all);
      }
    }
    // Left out under --since 3h: the older hours not linked to it. Spoiled, they would be bad lines if opened.
    const names = traceNames(store);
    const sinceMs = Date.parse(NOW) - 3 * HOUR;
    const { read } = await traceFilesForWindow(store, names, { sinceMs });
    expect(read.length).toBeLessThan(names.length);
    expect(read.length).toBeGreaterThan(0);
    for (const name of names) if (!read.includes(name)) spoil(path.join(store, name));
    for (const command of ['cost', 'stats'] as const) {
      const { doc, stderr } = await report(command, store, ['--since', '3h']);
      expect({ doc, stderr }).toEqual(answers.get(`${command} --since 3h`));
    }
  }, 120_000);
});

function chat(trace: string, id: string, startMs: number, input: number, parent = '', attrs: Record<string, string> = {}): Span {
  const start = BigInt(startMs) * 1_000_000n;
  return spanWith({
    traceId: hexId(trace, 16),
    spanId: hexId(id),
    parentSpanId: parent === '' ? '' : hexId(parent),
    name: 'chat m-plain',
    startTimeUnixNano: start,
    endTimeUnixNano: start === 0n ? 0n : start + 300_000_000n,
    resource,
    attributes: Object.assign(newAttributes(), {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'm-plain',
      'gen_ai.usage.input_tokens': BigInt(input),
      'gen_ai.usage.output_tokens': 1n,
      ...attrs,
    }),
  });
}

function root(trace: string, id: string, startMs: number, feature: string): Span {
  const start = BigInt(startMs) * 1_000_000n;
  return spanWith({
    traceId: hexId(trace, 16),
    spanId: hexId(id),
    parentSpanId: '',
    name: 'agent run',
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(3 * HOUR) * 1_000_000n,
    resource,
    attributes: Object.assign(newAttributes(), { 'app.feature': feature }),
  });
}

const line = (...spans: Span[]) => otlpJsonTracesLine(spans);
const at = (receivedAt: number, ...spans: Span[]): Received => ({ spans, receivedAt });

/** A store of hourly files, each with one unrelated call of its hour, plus `more` lines. */
async function smallStore(more: Received[]): Promise<string> {
  const store = path.join(tempDir(), 'store');
  const base = Array.from({ length: HOURS }, (_, h) => at(H0 + h * HOUR + 120_000, chat(`t${h}`, `s${h}`, H0 + h * HOUR + 60_000, 1000 + h)));
  await writeStore(store, [...base, ...more].sort((a, b) => a.receivedAt - b.receivedAt));
  return store;
}

async function costs(store: string, window = ['--since', '1h']) {
  const all = await report('cost', unindexedCopy(store), window);
  const some = await report('cost', store, window);
  expect(some.doc).toEqual(all.doc);
  return some.doc as { total: Record<string, number>; rows: Array<Record<string, unknown>>; untimedCalls?: number };
}

async function readUnder(store: string, sinceMs: number): Promise<string[]> {
  return (await traceFilesForWindow(store, traceNames(store), { sinceMs })).read;
}

const LAST = H0 + (HOURS - 1) * HOUR; // --since 1h at NOW starts here
const hourName = (h: number) => `traces-${new Date(H0 + h * HOUR).toISOString().slice(0, 13).replace(/[-:]/g, '')}.jsonl`;

describe('which files the index leaves out', () => {
  it('reads only the window hour when nothing links the others to it', async () => {
    const store = await smallStore([]);
    expect(await readUnder(store, LAST)).toEqual([hourName(HOURS - 1)]);
    const doc = await costs(store);
    expect(doc.total).toMatchObject({ calls: 1, inputTokens: 1000 + HOURS - 1 });
  }, 60_000);

  it('counts a span received in an hour before the window that starts inside it (a clock ahead)', async () => {
    const ahead = at(H0 + HOUR + 5_000, chat('ahead', 'a1', LAST + 10 * 60_000, 7));
    const store = await smallStore([ahead]);
    expect(await readUnder(store, LAST)).toEqual([hourName(1), hourName(HOURS - 1)]);
    expect((await costs(store)).total).toMatchObject({ calls: 2, inputTokens: 1000 + HOURS - 1 + 7 });
    expect((await report('stats', store, ['--since', '1h'])).doc.total).toMatchObject({ calls: 2 });
  }, 60_000);

  it("reads an earlier file holding an ancestor of a call in the window: the call's feature is the root's", async () => {
    const early = at(H0 + 2 * HOUR + 2_000, root('long', 'r', H0 + 2 * HOUR + 1000, 'research'));
    const call = at(LAST + 2_000, chat('long', 'c', LAST + 1000, 5, 'r'));
    const store = await smallStore([early, call]);
    expect(await readUnder(store, LAST)).toEqual([hourName(2), hourName(HOURS - 1)]);
    const doc = await costs(store);
    expect(doc.rows.find((r) => r.feature === 'research')).toMatchObject({ calls: 1, inputTokens: 5 });
  }, 60_000);

  it('reads a file with a span without a start, and counts it as untimed', async () => {
    const untimed = at(H0 + 3 * HOUR + 5_000, chat('none', 'n', 0, 3));
    const store = await smallStore([untimed]);
    expect(await readUnder(store, LAST)).toEqual([hourName(3), hourName(HOURS - 1)]);
    expect((await costs(store)).untimedCalls).toBe(1);
  }, 60_000);

  it('--until leaves out files that start after it', async () => {
    const store = await smallStore([]);
    const { read } = await traceFilesForWindow(store, traceNames(store), { untilMs: H0 + 2 * HOUR });
    expect(read).toEqual([hourName(0), hourName(1)]);
    await costs(store, ['--until', `${HOURS - 2}h`]);
  }, 60_000);
});

describe('an index that does not cover its data file', () => {
  it('scans bytes appended after the last record (an index behind its file): a call in them counts', async () => {
    const store = await smallStore([]);
    // As if `tail` appended after its last record: the hour-2 file gets a call inside the window.
    appendFileSync(path.join(store, hourName(2)), line(chat('late', 'l', LAST + 5000, 11)));
    expect(await readUnder(store, LAST)).toEqual([hourName(2), hourName(HOURS - 1)]);
    expect((await costs(store)).total).toMatchObject({ calls: 2 });
  }, 60_000);

  it('reads a file whose uncovered end is a cut line, and reports it as reading everything does', async () => {
    const store = await smallStore([]);
    appendFileSync(path.join(store, hourName(2)), '{"resourceSpans":[{"resou');
    expect(await readUnder(store, LAST)).toEqual([hourName(2), hourName(HOURS - 1)]);
    const r = await runCli(['cost', '--store', store, '--since', '1h', '--pricing', pricing, '--format', 'json'], { env: { LLMTRACE_NOW: NOW } });
    const all = await runCli(['cost', '--store', unindexedCopy(store), '--since', '1h', '--pricing', pricing, '--format', 'json'], { env: { LLMTRACE_NOW: NOW } });
    expect(r.stdout).toBe(all.stdout);
    expect(JSON.parse(r.stdout).skipped).toMatchObject({ badRecords: 1 });
  }, 60_000);

  it('takes a torn index line for uncovered bytes, which are scanned', async () => {
    const store = await smallStore([]);
    const index = spanIndexFile(store, hourName(2));
    const text = readFileSync(index, 'utf8');
    writeFileSync(index, text.slice(0, text.length - 10)); // the last record torn
    expect(await readUnder(store, LAST)).toEqual([hourName(HOURS - 1)]);
    await costs(store);
  }, 60_000);

  it('reads every file when one has no index (a Collector wrote it) or one that says more than the file holds', async () => {
    const store = await smallStore([]);
    writeFileSync(path.join(store, 'traces-20200101T00.jsonl'), line(chat('old', 'o', H0 - HOUR, 2)));
    expect(await readUnder(store, LAST)).toEqual(traceNames(store));
    await costs(store);
    rmSync(path.join(store, 'traces-20200101T00.jsonl'));
    writeFileSync(path.join(store, hourName(3)), ''); // cut: its index covers more than it holds
    expect(await readUnder(store, LAST)).toEqual(traceNames(store));
  }, 60_000);

  it('a store writer continuing a file whose index is behind leaves the gap to be scanned', async () => {
    const store = await smallStore([]);
    const file = path.join(store, hourName(HOURS - 1));
    appendFileSync(file, line(chat('gap', 'g', H0 + 10, 4))); // no record: written by no writer of ours
    await writeStore(store, [at(LAST + 10_000, chat('next', 'x', LAST + 9000, 6))]);
    const records = readFileSync(spanIndexFile(store, hourName(HOURS - 1)), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { from: number; to: number });
    expect(records.length).toBe(2);
    expect(records[1]!.from).toBeGreaterThan(records[0]!.to);
    expect(records[1]!.to).toBe(statSync(file).size);
    expect((await costs(store)).total).toMatchObject({ calls: 2 });
    // And the gap's span, before the window, is in the file's summary: --until reads the file.
    const { read } = await traceFilesForWindow(store, traceNames(store), { untilMs: H0 + 2 * 60_000 });
    expect(read).toEqual([hourName(0), hourName(HOURS - 1)]);
  }, 60_000);
});

describe('the store writer', () => {
  it('writes one index per trace file, none for logs and metrics', async () => {
    const store = path.join(tempDir(), 'store');
    mkdirSync(store);
    const w = createStoreWriter(store);
    const spans = [chat('a', 'a', H0 + 5, 1), chat('a', 'b', H0 + 3, 1), chat('b', 'c', 0, 1)];
    await w.append('traces', line(...spans), new Date(H0), spanStartsOf(spans));
    await w.append('logs', '{"resourceLogs":[]}', new Date(H0));
    await w.close();
    expect(readdirSync(path.join(store, INDEX_DIR))).toEqual([`${hourName(0)}.index`]);
    const size = statSync(path.join(store, hourName(0))).size;
    expect(JSON.parse(readFileSync(spanIndexFile(store, hourName(0)), 'utf8'))).toEqual({
      from: 0,
      to: size,
      minStart: String(BigInt(H0 + 3) * 1_000_000n),
      maxStart: String(BigInt(H0 + 5) * 1_000_000n),
      untimed: true,
      traceIds: hexId('a', 16) + hexId('b', 16),
    });
  });

  it('leaves a trace line whose spans it was not told out of every record: readers scan it', async () => {
    const store = await smallStore([]);
    const w = createStoreWriter(store);
    await w.append('traces', line(chat('told', 't', LAST + 1000, 3)), new Date(LAST + 3_000));
    await w.close();
    const file = path.join(store, hourName(HOURS - 1));
    const records = readFileSync(spanIndexFile(store, hourName(HOURS - 1)), 'utf8').trim().split('\n');
    expect(records.length).toBe(1);
    expect(JSON.parse(records[0]!).to).toBeLessThan(statSync(file).size);
    expect((await costs(store)).total).toMatchObject({ calls: 2 });
  }, 60_000);
});
