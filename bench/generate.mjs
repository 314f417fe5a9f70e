#!/usr/bin/env node
/**
 * Deterministic generator of realistic LLM traces for the benchmarks (docs/architecture.md "Benchmark goals").
 *
 *   node bench/generate.mjs [--spans 100k,1m] [--splits 100k,1m] [--ingest 200k] [--trace 100k] [--seed 42] [--force]
 *
 * Writes into bench/out/gen-<version>/ (git-ignored), where <version> hashes the generator's
 * sources and the seed, so a change to the generator regenerates; other gen-* folders are removed:
 *   spans-<n>.jsonl         OTLP JSON Lines, one export batch (50–200 spans) per line, a trace's
 *                           spans spread over several shuffled batches (Collector file exporter)
 *   spans-<n>.totals.json   the generator's totals per model and feature: calls (llmtrace's
 *                           definition: every call once, failed ones included), calls with
 *                           usage, tokens, and the cost in USD from the generator's own prices
 *   spans-<n>.<part>.jsonl  the same spans in other orders and splits (lib/gen/splits.mjs):
 *                           shuffled; frontend + worker (root spans apart, each in end-time
 *                           order); r0 + r1 + r2 (lines round-robin); spans-<n>.splits.json says
 *                           what each holds (--splits, default the --spans sizes)
 *   ingest-<n>.pb           the same kind of batches as OTLP protobuf requests, each preceded by
 *                           its 4-byte big-endian length (the Collector's proto file format)
 *   trace-<n>.jsonl         one agent run of about n spans (deep and wide), for `tree`
 * Timestamps lie in 2025-06-01 .. 2025-06-07 UTC; run `cost` with LLMTRACE_NOW=2025-06-08T00:00:00Z
 * and --since 7d to cover them all.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from './lib/gen/rng.mjs';
import { makeResources } from './lib/gen/resources.mjs';
import { encodeJsonLine } from './lib/gen/encode-json.mjs';
import { encodeProtoRequest } from './lib/gen/encode-proto.mjs';
import { exportBatches } from './lib/gen/stream.mjs';
import { FileOut } from './lib/gen/file-out.mjs';
import { SPLITS, splitFileName, writeSplits } from './lib/gen/splits.mjs';
import { buildBigTrace, buildTrace } from './lib/gen/trace.mjs';
import { endTimeBatches, slimSpan } from './lib/gen/small.mjs';
import { Totals } from './lib/gen/totals.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
/** bench/out by default; BENCH_OUT_DIR puts one work tree's data apart (bench/out may be shared). */
export const OUT_DIR = process.env.BENCH_OUT_DIR ? path.resolve(process.env.BENCH_OUT_DIR) : path.join(HERE, 'out');
/** Bump to force regeneration when the output format changes without a source change. */
const FORMAT = 2;

export const BASE_US = Date.UTC(2025, 5, 1) * 1000 + 1_000_000;
export const NOW = '2025-06-08T00:00:00Z';
const SPREAD_US = 6 * 24 * 3600 * 1e6;

/** Hash of the generator's sources + format + seed. */
export function generatorVersion(seed) {
  const h = createHash('sha256').update(`format ${FORMAT} seed ${seed}\n`);
  const files = [path.join(HERE, 'generate.mjs'), ...readdirSync(path.join(HERE, 'lib/gen')).sort().map((f) => path.join(HERE, 'lib/gen', f))];
  for (const f of files) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 10);
}

/** Many traces as shuffled export batches (or as `batches` cuts them); `emit(spans)` gets each batch. Returns the totals. */
function streamTraces(seed, targetSpans, resources, emit, batches = (rng, next) => exportBatches(rng, next)) {
  const rng = new Rng(seed);
  const totals = new Totals();
  let started = 0;
  const next = () => {
    if (started >= targetSpans) return null;
    const t0 = BASE_US + Math.floor((started / targetSpans) * SPREAD_US) + rng.int(0, 5_000_000);
    const { tb } = buildTrace(rng, resources, t0);
    started += tb.spans.length;
    totals.addTrace(tb, resources);
    return tb.spans;
  };
  let count = 0;
  for (const batch of batches(rng, next)) {
    emit(batch);
    count++;
  }
  return { totals, batches: count };
}

export function generateSpansFile(file, { seed, spans }) {
  const resources = makeResources();
  const out = new FileOut(file);
  const { totals, batches } = streamTraces(seed, spans, resources, (batch) => out.write(`${encodeJsonLine(batch, resources)}\n`));
  out.close();
  return { ...totals.toJSON(), batches, bytes: out.bytes };
}

/** The small-span variant (lib/gen/small.mjs): the same traces, slim spans, 100 a line, in end-time order. */
export function generateSmallSpansFile(file, { seed, spans }) {
  const resources = makeResources();
  const out = new FileOut(file);
  const write = (batch) => out.write(`${encodeJsonLine(batch.map(slimSpan), resources)}\n`);
  const { totals, batches } = streamTraces(seed, spans, resources, write, (_rng, next) => endTimeBatches(next, { size: 100 }));
  out.close();
  return { ...totals.toJSON(), batches, bytes: out.bytes };
}

export async function generateIngestFile(file, { seed, spans }) {
  const { officialTraceTypes } = await import('../test/helpers/official-otlp.mjs');
  const type = officialTraceTypes().ExportTraceServiceRequest;
  const resources = makeResources();
  const out = new FileOut(file);
  const { totals, batches } = streamTraces(seed, spans, resources, (batch) => {
    const body = encodeProtoRequest(type, batch, resources);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length, 0);
    out.write(len);
    out.write(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  });
  out.close();
  return { ...totals.toJSON(), batches, bytes: out.bytes };
}

export function generateBigTraceFile(file, { seed, spans }) {
  const rng = new Rng(seed);
  const resources = makeResources();
  const { tb } = buildBigTrace(rng, resources, BASE_US + 3 * 24 * 3600 * 1e6, spans);
  const totals = new Totals();
  totals.addTrace(tb, resources);
  const out = new FileOut(file);
  let batches = 0;
  const list = tb.spans;
  tb.spans = null;
  for (const batch of exportBatches(rng, () => {
    const l = tb.spans === null ? list : null;
    tb.spans = [];
    return l;
  }, { concurrent: 1 })) {
    out.write(`${encodeJsonLine(batch, resources)}\n`);
    batches++;
  }
  out.close();
  return { ...totals.toJSON(), batches, bytes: out.bytes };
}

/**
 * The split sets of one spans file, derived once and cached beside it (the .splits.json is
 * written last, so it marks a complete set): `{ sets: { name: [files] }, totals, meta }`. The
 * totals are the source file's: the same spans.
 */
function ensureSplits(dir, source, { seed, force, version, log }) {
  const sourceName = path.basename(source.file);
  const fileOf = (part) => path.join(dir, splitFileName(sourceName, part));
  const metaFile = path.join(dir, sourceName.replace(/\.jsonl$/, '.splits.json'));
  const sets = Object.fromEntries(Object.entries(SPLITS).map(([name, parts]) => [name, parts.map(fileOf)]));
  const complete = existsSync(metaFile) && Object.values(sets).flat().every((f) => existsSync(f));
  if (force || !complete) {
    const t0 = performance.now();
    const written = writeSplits(source.file, fileOf, { seed });
    const seconds = (performance.now() - t0) / 1000;
    const described = Object.fromEntries(Object.entries(written.sets).map(([name, files]) => [name, files.map((f, i) => ({ file: path.basename(sets[name][i]), ...f }))]));
    writeFileSync(metaFile, `${JSON.stringify({ generator: version, seed, source: sourceName, generatedInSeconds: Number(seconds.toFixed(1)), spans: written.spans, sets: described }, null, 2)}\n`);
    log(`generated the splits of ${sourceName} (${Object.values(sets).flat().length} files) in ${seconds.toFixed(1)} s`);
  }
  return { sets, totals: source.totals, meta: JSON.parse(readFileSync(metaFile, 'utf8')) };
}

export function parseCount(s) {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(String(s).trim());
  if (!m) throw new Error(`not a span count: ${s}`);
  return Math.round(Number(m[1]) * { '': 1, k: 1e3, m: 1e6 }[m[2].toLowerCase()]);
}

export const label = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}m` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));

/**
 * Makes sure the requested datasets exist for the current generator version; returns their
 * paths and totals. `log` gets one line per file generated.
 */
export async function ensureDatasets({ sizes = [100_000, 1_000_000], splits = [], small = [], ingestSpans = 200_000, bigTrace = 100_000, seed = 42, force = false, prune = false, log = () => {} } = {}) {
  const version = generatorVersion(seed);
  const dir = path.join(OUT_DIR, `gen-${version}`);
  mkdirSync(dir, { recursive: true });
  // Old versions are large, but bench/out may be shared by several work trees, each on its own
  // generator version: they are removed only when asked.
  for (const d of readdirSync(OUT_DIR)) {
    if (!d.startsWith('gen-') || d === `gen-${version}`) continue;
    if (prune) rmSync(path.join(OUT_DIR, d), { recursive: true, force: true });
    else log(`bench/out/${d} is another generator version's data (--prune removes it)`);
  }
  const result = { version, dir, seed, now: NOW, spans: {}, splits: {}, small: {}, ingest: undefined, trace: undefined };
  const cached = async (name, make) => {
    const file = path.join(dir, name);
    const meta = `${file}.totals.json`;
    if (!force && existsSync(file) && existsSync(meta)) return { file, totals: JSON.parse(readFileSync(meta, 'utf8')) };
    const t0 = performance.now();
    const totals = await make(file);
    const seconds = (performance.now() - t0) / 1000;
    writeFileSync(meta, `${JSON.stringify({ generator: version, seed, file: name, generatedInSeconds: Number(seconds.toFixed(1)), ...totals }, null, 2)}\n`);
    log(`generated ${name}: ${totals.spans.toLocaleString('en-US')} spans, ${totals.traces.toLocaleString('en-US')} traces, ${(statSync(file).size / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s`);
    return { file, totals: JSON.parse(readFileSync(meta, 'utf8')) };
  };
  // The splits are derived from spans-<n>.jsonl: those sizes are needed too.
  for (const n of [...new Set([...sizes, ...splits])].sort((a, b) => a - b)) result.spans[n] = await cached(`spans-${label(n)}.jsonl`, (f) => generateSpansFile(f, { seed, spans: n }));
  for (const n of splits) result.splits[n] = ensureSplits(dir, result.spans[n], { seed: seed + 3, force, version, log });
  for (const n of small) result.small[n] = await cached(`small-${label(n)}.jsonl`, (f) => generateSmallSpansFile(f, { seed: seed + 4, spans: n }));
  if (ingestSpans) result.ingest = await cached(`ingest-${label(ingestSpans)}.pb`, (f) => generateIngestFile(f, { seed: seed + 1, spans: ingestSpans }));
  if (bigTrace) result.trace = await cached(`trace-${label(bigTrace)}.jsonl`, (f) => generateBigTraceFile(f, { seed: seed + 2, spans: bigTrace }));
  return result;
}

const USAGE = `usage: node bench/generate.mjs [--spans 100k,1m] [--splits SIZES] [--small SIZES] [--ingest 200k] [--trace 100k] [--seed 42] [--force] [--prune]
  --spans   sizes of spans-<n>.jsonl (OTLP JSON Lines) and their totals; 0 for none
  --splits  sizes whose shuffled / two-services / three-replicas sets to derive (default: the --spans sizes)
  --small   sizes of small-<n>.jsonl: slim spans (about 0.7 KB), 100 a line, in end-time order (default 0)
  --ingest  spans in ingest-<n>.pb (OTLP protobuf frames); 0 for none
  --trace   spans in trace-<n>.jsonl (one big agent run); 0 for none
  --force   regenerate even what is cached in bench/out/gen-<version>/
  --prune   remove the other generator versions' folders from bench/out/`;
const VALUE_FLAGS = ['--spans', '--splits', '--small', '--ingest', '--trace', '--seed'];

async function main() {
  const args = process.argv.slice(2);
  // Anything unknown (--help included) prints the usage instead of starting a long generation.
  const unknown = args.filter((a, i) => a !== '--force' && a !== '--prune' && !VALUE_FLAGS.includes(a) && !VALUE_FLAGS.includes(args[i - 1]));
  if (unknown.length) {
    const help = unknown.some((a) => a === '--help' || a === '-h');
    (help ? console.log : console.error)(help ? USAGE : `unknown argument ${unknown[0]}\n${USAGE}`);
    process.exit(help ? 0 : 2);
  }
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i === -1 ? dflt : args[i + 1];
  };
  const counts = (s) => (s === '' || s === '0' ? [] : s.split(',').map(parseCount));
  const sizes = counts(opt('--spans', '100k,1m'));
  const splits = counts(opt('--splits', sizes.map(label).join(',')));
  const seed = Number(opt('--seed', '42'));
  const small = counts(opt('--small', '0'));
  const res = await ensureDatasets({ sizes, splits, small, seed, force: args.includes('--force'), prune: args.includes('--prune'), ingestSpans: parseCount(opt('--ingest', '200k')), bigTrace: parseCount(opt('--trace', '100k')), log: (m) => console.error(m) });
  const splitFiles = Object.values(res.splits).flatMap((s) => Object.values(s.sets).flat());
  console.log(JSON.stringify({ version: res.version, dir: res.dir, files: [...[...Object.values(res.spans), ...Object.values(res.small), res.ingest, res.trace].filter(Boolean).map((d) => d.file), ...splitFiles] }, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
