/** The one results table: figure, value, baseline, ratio, goal, met?. Plain text, aligned. */
const COLUMNS = [
  ['figure', (r) => r.figure],
  ['value', (r) => r.value ?? ''],
  ['baseline', (r) => r.baseline ?? ''],
  ['ratio', (r) => r.ratio ?? ''],
  ['goal', (r) => r.goal ?? ''],
  ['met?', (r) => (r.met === true ? 'yes' : r.met === false ? 'NO' : r.met ?? '')],
];

export function renderTable(rows) {
  const cells = rows.map((r) => COLUMNS.map(([, f]) => String(f(r))));
  const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (vals) => vals.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(COLUMNS.map(([h]) => h)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const c of cells) out.push(line(c));
  return `${out.join('\n')}\n`;
}

export const fmt = {
  s: (x) => (x === undefined || !Number.isFinite(x) ? '?' : x >= 100 ? `${x.toFixed(0)} s` : x >= 10 ? `${x.toFixed(1)} s` : x >= 1 ? `${x.toFixed(2)} s` : `${(x * 1000).toFixed(0)} ms`),
  mb: (x) => (x === undefined || !Number.isFinite(x) ? '?' : `${x.toFixed(0)} MB`),
  ratio: (x) => (x === undefined || !Number.isFinite(x) ? '?' : `${x.toFixed(2)}×`),
  rate: (x) => (x === undefined || !Number.isFinite(x) ? '?' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M spans/s` : `${(x / 1e3).toFixed(1)}k spans/s`),
};
