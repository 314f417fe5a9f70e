/** Does `cost --format json` (or the jq baseline) count what the generator wrote? */
const FIELDS = ['calls', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens'];
/** The report's USD total may differ from the generator's exact one by float summation only. */
export const COST_TOLERANCE_USD = 1e-6;

/** Mismatches between a cost JSON report and the generator's totals (empty when equal). */
export function checkCostReport(report, totals) {
  const problems = [];
  for (const f of FIELDS) {
    if (report.total?.[f] !== totals.total[f]) problems.push(`total ${f}: cost ${report.total?.[f]} ≠ generated ${totals.total[f]}`);
  }
  const got = report.total?.cost;
  const want = totals.total.cost;
  if (typeof got !== 'number' || !(Math.abs(got - want) <= COST_TOLERANCE_USD)) problems.push(`total cost: cost ${got} ≠ generated ${want} (±${COST_TOLERANCE_USD} USD)`);
  const byModel = {};
  for (const row of report.rows ?? []) {
    const m = (byModel[row.model] ??= Object.fromEntries(FIELDS.map((f) => [f, 0])));
    for (const f of FIELDS) m[f] += row[f] ?? 0;
  }
  if (!(report.rows ?? []).some((r) => 'model' in r)) return problems; // not grouped by model
  const models = new Set([...Object.keys(byModel), ...Object.keys(totals.byModel)]);
  for (const model of models) {
    for (const f of FIELDS) {
      const got = byModel[model]?.[f] ?? 0;
      const want = totals.byModel[model]?.[f] ?? 0;
      if (got !== want) problems.push(`${model} ${f}: cost ${got} ≠ generated ${want}`);
    }
  }
  return problems;
}

/**
 * The jq baseline sums raw model ids over the spans that carry usage: compare its overall calls
 * (with usage: jq cannot see a failed call) / input / output.
 */
export function checkJqOutput(byRawModel, totals) {
  let calls = 0;
  let input = 0;
  let output = 0;
  for (const v of Object.values(byRawModel)) {
    calls += v.calls ?? 0;
    input += v.input ?? 0;
    output += v.output ?? 0;
  }
  const problems = [];
  if (calls !== totals.total.callsWithUsage) problems.push(`calls with usage: jq ${calls} ≠ generated ${totals.total.callsWithUsage}`);
  if (input !== totals.total.inputTokens) problems.push(`input: jq ${input} ≠ generated ${totals.total.inputTokens}`);
  if (output !== totals.total.outputTokens) problems.push(`output: jq ${output} ≠ generated ${totals.total.outputTokens}`);
  return problems;
}
