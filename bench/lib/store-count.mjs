/**
 * What a store holds, read independently of llmtrace: per traces-*.jsonl file the lines, the
 * spans, and the lines that do not parse (a line cut by a crash); optionally every span's
 * `traceId/spanId` key. Files are read in chunks, so multi-GB stores are fine.
 */
import { closeSync, openSync, readSync, readdirSync } from 'node:fs';
import path from 'node:path';

function* lines(file) {
  const fd = openSync(file, 'r');
  const chunk = Buffer.alloc(4 << 20);
  let rest = Buffer.alloc(0);
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const buf = rest.length ? Buffer.concat([rest, chunk.subarray(0, n)]) : Buffer.from(chunk.subarray(0, n));
      let start = 0;
      for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
        yield buf.subarray(start, nl);
        start = nl + 1;
      }
      rest = buf.subarray(start);
    }
    if (rest.length) yield rest;
  } finally {
    closeSync(fd);
  }
}

export function countStore(dir, { keys = false } = {}) {
  const out = { files: 0, lines: 0, spans: 0, badLines: 0, badLineSamples: [], keys: keys ? new Set() : undefined };
  for (const name of readdirSync(dir).filter((n) => /^traces-.*\.jsonl$/.test(n)).sort()) {
    out.files++;
    for (const raw of lines(path.join(dir, name))) {
      if (raw.length === 0) continue;
      out.lines++;
      const line = raw.toString('utf8');
      let doc;
      try {
        doc = JSON.parse(line);
      } catch {
        out.badLines++;
        if (out.badLineSamples.length < 3) out.badLineSamples.push(`${name}: ${line.length} bytes, ends ${JSON.stringify(line.slice(-40))}`);
        continue;
      }
      for (const rs of doc.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            out.spans++;
            if (keys) out.keys.add(`${s.traceId}/${s.spanId}`);
          }
        }
      }
    }
  }
  return out;
}
