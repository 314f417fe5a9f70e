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
const { createStoreWriter } = await import(pathToFileURL(path.resolve(dist, 'lib/store/writer.js')).href);
const START = /"startTimeUnixNano":"(\d+)"/g;
const w = createStoreWriter(store);
let lines = 0;
for await (const line of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
  if (line === '') continue;
  let latest = 0n;
  for (const m of line.matchAll(START)) if (BigInt(m[1]) > latest) latest = BigInt(m[1]);
  await w.append('traces', line, new Date(Number(latest / 1_000_000n) + 1000));
  lines++;
}
await w.close();
console.log(`${lines} lines written to ${store}`);
