/**
 * Plain aligned tables on cli-table3, shared by report commands: no borders, a rule under the
 * header and above footer rows (totals), numbers right-aligned, text columns truncated with
 * `…` when the table is wider than the terminal. Cells may carry chalk colors.
 */
import Table from 'cli-table3';
import type { Colors } from './colors.js';
import { plainText, visibleLength } from './terminal.js';

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

export interface TableOptions {
  colors: Colors;
  /** Terminal width; Infinity when piped. */
  width?: number;
  /** Rows below a rule, e.g. the totals. */
  footer?: string[][];
}

const GAP = 2;
const MIN_TEXT = 8;
const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: ' '.repeat(GAP),
};

export function renderTable(columns: readonly Column[], rows: readonly string[][], opts: TableOptions): string {
  const footer = opts.footer ?? [];
  const all = [columns.map((c) => c.header), ...rows, ...footer];
  const widths = columns.map((_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ''))));
  fit(widths, columns, opts.width ?? Infinity);
  const cell = (text: string, i: number) => ({
    content: clip(text, widths[i]!),
    hAlign: columns[i]!.align ?? 'left',
  });
  const rule = widths.map((w) => opts.colors.dim('─'.repeat(w)));
  const table = new Table({ chars: NO_BORDERS, style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [], compact: true } });
  table.push(columns.map((c, i) => cell(opts.colors.bold(c.header), i)));
  table.push(rule.map((r) => ({ content: r })));
  for (const r of rows) table.push(r.map(cell));
  if (footer.length) {
    table.push(rule.map((r) => ({ content: r })));
    for (const r of footer) table.push(r.map(cell));
  }
  return table
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/** Narrows the widest left-aligned (text) columns until the table fits `width`. */
function fit(widths: number[], columns: readonly Column[], width: number): void {
  let excess = widths.reduce((s, w) => s + w, 0) + GAP * (widths.length - 1) - width;
  while (excess > 0) {
    let widest = -1;
    widths.forEach((w, i) => {
      if ((columns[i]!.align ?? 'left') === 'left' && w > MIN_TEXT && (widest < 0 || w > widths[widest]!)) widest = i;
    });
    if (widest < 0) return; // numbers are never cut: let the terminal wrap
    widths[widest]!--;
    excess--;
  }
}

function clip(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  // eslint-disable-next-line no-control-regex
  const plain = plainText(text);
  return width <= 1 ? '…' : `${plain.slice(0, width - 1)}…`;
}
