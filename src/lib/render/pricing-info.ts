/** `llmtrace cost --pricing-info`: the effective price table (layers applied), as a table or JSON. */
import type { PriceBook } from '../cost/pricebook.js';
import type { PricePoint, Rates } from '../cost/types.js';
import type { Colors } from './colors.js';
import { wrapNotes } from './cost-report.js';
import { renderTable } from './table.js';

const day = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString().replace('T00:00:00.000Z', '').replace('.000Z', 'Z'));

function ratesJson(r: Rates) {
  return { input: r.input, output: r.output, cacheRead: r.cacheRead, cacheWrite: r.cacheWrite, reasoning: r.reasoning };
}

export function pricingInfoJson(book: PriceBook): string {
  const models = book.entries.map((e) => ({
    model: e.name,
    layer: e.layer,
    provider: e.provider ?? null,
    source: e.source ?? null,
    aliases: e.aliases,
    match: e.match?.source ?? null,
    prices: e.points.map((p) => ({
      since: day(p.sinceMs),
      until: day(p.untilMs),
      ...ratesJson(p.rates),
      tiers: p.tiers.map((t) => ({ above: t.above, ...ratesJson(t.rates) })),
    })),
  }));
  return `${JSON.stringify({ currency: 'USD', unit: 'USD per 1M tokens', layers: book.layers.map((l) => l.label), models }, null, 2)}\n`;
}

function when(p: PricePoint, dated: boolean): string {
  if (p.sinceMs === undefined && p.untilMs === undefined) return dated ? 'otherwise' : '';
  if (p.sinceMs === undefined) return `until ${day(p.untilMs)}`;
  return p.untilMs === undefined ? `since ${day(p.sinceMs)}` : `${day(p.sinceMs)} – ${day(p.untilMs)}`;
}

const num = (n: number) => String(n);

export function pricingInfoTable(book: PriceBook, opts: { colors: Colors; width: number }): string {
  const rows: string[][] = [];
  for (const e of book.entries) {
    const matches = [...e.aliases, ...(e.match ? [`/${e.match.source}/`] : [])].join(', ');
    e.points.forEach((p, i) => {
      const w = when(p, e.points.length > 1);
      const lines: Array<[string, Rates]> = [[w, p.rates], ...p.tiers.map((t): [string, Rates] => [`${w ? `${w}, ` : ''}input > ${t.above}`, t.rates])];
      lines.forEach(([note, r], j) => {
        const first = i === 0 && j === 0;
        rows.push([first ? e.name : '', num(r.input), num(r.output), num(r.cacheRead), num(r.cacheWrite), num(r.reasoning), note, first ? e.provider ?? '' : '', first ? matches : '', first ? e.layer : '']);
      });
    });
  }
  const table = renderTable(
    [
      // Model ids shrink in the middle and stay apart; the least needed columns go first
      // (docs/architecture.md, "Output width"). Input and output prices always stay.
      { header: 'model' },
      { header: 'input', align: 'right' },
      { header: 'output', align: 'right' },
      { header: 'cache read', align: 'right', dropOrder: 6 },
      { header: 'cache write', align: 'right', dropOrder: 5 },
      { header: 'reasoning', align: 'right', dropOrder: 4 },
      { header: 'applies', shorten: 'end' },
      { header: 'provider', dropOrder: 2 },
      { header: 'also matches', shorten: 'end', dropOrder: 1 },
      { header: 'from', dropOrder: 3 },
    ],
    rows,
    { ...opts, fullOutput: '--format json' },
  );
  const note = `USD per 1M tokens; ${book.entries.length} models from ${book.layers.map((l) => l.label).join(' + ') || 'no pricing'}. Sources: --format json.`;
  return `${[table, ...wrapNotes([note], opts.width, opts.colors)].join('\n')}\n`;
}
