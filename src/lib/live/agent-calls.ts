/**
 * `tail`'s view of coding agents' request events (docs/architecture.md, "Usage from log events
 * and metrics"): each `claude_code.api_request`, Codex `response.completed` or
 * `gemini_cli.api_response` is one call line, counted in the session's totals, with a running Σ
 * per agent and session. The formats are genai/agents.ts, the same tables `cost` reads.
 *
 * Count once across signals, live: spans with usage are the more detailed source, then events,
 * then metrics. An agent process (service.name and service.instance.id) that sends spans with
 * usage has its events shown as nothing more; events counted before its first such span are
 * taken back, as `cost` would set them aside. An agent that sends only metrics (Copilot without
 * traces, Claude Code without logs) has its totals shown as they arrive: each export replaces the
 * previous figure of its series (cost/metric-series.ts, the one temporality engine).
 */
import { amountOf, eventSpecOf, eventUsage, firstString, MODEL_KEYS, SESSION_KEYS } from '../genai/agents.js';
import type { GenAiView, Usage } from '../genai/types.js';
import type { LogRecordView } from '../receiver/types.js';
import type { PriceFn } from '../trace/costs.js';
import { applyCall, emptyCallTotals, type CallTotals, type CountedCall } from './totals.js';
import { MetricSeries } from '../cost/metric-series.js';
import { groupUsage, sessionOf, tokenPoints, TOKEN_VALUES, usageGroups, type TokenPoint, type TokenValue } from '../cost/signal-usage.js';
import type { Problem } from '../errors.js';
import type { PbMessage } from '../otlp/pb-json.js';

/** A coding agent's figure: one API request (an event), or its totals from its metrics. */
export interface AgentMetrics {
  timeMs: number;
  agent: string;
  session: string;
  model: string;
  usage: Usage;
  /** The computed cost, undefined when the model has no price. */
  cost: number | undefined;
  /** What the agent reported (Claude's cost_usd, claude_code.cost.usage). */
  reportedCost?: number;
}

/** One agent API request, as the line and the totals see it. */
export interface AgentCall extends AgentMetrics {
  durationMs?: number;
  ttftMs?: number;
  /** The session's running total after this call. */
  sessionTotal: CallTotals;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const instanceOf = (service: string, resource: Record<string, unknown> | undefined) => `${service}\u0000${str(resource?.['service.instance.id']) ?? ''}`;

export class AgentCalls {
  /** Metric series of the session, and the figure each request group has in the totals. */
  private readonly series = new MetricSeries<TokenValue, TokenPoint>({}, TOKEN_VALUES);
  private readonly metricFigures = new Map<string, { call: CountedCall; instance: string }>();
  /** Agent processes whose events are counted: their metrics are not. */
  private readonly eventCovered = new Set<string>();
  /** Running totals per agent and session (`agent\0session`). */
  readonly bySession = new Map<string, CallTotals>();
  /** Agent processes whose spans carry usage: their events are not counted. */
  private readonly spanCovered = new Set<string>();
  /** Events counted per agent process, to take back if its spans with usage come later. */
  private readonly counted = new Map<string, Array<{ call: CountedCall; session: string }>>();

  constructor(
    private readonly price: PriceFn | undefined,
    private readonly count: (c: CountedCall, sign: 1 | -1) => void,
  ) {}

  /** The agent calls among a logs request's records, counted. */
  fromLogs(logs: readonly LogRecordView[]): AgentCall[] {
    const out: AgentCall[] = [];
    for (const log of logs) {
      const spec = eventSpecOf(log.attributes, log.body, log.recordEventName ?? '');
      if (!spec) continue;
      const got = eventUsage(spec, log.attributes);
      if (!got) continue;
      const a = log.attributes;
      const key = instanceOf(log.serviceName, log.resource);
      if (this.spanCovered.has(key)) continue;
      if (!this.eventCovered.has(key)) {
        this.eventCovered.add(key);
        this.takeBackMetrics(key);
      }
      const timeMs = Number(log.timeUnixNano / 1_000_000n);
      const model = firstString(MODEL_KEYS.response, a) ?? firstString(MODEL_KEYS.request, a) ?? '(unknown model)';
      const session = firstString(SESSION_KEYS, a, log.resource) ?? '';
      const cost = this.price?.({ responseModel: model, usage: got.usage } as GenAiView, timeMs);
      const durationMs = spec.durationMs === undefined ? undefined : amountOf(a[spec.durationMs]);
      const call: CountedCall = { model, usage: got.usage, cost, durationMs, agent: log.serviceName };
      this.count(call, 1);
      let list = this.counted.get(key);
      if (!list) this.counted.set(key, (list = []));
      list.push({ call, session });
      this.session(log.serviceName, session, call, 1);
      out.push({
        timeMs,
        agent: log.serviceName,
        session,
        model,
        usage: got.usage,
        cost,
        reportedCost: spec.cost === undefined ? undefined : amountOf(a[spec.cost]),
        durationMs,
        ttftMs: spec.ttftMs === undefined ? undefined : amountOf(a[spec.ttftMs]),
        sessionTotal: this.sessionTotal(log.serviceName, session)!,
      });
    }
    return out;
  }

  /** A span call with usage counted for this agent process: from now on its spans are the source. */
  spanUsage(service: string, resource: Record<string, unknown> | undefined): number {
    const key = instanceOf(service, resource);
    if (this.spanCovered.has(key)) return 0;
    this.spanCovered.add(key);
    this.takeBackMetrics(key);
    const taken = this.counted.get(key) ?? [];
    for (const { call, session } of taken) {
      this.count(call, -1);
      this.session(service, session, call, -1);
    }
    this.counted.delete(key);
    return taken.length;
  }

  /** A metrics request: the agents' totals that changed, for agents that send no spans or events. */
  fromMetrics(msg: PbMessage, onProblem: (p: Problem) => void, wanted: (agent: string, model: string) => boolean): AgentMetrics[] {
    let any = false;
    for (const p of tokenPoints({ msg, source: 'metrics' }, onProblem)) {
      this.series.add(p);
      any = true;
    }
    if (!any) return [];
    const out: AgentMetrics[] = [];
    for (const g of usageGroups(this.series.figures()).groups) {
      const resource = g.point.resource;
      const agent = str(resource['service.name']) ?? 'unknown_service';
      const instance = instanceOf(agent, resource);
      if (this.spanCovered.has(instance) || this.eventCovered.has(instance)) continue;
      const a = g.point.attributes;
      const model = firstString(MODEL_KEYS.response, a) ?? firstString(MODEL_KEYS.request, a) ?? '(unknown model)';
      if (!wanted(agent, model)) continue;
      const usage = groupUsage(g);
      const cost = this.price?.({ responseModel: model, usage } as GenAiView, g.timeMs);
      const call: CountedCall = { model, usage, cost, agent, calls: g.count };
      const before = this.metricFigures.get(g.point.groupKey);
      if (before && sameFigure(before.call, call)) continue;
      if (before) this.count(before.call, -1);
      this.count(call, 1);
      this.metricFigures.set(g.point.groupKey, { call, instance });
      out.push({ timeMs: g.timeMs, agent, session: sessionOf(g.point), model, usage, cost, reportedCost: g.reportedCost });
    }
    return out;
  }

  private takeBackMetrics(instance: string): void {
    for (const [k, f] of this.metricFigures) {
      if (f.instance !== instance) continue;
      this.count(f.call, -1);
      this.metricFigures.delete(k);
    }
  }

  /** The running total of an agent and session, a copy (undefined: no call counted in it). */
  sessionTotal(agent: string, session: string): CallTotals | undefined {
    const t = this.bySession.get(`${agent}\u0000${session}`);
    return t && { ...t, cost: { ...t.cost }, durationsMs: [], takenBackMs: [] };
  }

  /** A call in (or out of) its agent and session's running total, from events or spans alike. */
  session(agent: string, session: string, call: CountedCall, sign: 1 | -1): CallTotals {
    const k = `${agent}\u0000${session}`;
    let t = this.bySession.get(k);
    if (!t) this.bySession.set(k, (t = emptyCallTotals()));
    applyCall(t, call, sign);
    if (t.calls === 0) this.bySession.delete(k);
    return t;
  }
}

function sameFigure(a: CountedCall, b: CountedCall): boolean {
  const x = a.usage!;
  const y = b.usage!;
  return a.calls === b.calls && x.input === y.input && x.output === y.output && x.cacheRead === y.cacheRead && x.cacheWrite === y.cacheWrite && x.reasoning === y.reasoning;
}
