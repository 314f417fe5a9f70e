/**
 * Writes a store from a JSON Lines trace file through the store writer (`tail`'s, with its span
 * index), each line received one second after its latest span start: one file per hour the
 * spans cover. For `cost --since` over a large store (docs/architecture.md "Span index").
 *
 *   node bench/lib/hourly-store.mjs <spans.jsonl> <store dir> [dist dir]
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const [input, store, dist = 'dist'] = process.argv.slice(2);
const lib = (file) => import(pathToFileURL(path.resolve(dist, 'lib', file)).href);
const { createStoreWriter } = await lib('store/writer.js');
const { decodeOtlpJsonTraces } = await lib('otlp/json-decode.js');
const { otlpJsonTracesLine } = await lib('otlp/json-write.js');
const { spanStartsOf } = await lib('span.js');
const w = createStoreWriter(store);
let lines = 0;
for await (const line of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
  if (line === '') continue;
  const spans = decodeOtlpJsonTraces(JSON.parse(line)).spans;
  const starts = spanStartsOf(spans);
  await w.append('traces', otlpJsonTracesLine(spans), new Date(Number(starts.maxNs / 1_000_000n) + 1000), starts);
  lines++;
}
await w.close();
console.log(`${lines} lines written to ${store}`);
