/**
 * `tree` on one agent run of ~100k spans (deep and wide, conventions mixed), as JSON and as
 * text, both to /dev/null, against the floor of reading and parsing the same file.
 */
import path from 'node:path';
import { BIN, CLI_ENV, REPO, commandAvailable } from '../lib/llmtrace.mjs';
import { run } from '../lib/measure.mjs';
import { fmt } from '../lib/table.mjs';

export async function treeFigure({ data, timeoutMs = 300_000, log = () => {} }) {
  const file = data.trace.file;
  const spans = data.trace.totals.spans;
  const label = `tree: one ${(spans / 1000).toFixed(0)}k-span trace`;
  const avail = commandAvailable('tree', ['--format']);
  if (!avail.ok) return { rows: [{ figure: label, value: 'not available yet', baseline: avail.why }], details: { available: false, why: avail.why } };
  const floor = await run(process.execPath, [path.join(REPO, 'bench/floor.mjs'), file], { timeoutMs });
  const details = { spans, floor: { seconds: floor.seconds, maxRssMB: floor.maxRssMB } };
  const rows = [];
  for (const [fmtName, args] of [['--format json', ['--format', 'json']], ['text', []]]) {
    // COLUMNS: a terminal-like width for the text layout even though stdout is not a terminal.
    const r = await run(process.execPath, [BIN, 'tree', file, ...args], { env: { ...CLI_ENV, COLUMNS: '160' }, stdout: 'ignore', timeoutMs });
    details[fmtName] = { seconds: r.seconds, maxRssMB: r.maxRssMB, code: r.code };
    log(`tree ${fmtName}: ${fmt.s(r.seconds)}, ${fmt.mb(r.maxRssMB)}`);
    if (r.code !== 0) {
      rows.push({ figure: `${label}, ${fmtName}`, value: 'failed', baseline: r.timedOut ? 'timed out' : `exit ${r.code}: ${r.stderr.split('\n')[0]}` });
      continue;
    }
    rows.push({ figure: `${label}, ${fmtName}`, value: `${fmt.s(r.seconds)}, ${fmt.mb(r.maxRssMB)}`, baseline: `${fmt.s(floor.seconds)} (floor)`, ratio: fmt.ratio(r.seconds / floor.seconds), goal: 'report' });
  }
  return { rows, details };
}
