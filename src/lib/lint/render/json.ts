/**
 * `--format json`, streamed (one finding per line) so memory stays flat on large inputs:
 *
 *   { "findings": [ { "rule", "severity", "message", "traceId", "spanId", "spanName",
 *                     "source"?, "line"?, "facts": {…rule-specific…} }, … ],
 *     "summary": { "errors", "warnings", "infos", "shown", "failed", "maxWarnings",
 *                  "spans", "traces", "inputs", "problemsNotReported" },
 *     "scorecard": { "spans", "traces", "genAiSpans", "llmSpans", "toolSpans", "genAiRoots",
 *                    "noGenAi", "items": [ { "id", "label", "count", "total", "share", "goal",
 *                    "ok" } ], "deprecatedKeys": { key: spans } },
 *     "rules": { "<rule id>": "off" | "info" | "warn" | "error" } }
 *
 * `traceId`/`spanId`/`spanName` are "" for input problems (spans that never decoded).
 * `problemsNotReported` counts decode problems that are not among the findings (a flood of bad
 * records larger than the reader holds at once); the run fails when it is not 0.
 */
import { jsonString } from '../../json-string.js';
import { isShared } from '../facts-memo.js';
import type { FindingPlace } from '../finding.js';
import { ByteBuilder } from './byte-builder.js';
import { formatMessage } from '../messages.js';
import type { Finding } from '../types.js';
import type { LintSummary, Reporter } from './reporter.js';

/** A finding's JSON up to its traceId's opening quote. */
const headText = (rule: string, severity: string, message: string) => `{"rule":"${rule}","severity":"${severity}","message":${jsonString(message)},"traceId":"`;

/** `…","spanId":"…","spanName":…,"source":…,"line":…` (after the traceId's opening quote). */
function placeText(f: FindingPlace, source: string): string {
  const out = `${f.traceId}","spanId":"${f.spanId}","spanName":${jsonString(f.spanName)}${source}`;
  return f.line === undefined ? out : `${out},"line":${f.line}`;
}

const sourceText = (source: string | undefined) => (source === undefined ? '' : `,"source":${jsonString(source)}`);

const tailText = (facts: unknown) => `,"facts":${JSON.stringify(facts)}}`;

const samePlace = (a: FindingPlace, b: FindingPlace) => a.traceId === b.traceId && a.spanId === b.spanId && a.spanName === b.spanName && a.source === b.source && a.line === b.line;

/**
 * Findings as JSON bytes, for the millions of findings a large dump can have: the text before
 * the place (rule, severity, message) and after it (facts) is kept as bytes per shared facts
 * object (facts-memo.ts), for as long as that object lives; the place is encoded once per span
 * (its findings come one after the other) and copied for the next ones. Rule ids, severities
 * and ids need no escaping.
 */
export class JsonFindingBytes {
  private readonly byFacts = new WeakMap<object, { rule: string; severity: string; head: Uint8Array; tail: Uint8Array }>();
  /** The place last written, and where in the current output (-1: not there). */
  private placeOf: FindingPlace | undefined;
  private placeStart = -1;
  private placeLength = 0;
  private source: string | undefined;
  private sourceText = '';

  write(f: Finding, out: ByteBuilder): void {
    let parts = this.byFacts.get(f.facts);
    if (parts === undefined || parts.rule !== f.rule || parts.severity !== f.severity) {
      parts = {
        rule: f.rule,
        severity: f.severity,
        head: Buffer.from(headText(f.rule, f.severity, formatMessage(f)), 'utf8'),
        tail: Buffer.from(tailText(f.facts), 'utf8'),
      };
      if (isShared(f.facts)) this.byFacts.set(f.facts, parts);
    }
    out.bytes(parts.head);
    if (this.placeStart >= 0 && samePlace(f, this.placeOf!)) out.again(this.placeStart, this.placeLength);
    else {
      const start = out.length;
      out.text(this.placeText(f));
      this.placeOf = f;
      this.placeStart = start;
      this.placeLength = out.length - start;
    }
    out.bytes(parts.tail);
  }

  /** The output was taken: places written so far are gone. */
  restart(): void {
    this.placeStart = -1;
  }

  /** placeText, with the source's text kept from the previous finding's (one file at a time). */
  private placeText(f: FindingPlace): string {
    if (f.source !== this.source) {
      this.source = f.source;
      this.sourceText = sourceText(f.source);
    }
    return placeText(f, this.sourceText);
  }
}

const COMMA = 0x2c;
const LF = 0x0a;

export class JsonReporter implements Reporter {
  private first = true;
  private readonly out = new ByteBuilder();
  private readonly json = new JsonFindingBytes();

  *begin(): Iterable<string> {
    yield '{"findings":[';
  }

  *add(findings: readonly Finding[]): Iterable<Uint8Array> {
    for (const f of findings) {
      if (!this.first) this.out.byte(COMMA);
      this.out.byte(LF);
      this.first = false;
      this.json.write(f, this.out);
    }
    yield this.out.take();
    this.json.restart();
  }

  *end(s: LintSummary): Iterable<string> {
    const summary = {
      errors: s.counts.error,
      warnings: s.counts.warn,
      infos: s.counts.info,
      shown: s.shown,
      failed: s.failed,
      maxWarnings: s.maxWarnings ?? null,
      spans: s.scorecard.spans,
      traces: s.scorecard.traces,
      inputs: s.inputs,
      problemsNotReported: s.problemsNotReported,
    };
    yield `${this.first ? '' : '\n'}],\n"summary":${JSON.stringify(summary)},\n"scorecard":${JSON.stringify(s.scorecard)},\n"rules":${JSON.stringify(s.severities)}}\n`;
  }
}
