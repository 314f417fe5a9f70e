/** The one error type the CLI layer turns into a short message, a hint and an exit code. */
export class LlmtraceError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
    this.name = 'LlmtraceError';
  }
}

/** A bad record in otherwise usable input: reported with its place, skipped, counted. */
export interface Problem {
  /** File path, `-` for stdin, or another source label. */
  source: string;
  /** 1-based line for line-oriented input, or record index for binary streams. */
  line?: number;
  /** Dotted path of the offending field, e.g. `resourceSpans[0].scopeSpans[1].spans[3].traceId`. */
  field?: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = p.line !== undefined ? `${p.source}:${p.line}` : p.source;
  return `${where}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** Thrown by decoders for a whole record that cannot be used; carries the field path. */
export class DecodeError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}
