/**
 * Text measured and cut in terminal columns, not UTF-16 code units (docs/architecture.md, "Output
 * width"): a CJK character or an emoji takes two columns, a combining mark none, and a cut never
 * splits a surrogate pair or a grapheme cluster. Widths come from string-width, and tables are
 * padded by the same measure (table.ts). Functions here take plain text: styled text
 * is measured through `visibleLength` in terminal.ts, which strips our marked styles first.
 */
import stringWidth from 'string-width';

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
/**
 * Characters one column wide each, as string-width counts them: printable ASCII, Latin and Greek
 * letters, and the box-drawing guides and symbols our renderers draw (· … → ∑ ⋯ ⏎ ◦ ✓ ✗ ✖ –
 * —). Most lines are only these, and string-width's emoji and ANSI regexes cost `tree` much of its
 * time (docs/architecture.md "Measurements behind constants"). test/render/text-width.test.ts
 * checks each against string-width.
 */
export const ONE_COLUMN = /^[\x20-\x7e\u00b7\u00c0-\u024f\u0391-\u03c9\u2013\u2014\u2026\u2192\u2211\u22ef\u23ce\u2500-\u257f\u25e6\u2713\u2716\u2717]*$/;

/** Columns plain text takes on a terminal. */
export function textWidth(plain: string): number {
  return ONE_COLUMN.test(plain) ? plain.length : stringWidth(plain);
}

interface Cluster {
  text: string;
  width: number;
}

function clusters(plain: string): Cluster[] {
  // textWidth: a one-column cluster (most of them) is not run through string-width's regexes.
  return Array.from(graphemes.segment(plain), ({ segment }) => ({ text: segment, width: textWidth(segment) }));
}

/**
 * UTF-16 units looked at from each end of a long string when only `width` columns of it are kept.
 * A kept column is at least one unit, so this covers every cluster of up to 16 units (emoji ZWJ
 * sequences, stacked marks); a string longer than it is cut from its ends only, so a 1 MiB model
 * name costs what a short one does instead of seconds of segmenting (docs/architecture.md,
 * "Output width").
 */
const unitsPerColumn = 16;

/** The clusters of `plain`'s first (`end` false) or last units that can matter for `width` columns. */
function endClusters(plain: string, width: number, end: boolean): Cluster[] {
  const units = (width + 2) * unitsPerColumn;
  if (plain.length <= 2 * units) return clusters(plain);
  const parts = clusters(end ? plain.slice(-units) : plain.slice(0, units));
  // The cluster at the slice's edge may be cut: drop it (what is left still spans `width` columns).
  return end ? parts.slice(1) : parts.slice(0, -1);
}

/** The longest prefix of `parts` within `width` columns. */
function head(parts: Cluster[], width: number): string {
  let out = '';
  let used = 0;
  for (const p of parts) {
    if (used + p.width > width) break;
    out += p.text;
    used += p.width;
  }
  return out;
}

/** The longest suffix of `parts` within `width` columns. */
function tail(parts: Cluster[], width: number): string {
  let out = '';
  let used = 0;
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    if (used + p.width > width) break;
    out = p.text + out;
    used += p.width;
  }
  return out;
}

/**
 * Whether `plain` takes more than `width` columns. A long string is first measured by its start
 * (as many units as a cut looks at), so deciding to cut a 1 MiB name costs what a short one does.
 */
function widerThan(plain: string, width: number): boolean {
  const units = (width + 2) * unitsPerColumn;
  if (plain.length > units && textWidth(plain.slice(0, units)) > width) return true;
  return textWidth(plain) > width;
}

/** `plain` cut at the end to `width` columns, `…` marking the cut. */
export function clipEnd(plain: string, width: number): string {
  if (width <= 0) return '';
  if (!widerThan(plain, width)) return plain;
  return `${head(endClusters(plain, width, false), width - 1)}…`;
}

/**
 * `plain` shortened in the middle to `width` columns: model and span ids differ at their ends
 * (`…-20241022`, `…-mini`), so both ends are kept. `tailColumns` says how many columns the end
 * keeps; by default a little more than half.
 */
export function shortenMiddle(plain: string, width: number, tailColumns?: number): string {
  if (width <= 0) return '';
  if (!widerThan(plain, width)) return plain;
  if (width === 1) return '…';
  const room = width - 1;
  const back = Math.min(room, tailColumns ?? Math.ceil(room / 2));
  const end = tail(endClusters(plain, width, true), back);
  return `${head(endClusters(plain, width, false), room - textWidth(end))}…${end}`;
}

/**
 * A shortening of every value to `width` columns that keeps distinct values distinct when any
 * split of the cut does: `gpt-4o-2024-05-13` and `gpt-4o-2024-08-06` both shorten to
 * `gpt-4o-2024-…` at the end, but not in the middle with enough of the tail kept.
 */
export function shortenApart(values: readonly string[], width: number): (value: string) => string {
  const distinct = [...new Set(values)];
  const long = distinct.filter((v) => widerThan(v, width));
  if (!long.length || width <= 1) return (v) => shortenMiddle(v, width);
  const room = width - 1;
  const splits = [Math.ceil(room / 2)];
  for (let back = room; back >= 0; back--) if (back !== splits[0]) splits.push(back);
  for (const back of splits) {
    const shortened = new Set(distinct.map((v) => shortenMiddle(v, width, back)));
    if (shortened.size === distinct.length) return (v) => shortenMiddle(v, width, back);
  }
  return (v) => shortenMiddle(v, width);
}

/**
 * The narrowest width (≥ `floor`, ≤ `ceiling`) at which `shortenApart` still tells every value
 * apart. Tried from the widest down: the ceiling (the table's width) bounds the tries, which were
 * one per column of the longest value (a 2,000-character model name stalled `cost` for minutes).
 */
export function widthApart(values: readonly string[], floor: number, ceiling = Infinity): number {
  const natural = Math.min(ceiling, Math.max(0, ...values.map(textWidth)));
  const distinct = new Set(values).size;
  let best = natural;
  for (let w = natural - 1; w >= floor; w--) {
    const shorten = shortenApart(values, w);
    if (new Set(values.map(shorten)).size < distinct) break;
    best = w;
  }
  return best;
}

/** `plain` broken into lines of at most `width` columns, at spaces where it can be (runs of spaces become one). */
export function wrapText(plain: string, width: number, indent = ''): string[] {
  if (!Number.isFinite(width) || textWidth(plain) <= width) return [plain];
  const room = Math.max(1, width - textWidth(indent));
  const lines: string[] = [];
  let line = '';
  const push = () => {
    lines.push(lines.length ? indent + line : line);
    line = '';
  };
  for (const word of plain.split(/ +/)) {
    const limit = lines.length ? room : width;
    const candidate = line ? `${line} ${word}` : word;
    if (textWidth(candidate) <= limit) {
      line = candidate;
      continue;
    }
    if (line) push();
    let rest = word;
    // A word longer than a line (a URL, an id) is broken where the line ends.
    while (widerThan(rest, lines.length ? room : width)) {
      // Only the start of what is left is segmented: a 1 MiB word is not segmented once a line.
      const parts = endClusters(rest, lines.length ? room : width, false);
      // At least one cluster per line, or a wide character in a one-column room never ends.
      const piece = head(parts, lines.length ? room : width) || parts[0]!.text;
      line = piece;
      push();
      rest = rest.slice(piece.length);
    }
    line = rest;
  }
  if (line || !lines.length) push();
  return lines;
}
