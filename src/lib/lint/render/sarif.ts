/**
 * `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers, streamed.
 * One run; `tool.driver.rules` lists every rule (with its effective level, `enabled: false` when
 * off) so `ruleIndex` is stable; each result has ruleId + ruleIndex, level, message.text and a
 * location: the input file as the artifact (`stdin` for standard input; with the line for JSON Lines) and a logical location
 * `traceId/spanId` for the span. The scorecard goes in the run's property bag.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatMessage } from '../messages.js';
import { RULES, ruleHelpUri, RULE_DOCS_URL } from '../registry.js';
import type { Finding, RuleId, Severity, SeveritySetting } from '../types.js';
import type { LintSummary, Reporter } from './reporter.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warn: 'warning', info: 'note' };

const INDEX = new Map<RuleId, number>(RULES.map((r, i) => [r.id, i]));

/**
 * A source label → an artifact URI: relative (forward slashes) inside `cwd`, else a file: URL.
 * Standard input is `stdin`: GitHub code scanning refuses a whole upload when one result has no
 * file location ("locationFromSarifResult: expected artifact location").
 */
export function artifactUri(source: string, cwd = process.cwd()): string | undefined {
  if (source === '') return undefined;
  if (source === '-') return 'stdin';
  const abs = path.resolve(cwd, source);
  const rel = path.relative(cwd, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return pathToFileURL(abs).href;
  return rel.split(path.sep).map(encodeURIComponent).join('/');
}

function ruleDescriptor(r: (typeof RULES)[number], setting: SeveritySetting): Record<string, unknown> {
  return {
    id: r.id,
    name: r.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
    shortDescription: { text: r.description },
    fullDescription: { text: `${r.docs.checks} ${r.docs.why}` },
    help: { text: r.docs.fix, markdown: `**Why:** ${r.docs.why}\n\n**Fix:** ${r.docs.fix}` },
    helpUri: ruleHelpUri(r.id),
    defaultConfiguration: setting === 'off' ? { enabled: false, level: LEVEL[r.defaultSeverity] } : { level: LEVEL[setting] },
  };
}

export function sarifResult(f: Finding, cwd = process.cwd()): Record<string, unknown> {
  const location: Record<string, unknown> = {};
  const uri = f.source === undefined ? undefined : artifactUri(f.source, cwd);
  if (uri !== undefined) {
    location.physicalLocation = {
      artifactLocation: { uri },
      ...(f.line !== undefined ? { region: { startLine: f.line } } : {}),
    };
  }
  if (f.spanId !== '') {
    location.logicalLocations = [{ name: f.spanName || f.spanId, fullyQualifiedName: `${f.traceId}/${f.spanId}`, kind: 'span' }];
  }
  const result: Record<string, unknown> = {
    ruleId: f.rule,
    ruleIndex: INDEX.get(f.rule),
    level: LEVEL[f.severity],
    message: { text: formatMessage(f) },
  };
  if (Object.keys(location).length) result.locations = [location];
  result.properties = { traceId: f.traceId, spanId: f.spanId, facts: f.facts };
  return result;
}

export class SarifReporter implements Reporter {
  private first = true;

  constructor(
    private readonly version: string,
    private readonly severities: Readonly<Record<RuleId, SeveritySetting>>,
    private readonly cwd = process.cwd(),
  ) {}

  *begin(): Iterable<string> {
    const driver = {
      name: 'llmtrace',
      version: this.version,
      informationUri: RULE_DOCS_URL,
      rules: RULES.map((r) => ruleDescriptor(r, this.severities[r.id])),
    };
    yield `{"$schema":${JSON.stringify(SARIF_SCHEMA)},"version":"2.1.0","runs":[{"tool":{"driver":${JSON.stringify(driver)}},"results":[`;
  }

  *add(findings: readonly Finding[]): Iterable<string> {
    for (const f of findings) {
      yield `${this.first ? '\n' : ',\n'}${JSON.stringify(sarifResult(f, this.cwd))}`;
      this.first = false;
    }
  }

  *end(s: LintSummary): Iterable<string> {
    const props = { scorecard: s.scorecard, counts: s.counts, problemsNotReported: s.problemsNotReported };
    yield `${this.first ? '' : '\n'}],"properties":${JSON.stringify(props)}}]}\n`;
  }
}
