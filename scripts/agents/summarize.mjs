#!/usr/bin/env node
// Prints what one recorded run holds, for writing docs/coding-agents.md by hand from facts:
// every metric (name, kind, temporality, points with attributes), every log record (body, the
// event-name field, event.name attribute, attributes) and every span (name, attributes), in
// arrival order. Protobuf bodies are turned into OTLP/JSON as the store keeps them (dist/'s
// receiver decoder: llmtrace's trace reader, protobufjs for logs and metrics).
//   node scripts/agents/summarize.mjs test/fixtures/agents/claude-code/http-json-delta [--full]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { decodeExport } = await import(path.join(ROOT, 'dist/lib/receiver/decode.js'));

const dir = process.argv[2];
const full = process.argv.includes('--full');
const requests = JSON.parse(readFileSync(path.join(dir, 'requests.json'), 'utf8'));

function anyValue(v) {
  if (!v) return v;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return `int:${v.intValue}`;
  if ('doubleValue' in v) return `double:${v.doubleValue}`;
  if ('boolValue' in v) return `bool:${v.boolValue}`;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(anyValue);
  if ('kvlistValue' in v) return attrs(v.kvlistValue.values);
  return JSON.stringify(v);
}
function attrs(list) {
  return Object.fromEntries((list ?? []).map((a) => [a.key, anyValue(a.value)]));
}
const short = (o) => JSON.stringify(o);

function load(r) {
  const stored = readFileSync(path.join(dir, r.file));
  const body = r.stored === 'gzip' ? gunzipSync(stored) : stored;
  if (r.file.replace(/\.gz$/, '').endsWith('.json')) return JSON.parse(body.toString('utf8'));
  const line = decodeExport(r.signal, 'protobuf', body).storeLine;
  return line === undefined ? {} : JSON.parse(Buffer.from(line).toString('utf8'));
}

const TEMP = { 1: 'DELTA', 2: 'CUMULATIVE', AGGREGATION_TEMPORALITY_DELTA: 'DELTA', AGGREGATION_TEMPORALITY_CUMULATIVE: 'CUMULATIVE' };
for (const r of requests) {
  const doc = load(r);
  console.log(`\n## #${r.seq} ${r.time} ${r.transport} ${r.path} ${r.contentType}${r.contentEncoding ? ` (${r.contentEncoding})` : ''}`);
  for (const rm of doc.resourceMetrics ?? []) {
    console.log(`resource ${short(attrs(rm.resource?.attributes))}`);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const kind = ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'].find((k) => m[k]);
        const data = m[kind];
        console.log(`metric ${m.name} [${kind}${data.aggregationTemporality !== undefined ? ` ${TEMP[data.aggregationTemporality] ?? data.aggregationTemporality}` : ''}${data.isMonotonic !== undefined ? ` mono=${data.isMonotonic}` : ''}] unit=${m.unit ?? ''} scope=${sm.scope?.name ?? ''}`);
        for (const p of data.dataPoints ?? []) {
          const val = p.asInt ?? p.asDouble ?? (kind === 'histogram' ? `count=${p.count} sum=${p.sum}` : '?');
          console.log(`  ${val} start=${p.startTimeUnixNano} t=${p.timeUnixNano} ${short(attrs(p.attributes))}`);
        }
      }
    }
  }
  for (const rl of doc.resourceLogs ?? []) {
    console.log(`resource ${short(attrs(rl.resource?.attributes))}`);
    for (const sl of rl.scopeLogs ?? []) {
      for (const l of sl.logRecords ?? []) {
        const a = attrs(l.attributes);
        const body = anyValue(l.body);
        if (!full) {
          for (const k of Object.keys(a)) if (typeof a[k] === 'string' && a[k].length > 120) a[k] = `${a[k].slice(0, 60)}…(${a[k].length})`;
        }
        console.log(`log scope=${sl.scope?.name ?? ''} eventName=${short(l.eventName ?? '')} body=${short(typeof body === 'string' && body.length > 100 && !full ? body.slice(0, 100) + '…' : body)} t=${l.timeUnixNano} observed=${l.observedTimeUnixNano} ${short(a)}`);
      }
    }
  }
  for (const rs of doc.resourceSpans ?? []) {
    console.log(`resource ${short(attrs(rs.resource?.attributes))}`);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const a = attrs(s.attributes);
        if (!full) for (const k of Object.keys(a)) if (typeof a[k] === 'string' && a[k].length > 120) a[k] = `${a[k].slice(0, 60)}…(${a[k].length})`;
        console.log(`span scope=${ss.scope?.name ?? ''} "${s.name}" id=${s.spanId} parent=${s.parentSpanId ?? ''} ${short(a)}`);
      }
    }
  }
}
