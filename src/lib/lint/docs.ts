/**
 * docs/lint-rules.md, rendered from the registry so the docs cannot drift from the rules
 * (test/lint/docs.test.ts compares them). Regenerate after changing a rule:
 *   npm run build && node scripts/gen-lint-docs.mjs
 */
import { RULES } from './registry.js';
import type { Severity } from './types.js';

const WORD: Record<Severity, string> = { error: 'error', warn: 'warning', info: 'info' };

export function renderRulesMarkdown(): string {
  const out: string[] = [
    '# `llmtrace lint` rules',
    '',
    '<!-- Generated from src/lib/lint/registry.ts by scripts/gen-lint-docs.mjs; do not edit by hand. -->',
    '',
    '`llmtrace lint [sources…]` checks exported traces against the OpenTelemetry GenAI semantic conventions',
    '(v1.41.0; requirement levels generated from the conventions\' YAML into `src/lib/lint/semconv-requirements.ts`)',
    'and the LLM rollout checklist. Each rule has a stable id and a default severity; change it with',
    '`--rule <id>=off|info|warn|error` or in `llmtrace.config.json`:',
    '',
    '```json',
    '{ "lint": { "rules": { "content-captured": "off", "llm-span-name": "error" },',
    '            "rootContextKeys": { "user": ["user.id", "app.user_id"], "tenant": [] },',
    '            "maxWarnings": 0 } }',
    '```',
    '',
    'Flags win over the file; an unknown rule id is a usage error (exit 2). Exit codes: 0 without errors;',
    '1 with errors, or more warnings than `--max-warnings`; 2 for unusable input or bad flags. `--quiet` prints',
    'errors only (warnings still count for `--max-warnings`).',
    '',
    '| rule | default | checks |',
    '|---|---|---|',
    ...RULES.map((r) => `| [\`${r.id}\`](#${r.id}) | ${WORD[r.defaultSeverity]} | ${r.description} |`),
    '',
    'Defaults are chosen so that an app instrumented to the current conventions passes: what the conventions',
    'require (and cost needs) is an error; SHOULDs, checklist items that depend on the app (root context),',
    'and symptoms that can also come from how a dump was cut (orphans) are warnings; recommendations are infos.',
    '`model-unpriced` runs only when a price table is wired in.',
    '',
    '## Output',
    '',
    '`--format stylish` (default) groups findings by trace and span, then prints a summary and the checklist',
    'scorecard. The other formats are streamed, so memory stays flat on large dumps:',
    '',
    '- `json`: `{ "findings": [ { "rule", "severity", "message", "traceId", "spanId", "spanName", "source"?, "line"?,',
    '  "facts": {…} } ], "summary": { "errors", "warnings", "infos", "shown", "failed", "maxWarnings", "spans",',
    '  "traces", "inputs" }, "scorecard": { "spans", "traces", "genAiSpans", "llmSpans", "toolSpans", "genAiRoots",',
    '  "noGenAi", "items": [ { "id", "label", "count", "total", "share", "goal", "ok" } ], "deprecatedKeys" },',
    '  "rules": { "<id>": "<severity>" } }`. `facts` are the rule\'s data (keys, values, expected names) and are',
    '  stable per rule; `message` is prose and may change. Input problems have empty trace and span ids.',
    '- `sarif`: SARIF 2.1.0, one run; `tool.driver.rules` lists every rule (`helpUri` into this page,',
    '  `defaultConfiguration.level` = the effective severity); each result has `ruleId`, `ruleIndex`, `level`',
    '  (error/warning/note), `message.text`, and a location: the input file as `artifactLocation` (with',
    '  `region.startLine` for JSON Lines and JSON arrays) plus a `logicalLocation` `traceId/spanId` of kind `span`.',
    '  The scorecard is in `runs[0].properties`. Upload with `github/codeql-action/upload-sarif`.',
    '- `github`: one workflow command per finding (`::error file=…,line=…,title=llmtrace <rule>::message`), then',
    '  the summary and the scorecard as plain text.',
    '',
    '## Scorecard',
    '',
    'The rollout checklist as shares, counted from the spans whatever the rule severities: LLM/embeddings',
    'spans with a provider, a model, and (successful calls) token usage; tool spans that are named children',
    'with a recorded status; roots of GenAI traces with each configured context group (user, session, tenant);',
    'GenAI spans that carry `gen_ai.*` keys; orphan spans; traces without a root; spans with deprecated keys',
    '(and which keys). When no LLM, embeddings, tool or agent span is found at all, lint says so plainly.',
    '',
  ];
  for (const r of RULES) {
    out.push(`## ${r.id}`, '', `Default severity: **${WORD[r.defaultSeverity]}**. ${r.description[0]!.toUpperCase()}${r.description.slice(1)}.`, '');
    out.push(`**What it checks.** ${r.docs.checks}`, '', `**Why it matters.** ${r.docs.why}`, '', `**How to fix it.** ${r.docs.fix}`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
