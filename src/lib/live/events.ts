/**
 * What the live view reports, as data. Renderers (src/lib/render/live*.ts) turn the events into
 * terminal lines or NDJSON; the view itself never writes.
 */
import type { GenAiView } from '../genai/classify.js';
import type { LogRecordView } from '../receiver/types.js';
import type { AttrValue, Span } from '../span.js';
import type { Trace, TraceNode } from '../trace/assemble.js';
import type { CallTotals } from './totals.js';
import type { AgentCall, AgentMetrics } from './agent-calls.js';

/** Cost of one call in USD, or undefined when its model has no known price. */
export type { PriceFn } from '../trace/costs.js';

/** One span worth a line: an LLM or embeddings call, a tool call, or an error. */
export interface SpanLine {
  span: Span;
  view: GenAiView;
  service: string;
  /** Undefined while its trace's root has not arrived and no feature key was found. */
  feature: string | undefined;
  model?: string;
  /** An LLM/embeddings call counted in the totals (not an outer span wrapping a call). */
  counted: boolean;
  cost: number | undefined;
  /** Its trace's tree was already printed. */
  late: boolean;
  /**
   * A counted call whose session is known (genai/agents.ts SESSION_KEYS on it, its ancestors or
   * its resource): the session and its agent's running total after this call, as for request events.
   */
  session?: { id: string; total: CallTotals };
  /** Prompt/completion attributes and GenAI span events (only with --show-content). */
  content: Array<[key: string, value: AttrValue]>;
  /** GenAI log events of this span that arrived before it (only with --show-content). */
  logs: LogRecordView[];
}

export type TraceEnd = 'quiet' | 'timeout' | 'shutdown' | 'overflow';

export interface TraceDone {
  trace: Trace;
  reason: TraceEnd;
  /** Calls of this trace under the count-once rule, whatever the filters. */
  totals: CallTotals;
  /** The trace has at least one GenAI span (LLM, tool, agent…); the text view draws only those. */
  genai: boolean;
  errors: number;
  /** By span id, the feature of each span shown as a line (settled: its root has arrived, or never will). */
  features: ReadonlyMap<string, string>;
  /** Cost for a tree node (∑ on outer nodes); absent without pricing. */
  costOf?: (node: TraceNode) => number | undefined;
}

export type LiveEvent =
  | { type: 'span'; line: SpanLine }
  | { type: 'log'; log: LogRecordView; spanName?: string }
  | { type: 'trace'; done: TraceDone }
  | { type: 'rejected'; protocol: 'http' | 'grpc'; status: number | string; reason: string; atMs: number }
  | { type: 'notice'; text: string }
  | { type: 'agent-call'; call: AgentCall }
  | { type: 'agent-metrics'; metrics: AgentMetrics };
