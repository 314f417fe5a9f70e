/**
 * Worker thread entry: imports the mapper module named in workerData, then decodes and maps
 * the JSON Lines chunks it is sent (see line-chunk.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeLineChunk, type LineChunk } from './line-chunk.js';
import type { BatchMapper } from './mapper.js';

const { module, config } = workerData as { module: string; config: unknown };
const { createMapper } = (await import(module)) as { createMapper(config: unknown): BatchMapper<unknown> };
const map = createMapper(config);

parentPort!.on('message', ({ id, task }: { id: number; task: LineChunk }) => {
  try {
    parentPort!.postMessage({ id, ok: true, value: decodeLineChunk(task, map) });
  } catch (e) {
    parentPort!.postMessage({ id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
