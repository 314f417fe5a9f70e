/**
 * `--format stylish` (the default): findings grouped by trace, then by span, then a summary line
 * and the checklist scorecard. Grouping needs the findings until the end; past MAX_KEPT they are
 * not listed, only counted: the summary line's counts include them and it says how many were
 * not listed (the exit code does not change: it follows the counts, as in every format).
 */
import type { Colors } from '../../render/colors.js';
import { oneLine, plainText, visibleLength } from '../../render/terminal.js';
import { shortenMiddle, wrapText } from '../../render/text-width.js';
import { formatMessage } from '../messages.js';
import type { Finding, Severity } from '../types.js';
import { countsText, plural, type LintSummary, type Reporter } from './reporter.js';
import { scorecardLines } from './scorecard.js';

export const MAX_KEPT = 10_000;
/** Columns before a finding's message: four spaces, the severity (7) and two spaces. */
const FINDING_INDENT = 13;

const LABEL: Record<Severity, string> = { error: 'error', warn: 'warning', info: 'info' };

export class StylishReporter implements Reporter {
  /** traceId ('' for input problems) → spanId (or source for problems) → findings. */
  private readonly groups = new Map<string, Map<string, Finding[]>>();
  private kept = 0;
  private dropped = 0;

  constructor(
    private readonly colors: Colors,
    private readonly width = Infinity,
  ) {}

  *begin(): Iterable<string> {}

  *add(findings: readonly Finding[]): Iterable<string> {
    for (const f of findings) {
      if (this.kept >= MAX_KEPT) {
        this.dropped++;
        continue;
      }
      this.kept++;
      let trace = this.groups.get(f.traceId);
      if (!trace) this.groups.set(f.traceId, (trace = new Map()));
      const key = f.spanId !== '' ? f.spanId : `${f.source ?? ''}`;
      const list = trace.get(key);
      if (list) list.push(f);
      else trace.set(key, [f]);
    }
  }

  private severity(s: Severity): string {
    const text = LABEL[s].padEnd(7);
    return s === 'error' ? this.colors.red(text) : s === 'warn' ? this.colors.yellow(text) : this.colors.blue(text);
  }

  /** A finding; a message longer than the terminal wraps under itself (findings are never cut). */
  private line(f: Finding): string {
    const place = f.spanId === '' && f.line !== undefined ? `line ${f.line}: ` : '';
    const message = oneLine(place + formatMessage(f));
    const line = `    ${this.severity(f.severity)}  ${message}  ${this.colors.dim(f.rule)}`;
    if (visibleLength(line) <= this.width) return line;
    const indent = ' '.repeat(FINDING_INDENT);
    const [first, ...rest] = wrapText(`${message}  ${f.rule}`, Math.max(20, this.width - FINDING_INDENT));
    return [`    ${this.severity(f.severity)}  ${first}`, ...rest.map((l) => indent + l)].join('\n');
  }

  /** A heading (trace or span) with its id: the name is shortened in the middle to fit. */
  private heading(indent: string, name: string, id: string): string {
    const room = this.width - indent.length - 2 - visibleLength(id);
    return `${indent}${visibleLength(name) <= room ? name : shortenMiddle(plainText(name), Math.max(8, room))}  ${id}`;
  }

  *end(s: LintSummary): Iterable<string> {
    const c = this.colors;
    // Input problems (no trace) first: they explain gaps in what follows.
    const order = [...this.groups.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : 0));
    for (const traceId of order) {
      const spans = this.groups.get(traceId)!;
      if (traceId === '') {
        for (const [source, list] of spans) {
          yield `${c.bold('input')} ${oneLine(source)}\n`;
          for (const f of list) yield `${this.line(f)}\n`;
          yield '\n';
        }
        continue;
      }
      const first = spans.values().next().value?.[0];
      const source = first?.source ? oneLine(first.source) : '';
      const room = this.width - visibleLength(`trace ${traceId}  `);
      // The file's name is at the end of its path: a long path is shortened in the middle.
      const shownSource = visibleLength(source) <= room ? source : shortenMiddle(source, Math.max(8, room));
      yield `${c.bold(`trace ${traceId}`)}${source ? c.dim(`  ${shownSource}`) : ''}\n`;
      for (const list of spans.values()) {
        const f0 = list[0]!;
        yield `${this.heading('  ', oneLine(f0.spanName || '(unnamed)'), c.dim(f0.spanId))}\n`;
        for (const f of list) yield `${this.line(f)}\n`;
      }
      yield '\n';
    }

    const total = s.counts.error + s.counts.warn + s.counts.info;
    const read = `${plural(s.scorecard.spans, 'span')} of ${plural(s.scorecard.traces, 'trace')}`;
    // What the list above lacks is said on the summary line itself, never only on a later line.
    const notShown = this.dropped > 0 ? `; ${plural(this.dropped, 'finding')} not listed (stylish lists ${MAX_KEPT.toLocaleString('en-US')}; --format json or sarif lists all)` : '';
    const notReported = s.problemsNotReported > 0 ? `; ${plural(s.problemsNotReported, 'more decode problem')} not reported (too many bad records at once)` : '';
    const wrap = (mark: string, text: string) => `${mark} ${wrapText(text, this.width - 2, '  ').join('\n')}\n`;
    if (total === 0 && s.problemsNotReported === 0) yield wrap(c.green('✔'), `no problems in ${read}`);
    else {
      const mark = s.counts.error > 0 || s.problemsNotReported > 0 ? c.red('✖') : c.yellow('⚠');
      yield wrap(mark, `${plural(total, 'problem')} (${countsText(s.counts)}) in ${read}${notShown}${notReported}`);
    }
    if (s.quiet && s.counts.warn + s.counts.info > 0) yield c.dim('  warnings and infos hidden by --quiet\n');
    if (s.maxWarnings !== undefined && s.counts.warn > s.maxWarnings) {
      yield c.red(`  ${plural(s.counts.warn, 'warning')}: more than --max-warnings ${s.maxWarnings}\n`);
    }
    yield '\n';
    for (const l of scorecardLines(s.scorecard, c, s.label, this.width)) yield `${l}\n`;
  }
}
