/**
 * The spans of a spans-<n>.jsonl file again, in other orders and splits over several files: the
 * inputs of the rows that show `cost` and `lint` give exact totals however a trace's spans arrive.
 *   shuffled        every span moved to a random position, re-batched 50–200 spans a line
 *   two services    frontend: every trace's root span; worker: all other spans; each file in
 *                   end-time order, as a BatchSpanProcessor exports (sorted by end, 50–200 a line)
 *   three replicas  the original lines dealt round-robin over three files (Collector replicas
 *                   behind a load balancer)
 * Each line is a valid OTLP/JSON export request with each span under its own resource and scope.
 * The spans are read back from the file (not regenerated), so they are the same spans; every
 * span's JSON is held in memory for the reordering (about the file's size: 1M spans ≈ 1.5 GB).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { FileOut } from './file-out.mjs';
import { Rng } from './rng.mjs';

/** Set name → the parts its files are named after (`spans-1m.<part>.jsonl`), in command-line order. */
export const SPLITS = {
  shuffled: ['shuffled'],
  'two services': ['frontend', 'worker'],
  'three replicas': ['r0', 'r1', 'r2'],
};

export const splitFileName = (spansName, part) => spansName.replace(/\.jsonl$/, `.${part}.jsonl`);

const MIN_BATCH = 50;
const MAX_BATCH = 200;

/** The non-empty lines of a file as strings, read synchronously in 8 MiB chunks. */
function* readLines(file) {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  let rest = Buffer.alloc(0);
  try {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
      const chunk = rest.length ? Buffer.concat([rest, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        if (nl > start) yield chunk.toString('utf8', start, nl);
        start = nl + 1;
      }
      // Copied: `buf` is overwritten by the next read.
      rest = Buffer.from(chunk.subarray(start));
    }
    if (rest.length) yield rest.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Every span of the file as its JSON text, with what regrouping needs: its resource and scope
 * (interned: a few dozen distinct ones), end time and whether it is a root.
 */
class SpanStore {
  constructor() {
    this.json = [];
    this.resource = [];
    this.scope = [];
    this.endNs = [];
    this.root = [];
    /** Resource-level JSON without scopeSpans (resource, schemaUrl) → index; likewise scopes. */
    this.resources = new Interned();
    this.scopes = new Interned();
  }

  addLine(line) {
    for (const { scopeSpans = [], ...resourceRest } of JSON.parse(line).resourceSpans ?? []) {
      const r = this.resources.index(JSON.stringify(resourceRest));
      for (const { spans = [], ...scopeRest } of scopeSpans) {
        const s = this.scopes.index(JSON.stringify(scopeRest));
        for (const span of spans) {
          this.json.push(JSON.stringify(span));
          this.resource.push(r);
          this.scope.push(s);
          this.endNs.push(BigInt(span.endTimeUnixNano));
          this.root.push(!span.parentSpanId);
        }
      }
    }
  }

  get size() {
    return this.json.length;
  }

  /** One export request of the spans at `indices`: grouped resource → scope in first-seen order. */
  encode(indices) {
    const byResource = new Map();
    for (const i of indices) {
      let scopes = byResource.get(this.resource[i]);
      if (!scopes) byResource.set(this.resource[i], (scopes = new Map()));
      let list = scopes.get(this.scope[i]);
      if (!list) scopes.set(this.scope[i], (list = []));
      list.push(this.json[i]);
    }
    const resourceSpans = [];
    for (const [r, scopes] of byResource) {
      const scopeSpans = [...scopes].map(([s, list]) => withArray(this.scopes.json[s], 'spans', list));
      resourceSpans.push(withArray(this.resources.json[r], 'scopeSpans', scopeSpans));
    }
    return withArray('{}', 'resourceSpans', resourceSpans);
  }
}

class Interned {
  constructor() {
    this.json = [];
    this.byJson = new Map();
  }
  index(json) {
    let i = this.byJson.get(json);
    if (i === undefined) this.byJson.set(json, (i = this.json.push(json) - 1));
    return i;
  }
}

/** `{…}` with one more member, an array of already-encoded JSON items. */
function withArray(objectJson, key, items) {
  const open = objectJson === '{}' ? '{' : `${objectJson.slice(0, -1)},`;
  return `${open}"${key}":[${items.join(',')}]}`;
}

/** Writes the spans at `order` into `file`, cut into batches of 50–200; returns what it wrote. */
function writeBatched(store, rng, order, file) {
  const out = new FileOut(file);
  let batches = 0;
  for (let i = 0; i < order.length; batches++) {
    const size = rng.int(MIN_BATCH, MAX_BATCH);
    out.write(`${store.encode(order.subarray(i, i + size))}\n`);
    i += size;
  }
  out.close();
  return { spans: order.length, batches, bytes: out.bytes };
}

/** Indices of the spans `keep` selects, sorted by end time (ties: file order, for determinism). */
function byEndTime(store, keep) {
  const list = [];
  for (let i = 0; i < store.size; i++) if (keep(i)) list.push(i);
  const ends = store.endNs;
  return Uint32Array.from(list).sort((a, b) => (ends[a] < ends[b] ? -1 : ends[a] > ends[b] ? 1 : a - b));
}

/**
 * Writes the split sets of `spansFile` next to it (`fileOf(part)` names each file); returns
 * per set its files' spans, batches and bytes. Deterministic per seed.
 */
export function writeSplits(spansFile, fileOf, { seed }) {
  const rng = new Rng(seed);
  const store = new SpanStore();
  const replicas = SPLITS['three replicas'].map((part) => new FileOut(fileOf(part)));
  const replicaCounts = replicas.map(() => ({ spans: 0, batches: 0 }));
  let line = 0;
  for (const text of readLines(spansFile)) {
    const before = store.size;
    store.addLine(text);
    const k = line++ % replicas.length;
    replicas[k].write(`${text}\n`);
    replicaCounts[k].spans += store.size - before;
    replicaCounts[k].batches++;
  }
  replicas.forEach((out) => out.close());

  const all = Uint32Array.from({ length: store.size }, (_, i) => i);
  const sets = {
    shuffled: [writeBatched(store, rng, rng.shuffle(all), fileOf('shuffled'))],
    'two services': [
      writeBatched(store, rng, byEndTime(store, (i) => store.root[i]), fileOf('frontend')),
      writeBatched(store, rng, byEndTime(store, (i) => !store.root[i]), fileOf('worker')),
    ],
    'three replicas': replicas.map((out, k) => ({ ...replicaCounts[k], bytes: out.bytes })),
  };
  for (const [name, files] of Object.entries(sets)) {
    const spans = files.reduce((s, f) => s + f.spans, 0);
    if (spans !== store.size) throw new Error(`splits: ${name} holds ${spans} spans, the source ${store.size}`);
  }
  return { spans: store.size, sets };
}
