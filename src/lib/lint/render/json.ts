/**
 * `--format json`, streamed (one finding per line) so memory stays flat on large inputs:
 *
 *   { "findings": [ { "rule", "severity", "message", "traceId", "spanId", "spanName",
 *                     "source"?, "line"?, "facts": {…rule-specific…} }, … ],
 *     "summary": { "errors", "warnings", "infos", "shown", "failed", "maxWarnings",
 *                  "spans", "traces", "inputs" },
 *     "scorecard": { "spans", "traces", "genAiSpans", "llmSpans", "toolSpans", "genAiRoots",
 *                    "noGenAi", "items": [ { "id", "label", "count", "total", "share", "goal",
 *                    "ok" } ], "deprecatedKeys": { key: spans } },
 *     "rules": { "<rule id>": "off" | "info" | "warn" | "error" } }
 *
 * `traceId`/`spanId`/`spanName` are "" for input problems (spans that never decoded).
 */
import { jsonString } from '../../render/json-string.js';
import { formatMessage } from '../messages.js';
import type { Finding } from '../types.js';
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
  let out = `{"rule":"${f.rule}","severity":"${f.severity}","message":${jsonString(formatMessage(f))},"traceId":"${f.traceId}","spanId":"${f.spanId}","spanName":${jsonString(f.spanName)}`;
  if (f.source !== undefined) out += `,"source":${jsonString(f.source)}`;
  if (f.line !== undefined) out += `,"line":${f.line}`;
  return `${out},"facts":${JSON.stringify(f.facts)}}`;
}

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
    };
    yield `${this.first ? '' : '\n'}],\n"summary":${JSON.stringify(summary)},\n"scorecard":${JSON.stringify(s.scorecard)},\n"rules":${JSON.stringify(s.severities)}}\n`;
  }
}
