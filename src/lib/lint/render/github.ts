/**
 * `--format github`: GitHub Actions workflow commands, one annotation per finding, streamed:
 *
 *   ::error file=dump.jsonl,line=3,title=llmtrace llm-missing-usage::chat gpt-4o (c2273022…): …
 *
 * Escaping per the workflow-commands rules (actions/toolkit `command.ts`): in the message,
 * `%` → `%25`, CR → `%0D`, LF → `%0A`; in property values additionally `:` → `%3A` and
 * `,` → `%2C`; other control characters are dropped. Levels: error, warning, notice (for info). A plain-text summary and the
 * scorecard follow, which the log shows as is.
 */
import type { Colors } from '../../render/colors.js';
import { formatMessage, formatWhere } from '../messages.js';
import type { Finding, Severity } from '../types.js';
import { countsText, plural, type LintSummary, type Reporter } from './reporter.js';
import { scorecardLines } from './scorecard.js';

const COMMAND: Record<Severity, string> = { error: 'error', warn: 'warning', info: 'notice' };

/**
 * Controls the runner would pass on to the log viewer (ESC sequences, OSC 52 clipboard writes, C1,
 * bidi overrides) are dropped: an annotation is plain text, and the rules above encode only CR/LF.
 */
// eslint-disable-next-line no-control-regex
const DROPPED = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function escapeData(s: string): string {
  return s.replace(DROPPED, '').replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function annotation(f: Finding): string {
  const props: string[] = [];
  if (f.source !== undefined && f.source !== '-') props.push(`file=${escapeProperty(f.source)}`);
  if (f.line !== undefined) props.push(`line=${f.line}`);
  props.push(`title=${escapeProperty(`llmtrace ${f.rule}`)}`);
  const where = f.spanId !== '' ? `${formatWhere(f)} in trace ${f.traceId}: ` : '';
  return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(where + formatMessage(f))}`;
}

export class GithubReporter implements Reporter {
  constructor(private readonly colors: Colors) {}

  *begin(): Iterable<string> {}

  *add(findings: readonly Finding[]): Iterable<string> {
    for (const f of findings) yield `${annotation(f)}\n`;
  }

  *end(s: LintSummary): Iterable<string> {
    const notReported = s.problemsNotReported > 0 ? `, ${plural(s.problemsNotReported, 'decode problem')} not reported` : '';
    yield `llmtrace lint: ${countsText(s.counts)}${notReported}${s.failed ? ' — failed' : ''}\n`;
    for (const l of scorecardLines(s.scorecard, this.colors, s.label)) yield `${l}\n`;
  }
}
