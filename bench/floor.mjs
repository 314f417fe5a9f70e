#!/usr/bin/env node
/**
 * The floor for `cost` and `lint` (docs/architecture.md "Benchmark goals"): read OTLP JSON Lines the way llmtrace's reader
 * does (fs stream with 256 KiB chunks, split at newlines, each line decoded as UTF-8 and
 * JSON.parse'd) and do nothing else but count the spans. Any real consumer costs at least this.
 *
 *   node bench/floor.mjs FILE…    → {"lines":…,"spans":…,"bytes":…} on stdout
 */
import { createReadStream } from 'node:fs';

export async function floor(file) {
  let lines = 0;
  let spans = 0;
  let bytes = 0;
  let rest = Buffer.alloc(0);
  const handle = (line) => {
    if (line.length === 0) return;
    lines++;
    const doc = JSON.parse(line.toString('utf8'));
    for (const rs of doc.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    bytes += chunk.length;
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      handle(buf.subarray(start, nl));
      start = nl + 1;
    }
    rest = buf.subarray(start);
  }
  handle(rest);
  return { lines, spans, bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const totals = { lines: 0, spans: 0, bytes: 0 };
  for (const f of process.argv.slice(2)) {
    const r = await floor(f);
    totals.lines += r.lines;
    totals.spans += r.spans;
    totals.bytes += r.bytes;
  }
  process.stdout.write(`${JSON.stringify(totals)}\n`);
}
