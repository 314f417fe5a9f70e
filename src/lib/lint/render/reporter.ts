/**
 * A reporter turns the stream of findings into output chunks: `begin` once, `add` per group of
 * findings as the engine produces them (json, sarif and github write them straight through, so
 * memory stays flat; stylish keeps them to group by trace), `end` with the summary and scorecard.
 */
import type { FindingCounts } from '../engine.js';
import type { Scorecard } from '../scorecard.js';
import type { Finding, RuleId, SeveritySetting } from '../types.js';

export interface LintSummary {
  /** Every finding of enabled rules, also those --quiet hides. */
  counts: FindingCounts;
  /** Findings written to the output. */
  shown: number;
  quiet: boolean;
  maxWarnings?: number;
  /** The run fails (exit 1): errors, or more warnings than --max-warnings. */
  failed: boolean;
  /** The sources read (file list or store directory). */
  label: string;
  inputs: number;
  /** The reader's one-line problem summary, when there were problems. */
  readSummary?: string;
  /** Decode problems found but never linted (too many at once for the reader's list); the run fails. */
  problemsNotReported: number;
  scorecard: Scorecard;
  severities: Readonly<Record<RuleId, SeveritySetting>>;
}

export interface Reporter {
  begin(): Iterable<string>;
  add(findings: readonly Finding[]): Iterable<string | Uint8Array>;
  end(summary: LintSummary): Iterable<string>;
}

import { countOf as plural } from '../../render/format.js';

export { plural };

/** "2 errors, 1 warning, 3 infos" */
export function countsText(c: FindingCounts): string {
  return `${plural(c.error, 'error')}, ${plural(c.warn, 'warning')}, ${plural(c.info, 'info')}`;
}
