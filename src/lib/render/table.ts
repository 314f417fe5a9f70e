/**
 * The one table module (docs/architecture.md, "Output width"): plain aligned tables for every
 * report — no borders, a rule under the header and above footer rows (totals), numbers
 * right-aligned. A table never prints wider than `width`:
 *
 * 1. columns are dropped, least important first (`dropOrder`), to keep text columns (model ids,
 *    groups) whole up to 32 columns; every dropped column is named in a marker line under the
 *    table, so no figure disappears silently;
 * 2. failing that, columns are dropped again from none with text shrunk to 16 columns, or to the
 *    width that still tells its values apart (ids are shortened in the middle, keeping both ends);
 * 3. then with text shrunk down to a few columns;
 * 4. a table that still does not fit (a terminal narrower than its figures) is cut at the edge,
 *    and the marker says so.
 *
 * Widths are terminal columns as printed (`visibleLength`: plainText + string-width), and cells are
 * padded here, styles kept as marks for the terminal writer. (cli-table3 did it before: it measured
 * every cell again, and cut each to 10 characters for a debug log one character at a time, which
 * took 40 s for a 16 KiB model name from a span.)
 */
import type { Colors } from './colors.js';
import { plainText, visibleLength } from './terminal.js';
import { clipEnd, shortenApart, textWidth, widthApart, wrapText } from './text-width.js';

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /**
   * When the table is too wide, columns with a `dropOrder` go, lowest first; columns without one
   * always stay. Text columns shrink instead (right-aligned figures are never cut).
   */
  dropOrder?: number;
  /** How a too-long text cell is shortened: `middle` for ids (default), `end` for prose. */
  shorten?: 'middle' | 'end';
}

export interface TableOptions {
  colors: Colors;
  /** Terminal width; Infinity when piped. */
  width?: number;
  /** Rows below a rule, e.g. the totals. */
  footer?: string[][];
  /** Where the dropped columns can be seen, for the marker: e.g. `--format csv`. */
  fullOutput?: string;
}

const GAP = 2;
/** Ids up to this width are kept whole while there are columns to drop: a cut id is hard to read. */
const WHOLE_TEXT = 32;
/** A text column is not narrowed below this (or its values' width, if smaller) before columns are dropped. */
const READABLE_TEXT = 16;
/** The least a text column keeps once every droppable column is gone. */
const MIN_TEXT = 6;

const isText = (c: Column) => (c.align ?? 'left') === 'left';

interface Layout {
  /** Indexes of the columns shown, in order. */
  shown: number[];
  /** Width of each column (by index into all columns). */
  widths: number[];
}

export function renderTable(columns: readonly Column[], rows: readonly string[][], opts: TableOptions): string {
  const footer = opts.footer ?? [];
  const width = opts.width ?? Infinity;
  const body = [...rows, ...footer];
  const plainColumn = (i: number) => body.map((r) => plainText(r[i] ?? ''));
  const natural = columns.map((c, i) => Math.max(textWidth(c.header), ...plainColumn(i).map(textWidth)));
  const layout = chooseLayout(columns, natural, width, (i, floor) => widthApart(plainColumn(i).filter(Boolean), floor, width));
  const { shown, widths } = layout;

  const shorteners = columns.map((c, i) =>
    c.shorten === 'end' ? (v: string) => clipEnd(v, widths[i]!) : shortenApart(plainColumn(i).filter(Boolean), widths[i]!),
  );
  // Padded by the width as printed (visibleLength), text left and figures right.
  const padded = (content: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, widths[i]! - visibleLength(content)));
    return isText(columns[i]!) ? content + fill : fill + content;
  };
  const cell = (text: string, i: number) => {
    const fits = visibleLength(text) <= widths[i]!;
    // A shortened cell loses its style: styles mark whole values, and this is no longer one.
    return padded(fits ? text : isText(columns[i]!) ? shorteners[i]!(plainText(text)) : clipEnd(plainText(text), widths[i]!), i);
  };
  const line = (cells: string[]) => cells.join(' '.repeat(GAP)).trimEnd();
  const row = (r: readonly string[]) => line(shown.map((i) => cell(r[i] ?? '', i)));
  const rule = line(shown.map((i) => opts.colors.dim('─'.repeat(widths[i]!))));
  let lines = [line(shown.map((i) => padded(opts.colors.bold(clipEnd(columns[i]!.header, widths[i]!)), i))), rule, ...rows.map(row)];
  if (footer.length) lines.push(rule, ...footer.map(row));
  const cut = lines.some((l) => visibleLength(l) > width);
  if (cut) lines = lines.map((l) => (visibleLength(l) > width ? clipEnd(plainText(l), width) : l));
  const dropped = columns.filter((_, i) => !shown.includes(i)).map((c) => c.header);
  return [...lines, ...droppedMarker(dropped, cut, width, opts)].join('\n');
}

/** The marker under a narrowed table: which columns it lacks and where to see them. */
function droppedMarker(dropped: string[], cut: boolean, width: number, opts: TableOptions): string[] {
  if (!dropped.length && !cut) return [];
  const what = [dropped.length ? `not shown: ${dropped.join(', ')}` : '', cut ? 'lines cut at the edge' : ''].filter(Boolean).join('; ');
  const where = `widen the terminal${opts.fullOutput ? ` or use ${opts.fullOutput}` : ''}`;
  return wrapText(`⋯ ${what} (${width} columns; ${where})`, width, '  ').map((l) => opts.colors.dim(l));
}

/**
 * Which columns to show and how wide: the first layout that fits, dropping columns to keep text
 * whole, then readable (and apart), then short; each time with as few columns dropped as can be.
 */
function chooseLayout(columns: readonly Column[], natural: number[], width: number, apartWidth: (i: number, floor: number) => number): Layout {
  const all = columns.map((_, i) => i);
  if (!Number.isFinite(width)) return { shown: all, widths: natural };
  const dropOrder = all.filter((i) => columns[i]!.dropOrder !== undefined).sort((a, b) => columns[a]!.dropOrder! - columns[b]!.dropOrder!);
  const readable = natural.map((n, i) => (isText(columns[i]!) ? Math.min(n, Math.max(READABLE_TEXT, textWidth(columns[i]!.header), apartWidth(i, READABLE_TEXT))) : n));
  const least = natural.map((n, i) => (isText(columns[i]!) ? Math.min(n, MIN_TEXT) : n));
  const whole = natural.map((n, i) => (isText(columns[i]!) ? Math.min(n, Math.max(WHOLE_TEXT, readable[i]!)) : n));
  for (const floors of [whole, readable, least]) {
    for (let k = 0; k <= dropOrder.length; k++) {
      const shown = all.filter((i) => !dropOrder.slice(0, k).includes(i));
      const widths = narrowed(shown, natural, floors, width);
      if (widths) return { shown, widths };
    }
  }
  const shown = all.filter((i) => !dropOrder.includes(i));
  return { shown, widths: [...least] };
}

/** Narrows the widest text columns (down to `floors`) until `shown` fits `width`; undefined if it cannot. */
function narrowed(shown: number[], natural: number[], floors: number[], width: number): number[] | undefined {
  const widths = [...natural];
  let excess = shown.reduce((s, i) => s + widths[i]!, 0) + GAP * (shown.length - 1) - width;
  while (excess > 0) {
    let widest = -1;
    for (const i of shown) if (widths[i]! > floors[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0) return undefined;
    widths[widest]!--;
    excess--;
  }
  return widths;
}
