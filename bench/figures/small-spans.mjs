/**
 * The cost-lint rows over small spans (issue #18, bench/lib/gen/small.mjs): the same traces with
 * a few attributes a span (about 0.7 KB instead of 1.2 KB), 100 spans a line, in end-time
 * order. Large spans hide per-span overhead behind JSON.parse; here it shows. Same goals as
 * cost-lint (≤ 1.5× the floor, ≤ 300 MB), `cost` checked against the generator's totals.
 */
import { costLintFigure } from './cost-lint.mjs';

export async function smallSpansFigure({ data, runs = 3, log = () => {} }) {
  const { rows, details } = await costLintFigure({ data: { spans: data.small }, runs, jq: false, log: (m) => log(`small spans: ${m}`) });
  return { rows: rows.map((r) => ({ ...r, figure: `small spans, ${r.figure}` })), details };
}
