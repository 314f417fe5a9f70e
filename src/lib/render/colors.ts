/**
 * The one set of styles. Color only when the output is a terminal (and not TERM=dumb), unless
 * FORCE_COLOR says otherwise; NO_COLOR (any non-empty value) and --no-color always win.
 *
 * Styles are written as marked sequences that only the terminal writer turns into SGR, so styles in
 * span data stay inert (docs/architecture.md, "Terminal safety"). A style nested in another reopens
 * the outer one after it closes, as chalk does.
 */
import { markedStyle } from './terminal.js';

export interface ColorOptions {
  noColor?: boolean;
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** SGR open and close codes of the styles renderers use. */
const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  white: [37, 39],
} as const;

export type Colors = Record<keyof typeof STYLES, (s: string) => string>;

export function colorEnabled(opts: ColorOptions = {}): boolean {
  const env = opts.env ?? process.env;
  if (opts.noColor || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (!(opts.isTTY ?? process.stdout.isTTY)) return false;
  return env.TERM !== 'dumb';
}

export function makeColors(opts: ColorOptions = {}): Colors {
  const on = colorEnabled(opts);
  const colors = {} as Colors;
  for (const [name, [open, close]] of Object.entries(STYLES) as [keyof Colors, readonly [number, number]][]) {
    const start = markedStyle(String(open));
    const end = markedStyle(String(close));
    colors[name] = on ? (s) => `${start}${s.replaceAll(end, end + start)}${end}` : (s) => s;
  }
  return colors;
}
