/**
 * The formats that write each finding on its own (json, sarif, github) render it with a pure
 * function, so findings can be rendered where they are found — on a worker thread for large
 * inputs — and only their bytes cross to the main thread, which writes them in order.
 */
import type { Finding } from '../types.js';
import { annotation } from './github.js';
import { findingJsonText } from './json.js';
import { sarifResult } from './sarif.js';

export type StreamFormat = 'json' | 'sarif' | 'github';

export interface RenderSpec {
  format: StreamFormat;
  /** SARIF artifact URIs are relative to this directory. */
  cwd: string;
  /** --quiet: only errors are written (all are still counted). */
  quiet: boolean;
}

export function renderFinding(spec: RenderSpec, f: Finding): string {
  if (spec.format === 'json') return findingJsonText(f);
  if (spec.format === 'sarif') return JSON.stringify(sarifResult(f, spec.cwd));
  return annotation(f);
}

/**
 * Rendered findings as one piece of output: JSON array elements joined by `,\n` (the reporter
 * writes the separator before the piece), annotations each on its own line.
 */
export function joinRendered(spec: RenderSpec, texts: readonly string[]): string {
  return spec.format === 'github' ? texts.map((t) => `${t}\n`).join('') : texts.join(',\n');
}
