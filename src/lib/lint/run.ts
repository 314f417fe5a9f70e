/**
 * Drives a lint run over opened sources: each batch is linted as it arrives and its findings are
 * handed to `sink` (which writes them out) before the next batch is read; decode problems the
 * reader collected become findings in between; trace rules run at the end, when every span of
 * every trace is in.
 */
import type { PriceLayer } from '../cost/pricebook.js';
import type { Problem } from '../errors.js';
import type { OpenedSources } from '../sources/open.js';
import type { Linter } from './engine.js';
import type { Finding } from './types.js';

export interface LintInput {
  mapped: OpenedSources['mapped'];
  /** The reader's problem list (openSources appends to it while batches are read; runLint takes them out). */
  problems: Problem[];
  /** Problems the reader found while its list was full: not findings, so the run cannot pass. */
  readonly problemsLeftOut?: number;
}

/**
 * Spans become span facts where they are decoded (worker threads for large inputs); with
 * `priceLayers`, workers can tell priced models (`model-unpriced`).
 */
export interface LintRunOptions {
  priceLayers?: readonly PriceLayer[];
}

/** Findings to write, in the order found. */
export type LintSink = (findings: Finding[]) => Promise<void> | void;

export interface LintRunResult {
  /** Decode problems found but never seen by lint (the reader's list was full): the run fails. */
  problemsNotReported: number;
}

export async function runLint(input: LintInput, linter: Linter, sink: LintSink, opts: LintRunOptions = {}): Promise<LintRunResult> {
  const drain = async () => {
    if (input.problems.length === 0) return;
    const found = linter.lintProblems(input.problems.splice(0));
    if (found.length) await sink(found);
  };
  try {
    for await (const facts of input.mapped(linter.mapper(opts.priceLayers))) {
      await drain();
      const found = linter.addFacts(facts);
      if (found.length) await sink(found);
    }
    await drain();
    for (const found of linter.traceFindings()) await sink(found);
  } finally {
    // Temporary files go on an error too (the output closed early, an unreadable input).
    linter.close();
  }
  return { problemsNotReported: input.problemsLeftOut ?? 0 };
}
