/**
 * The rollout checklist scorecard (seed 004): shares of spans that meet each checklist item.
 * Counted by the engine from the spans themselves, independently of rule severities, so turning
 * a rule off never changes the scorecard.
 */

export interface ScorecardItem {
  id: string;
  label: string;
  count: number;
  total: number;
  /** count / total, or null when there is nothing to measure. */
  share: number | null;
  /** `all`: every one should qualify; `none`: none should (orphans, deprecated keys). */
  goal: 'all' | 'none';
  ok: boolean;
}

export interface Scorecard {
  spans: number;
  traces: number;
  /** LLM, embeddings, tool, agent, workflow and retrieval spans. */
  genAiSpans: number;
  /** LLM and embeddings spans. */
  llmSpans: number;
  toolSpans: number;
  /** Root spans of traces that hold GenAI spans. */
  genAiRoots: number;
  /** Nothing LLM-related was found: the other items say nothing. */
  noGenAi: boolean;
  items: ScorecardItem[];
  /** Deprecated key (or `event:<name>`, `value:<key>=<value>`) → spans carrying it. */
  deprecatedKeys: Record<string, number>;
}

export class ScorecardCounter {
  spans = 0;
  traces = 0;
  genAi = 0;
  llm = 0;
  llmProvider = 0;
  llmModel = 0;
  llmSucceeded = 0;
  llmUsage = 0;
  genAiWithGenAiKeys = 0;
  tools = 0;
  toolChildOk = 0;
  genAiRoots = 0;
  rootGroups = new Map<string, number>();
  orphans = 0;
  rootlessTraces = 0;
  deprecatedSpans = 0;
  deprecatedKeys = new Map<string, number>();

  constructor(private readonly groups: readonly string[]) {
    for (const g of groups) this.rootGroups.set(g, 0);
  }

  build(): Scorecard {
    const item = (id: string, label: string, count: number, total: number, goal: 'all' | 'none' = 'all'): ScorecardItem => ({
      id,
      label,
      count,
      total,
      share: total === 0 ? null : count / total,
      goal,
      ok: goal === 'all' ? count === total : count === 0,
    });
    const items: ScorecardItem[] = [
      item('llm-provider', 'LLM/embeddings spans with a provider', this.llmProvider, this.llm),
      item('llm-model', 'LLM/embeddings spans with a model', this.llmModel, this.llm),
      item('llm-usage', 'successful LLM/embeddings calls with token usage', this.llmUsage, this.llmSucceeded),
      item('tool-child-status', 'tool spans that are named children with recorded status', this.toolChildOk, this.tools),
      ...this.groups.map((g) => item(`root-${g}`, `GenAI trace roots with ${g} context`, this.rootGroups.get(g) ?? 0, this.genAiRoots)),
      item('genai-keys', 'GenAI spans with gen_ai.* attributes (no vendor-only)', this.genAiWithGenAiKeys, this.genAi),
      item('orphans', 'orphan spans (parent missing)', this.orphans, this.spans, 'none'),
      item('rootless-traces', 'traces without a root span', this.rootlessTraces, this.traces, 'none'),
      item('deprecated', 'spans with deprecated GenAI keys', this.deprecatedSpans, this.spans, 'none'),
    ];
    const deprecatedKeys: Record<string, number> = {};
    for (const [k, n] of [...this.deprecatedKeys].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) deprecatedKeys[k] = n;
    return {
      spans: this.spans,
      traces: this.traces,
      genAiSpans: this.genAi,
      llmSpans: this.llm,
      toolSpans: this.tools,
      genAiRoots: this.genAiRoots,
      noGenAi: this.genAi === 0,
      items,
      deprecatedKeys,
    };
  }
}
