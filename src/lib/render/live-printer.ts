/**
 * Writes the live view's events: text lines or NDJSON on stdout, diagnostics on stderr, and in a
 * terminal a running-total line kept at the bottom of stderr (cleared before other output and
 * drawn again after it; never any cursor movement when stderr is not a terminal).
 */
import type { Colors } from './colors.js';
import {
  clockTime,
  fit,
  renderAgentCallLine,
  renderAgentMetricsLine,
  renderLogLine,
  renderSpanLine,
  renderSummary,
  renderTotalLine,
  renderTraceDone,
  type LiveTextOptions,
  type SummaryData,
} from './live.js';
import { agentCallEvent, agentMetricsEvent, logEvent, rejectedEvent, spanEvent, summaryEvent, traceEvent } from './live-json.js';
import { CLEAR_LINE, jsonSafe, oneLine, toTerminal } from './terminal.js';
import type { LiveEvent } from '../live/events.js';
import type { SessionTotals } from '../live/totals.js';

export type LiveMode = 'text' | 'json' | 'quiet';

export interface PrinterOptions {
  mode: LiveMode;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Colors of stdout, and whether costs are shown. */
  text: Omit<LiveTextOptions, 'width'>;
  /**
   * Columns of stdout (`outputWidth`), asked at every write: a terminal can be resized while
   * `tail` runs (docs/architecture.md "Output width").
   */
  width: () => number;
  /** Colors of stderr. */
  errColors: Colors;
  /** Draw the running total (text mode, stderr a terminal). */
  statusLine: boolean;
  totals: () => SessionTotals;
}

export class LivePrinter {
  private statusShown = false;
  private dirty = false;
  private stdoutBroken = false;
  private lastBlank = true;

  constructor(private readonly options: PrinterOptions) {
    // `tail --json | head -1`: the reader left; stop writing rather than crash.
    options.stdout.on('error', () => {
      this.stdoutBroken = true;
    });
  }

  handle(e: LiveEvent): void {
    const { mode } = this.options;
    const text = this.textOptions();
    this.dirty = true;
    if (mode === 'quiet') return;
    if (mode === 'json') {
      if (e.type === 'span') this.json(spanEvent(e.line));
      else if (e.type === 'log') this.json(logEvent(e.log, e.spanName));
      else if (e.type === 'trace') this.json(traceEvent(e.done, text.pricing));
      else if (e.type === 'rejected') this.json(rejectedEvent(e));
      else if (e.type === 'agent-call') this.json(agentCallEvent(e.call));
      else if (e.type === 'agent-metrics') this.json(agentMetricsEvent(e.metrics));
      else this.err(`llmtrace: ${e.text}`);
      return;
    }
    if (e.type === 'span') this.out(renderSpanLine(e.line, text));
    else if (e.type === 'agent-call') this.out([renderAgentCallLine(e.call, text)]);
    else if (e.type === 'agent-metrics') this.out([renderAgentMetricsLine(e.metrics, text)]);
    else if (e.type === 'log') this.out([renderLogLine(e.log, e.spanName, text)]);
    else if (e.type === 'trace') {
      if (e.done.genai) this.out(renderTraceDone(e.done, text));
    } else if (e.type === 'rejected') {
      const c = this.options.errColors;
      this.err(c.yellow(`${clockTime(e.atMs)}  ✗ rejected ${e.protocol} ${e.status}: ${e.reason}`));
    } else this.err(this.options.errColors.dim(`llmtrace: ${e.text}`));
  }

  /** Diagnostics (stderr), kept clear of the running total. */
  err(line: string): void {
    this.clearStatus();
    this.options.stderr.write(`${toTerminal(oneLine(line))}\n`);
    this.drawStatus();
  }

  json(ev: Record<string, unknown>): void {
    this.write(jsonSafe(`${JSON.stringify(ev)}\n`));
  }

  /** Redraws the running total if anything changed since (called a few times a second). */
  refresh(): void {
    if (this.dirty) this.drawStatus();
  }

  summary(s: SummaryData): void {
    this.clearStatus();
    this.options.statusLine = false;
    if (this.options.mode === 'json') this.json(summaryEvent(s));
    else this.write(toTerminal(renderSummary(s, this.options.text.colors, this.options.width()).map((l) => `${l}\n`).join('')));
  }

  private textOptions(): LiveTextOptions {
    return { ...this.options.text, width: this.options.width() };
  }

  private out(lines: string[]): void {
    // Trees come between blank lines: two trees in a row share one.
    if (this.lastBlank && lines[0] === '') lines = lines.slice(1);
    if (!lines.length) return;
    this.lastBlank = lines[lines.length - 1] === '';
    // Only when stdout shares the terminal does the status line need to get out of the way.
    if (this.options.stdout.isTTY) this.clearStatus();
    this.write(toTerminal(lines.map((l) => `${l}\n`).join('')));
    this.drawStatus();
  }

  /** `s` already made safe by its mode's rules (see render/terminal.ts). */
  private write(s: string): void {
    if (!this.stdoutBroken) this.options.stdout.write(s);
  }

  private clearStatus(): void {
    if (this.statusShown) this.options.stderr.write(CLEAR_LINE);
    this.statusShown = false;
  }

  private drawStatus(): void {
    this.dirty = false;
    if (!this.options.statusLine) return;
    const line = renderTotalLine(this.options.totals(), this.options.text.pricing, this.options.errColors);
    // Short of the edge: a full line, or the `^C` the terminal echoes after it, would wrap and
    // leave the total behind when it is cleared.
    const cols = (this.options.stderr.columns ?? 80) - 3;
    this.options.stderr.write(`${CLEAR_LINE}${toTerminal(fit(line, cols))}`);
    this.statusShown = true;
  }
}
