/**
 * Drives a lint run over opened sources: each batch is linted as it arrives and its findings are
 * handed to `sink` (which writes them out) before the next batch is read; decode problems the
 * reader collected become findings in between; trace rules run at the end.
 */
import type { Problem } from '../errors.js';
import type { SpanBatch } from '../sources/read.js';
import type { Linter } from './engine.js';
import type { Finding } from './types.js';

export interface LintInput {
  batches: AsyncIterable<SpanBatch>;
  /** The reader's problem list (openSources appends to it while batches are read). */
  problems: readonly Problem[];
}

export async function runLint(input: LintInput, linter: Linter, sink: (findings: Finding[]) => Promise<void> | void): Promise<void> {
  let seen = 0;
  const drain = async () => {
    if (input.problems.length <= seen) return;
    const found = linter.lintProblems(input.problems.slice(seen));
    seen = input.problems.length;
    if (found.length) await sink(found);
  };
  for await (const batch of input.batches) {
    await drain();
    const found = linter.lintBatch(batch.spans, batch.source, batch.line);
    if (found.length) await sink(found);
  }
  await drain();
  const found = linter.finish();
  if (found.length) await sink(found);
}
