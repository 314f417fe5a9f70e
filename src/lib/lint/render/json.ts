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
import { newFinding, type FindingPlace } from '../finding.js';
import type { ByteBuilder } from './byte-builder.js';
import { formatMessage } from '../messages.js';
import type { Finding, RuleFacts, RuleId, Severity } from '../types.js';
import type { LintSummary, Reporter } from './reporter.js';

export function findingJson(f: Finding): Record<string, unknown> {
  const o: Record<string, unknown> = {
    rule: f.rule,
    severity: f.severity,
    message: formatMessage(f),
    traceId: f.traceId,
    spanId: f.spanId,
    spanName: f.spanName,
  };
  if (f.source !== undefined) o.source = f.source;
  if (f.line !== undefined) o.line = f.line;
  o.facts = f.facts;
  return o;
}

/**
 * `JSON.stringify(findingJson(f))`, written directly: the same text (key order, escaping), for
 * the millions of findings a large dump can have. Rule ids, severities and ids need no escaping.
 */
export function findingJsonText(f: Finding): string {
  return headText(f.rule, f.severity, formatMessage(f)) + placeText(f, sourceText(f.source)) + tailText(f.facts);
}

/** A finding's JSON up to its traceId's opening quote. */
const headText = (rule: string, severity: string, message: string) => `{"rule":"${rule}","severity":"${severity}","message":${jsonString(message)},"traceId":"`;

/** `…","spanId":"…","spanName":…,"source":…,"line":…` (after the traceId's opening quote). */
function placeText(f: FindingPlace, source: string): string {
  const out = `${f.traceId}","spanId":"${f.spanId}","spanName":${jsonString(f.spanName)}${source}`;
  return f.line === undefined ? out : `${out},"line":${f.line}`;
}

const sourceText = (source: string | undefined) => (source === undefined ? '' : `,"source":${jsonString(source)}`);

const tailText = (facts: unknown) => `,"facts":${JSON.stringify(facts)}}`;

/**
 * findingJsonText for a stream of findings, written as bytes where it matters (a worker renders
 * millions): the text before the place (rule, severity, message) and after it (facts) is kept
 * as bytes per shared facts object (facts-memo.ts); the place is encoded once per span (its
 * findings come one after the other) and copied for the next ones. The same bytes as
 * findingJsonText.
 */
export class JsonFindingBytes {
  private readonly byFacts = new Map<object, { rule: string; severity: string; head: Uint8Array; tail: Uint8Array }>();
  /** The place (one object per span) last written, and where in the current output (-1: not there). */
  private placeOf: FindingPlace | undefined;
  private placeStart = -1;
  private placeLength = 0;
  private source: string | undefined;
  private sourceText = '';

  /** Writes the finding newFinding would make of these. */
  write(rule: RuleId, severity: Severity, where: FindingPlace, facts: RuleFacts[RuleId], out: ByteBuilder): void {
    let parts = this.byFacts.get(facts);
    if (parts === undefined || parts.rule !== rule || parts.severity !== severity) {
      const message = formatMessage(newFinding(rule, severity, where, facts));
      parts = {
        rule,
        severity,
        head: Buffer.from(headText(rule, severity, message), 'utf8'),
        tail: Buffer.from(tailText(facts), 'utf8'),
      };
      if (isShared(facts) && this.byFacts.size < FACTS_TEXT_LIMIT) this.byFacts.set(facts, parts);
    }
    out.bytes(parts.head);
    if (where === this.placeOf && this.placeStart >= 0) out.again(this.placeStart, this.placeLength);
    else {
      const start = out.length;
      out.text(this.placeText(where));
      this.placeOf = where;
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

/** Shared facts objects whose bytes a JsonFindingBytes keeps, at most. */
const FACTS_TEXT_LIMIT = 16_384;

export class JsonReporter implements Reporter {
  private first = true;

  *begin(): Iterable<string> {
    yield '{"findings":[';
  }

  *addRendered(piece: Uint8Array): Iterable<string | Uint8Array> {
    yield this.first ? '\n' : ',\n';
    yield piece;
    this.first = false;
  }

  *add(findings: readonly Finding[]): Iterable<string> {
    for (const f of findings) {
      yield `${this.first ? '\n' : ',\n'}${findingJsonText(f)}`;
      this.first = false;
    }
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
