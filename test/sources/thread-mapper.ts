/** A batch mapper that tells which thread mapped each batch (test/sources/mapped.test.ts). */
import { threadId } from 'node:worker_threads';
import type { SpanBatch } from '../../src/lib/sources/read.js';

export function createMapper(): (batch: SpanBatch) => { threadId: number; spans: number } {
  return (batch) => ({ threadId, spans: batch.spans.length });
}
