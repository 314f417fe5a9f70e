/** Lints sources through the library the way the command does, collecting every finding. */
import type { GenAiView } from '../../src/lib/genai/types.js';
import { resolveSettings, type RuleSetting } from '../../src/lib/lint/config.js';
import { Linter } from '../../src/lib/lint/engine.js';
import { runLint } from '../../src/lib/lint/run.js';
import type { Finding, RootContextKeys } from '../../src/lib/lint/types.js';
import { openSources } from '../../src/lib/sources/open.js';

export interface LintOpts {
  rules?: RuleSetting[];
  rootContextKeys?: RootContextKeys;
  isPriced?: (view: GenAiView) => boolean;
}

export function makeLinter(opts: LintOpts = {}): Linter {
  const settings = resolveSettings(opts.rootContextKeys ? { rootContextKeys: opts.rootContextKeys } : undefined, opts.rules ?? []);
  return new Linter({ severities: settings.severities, ctx: { rootContextKeys: settings.rootContextKeys, isPriced: opts.isPriced } });
}

export async function lintFiles(files: string[], opts: LintOpts = {}) {
  const opened = await openSources({ sources: files, maxProblemLines: 0, diagnostic: () => {} });
  const linter = makeLinter(opts);
  const findings: Finding[] = [];
  await runLint(opened, linter, (f) => {
    findings.push(...f);
  });
  return { findings, scorecard: linter.scorecard(), counts: linter.counts, ...opened.finish() };
}

/** `rule@spanId`, sorted: what fixtures are asserted by (never prose). */
export function keys(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.rule}@${f.spanId}`).sort();
}
