/**
 * The one chalk instance. Color only when the output is a terminal, unless FORCE_COLOR says
 * otherwise; NO_COLOR (any non-empty value) and --no-color always win.
 */
import { Chalk, supportsColor, type ChalkInstance } from 'chalk';

export interface ColorOptions {
  noColor?: boolean;
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
}

export function colorLevel(opts: ColorOptions = {}): 0 | 1 | 2 | 3 {
  const env = opts.env ?? process.env;
  if (opts.noColor || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return n >= 1 && n <= 3 ? (n as 1 | 2 | 3) : 1;
  }
  if (!(opts.isTTY ?? process.stdout.isTTY)) return 0;
  return supportsColor ? supportsColor.level : 1;
}

export function makeColors(opts: ColorOptions = {}): ChalkInstance {
  return new Chalk({ level: colorLevel(opts) });
}

export type Colors = ChalkInstance;
