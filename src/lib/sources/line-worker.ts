/**
 * Worker thread entry: imports the mapper module named in workerData, then decodes and maps
 * the JSON Lines chunks it is sent (see line-chunk.ts).
 */
import { workerData } from 'node:worker_threads';
import { decodeLineChunk, type ChunkResult, type LineChunk } from './line-chunk.js';
import type { BatchMapper } from './mapper.js';
import { serveTasks } from '../parallel/serve.js';

const { module, config } = workerData as { module: string; config: unknown };
const { createMapper, transferList } = (await import(module)) as {
  createMapper(config: unknown): BatchMapper<unknown>;
  transferList?: (result: unknown) => ArrayBuffer[];
};
const map = createMapper(config);

serveTasks(
  (chunk: LineChunk) => decodeLineChunk(chunk, map),
  transferList ? (done) => (done as ChunkResult<unknown>).results.flatMap(transferList) : undefined,
);
