/**
 * `tail --json`: one NDJSON event per line on stdout. Stable shapes (absent values are null):
 *
 *   {"event":"listening","http":{host,port},"grpc":{host,port}|null,"store":path|null}
 *   {"event":"span", time, traceId, spanId, parentSpanId, service, name, kind, operation, provider,
 *    model, requestModel, responseModel, feature, toolName, inputTokens, outputTokens,
 *    cacheReadTokens, cacheWriteTokens, reasoningTokens, cost, durationMs, ttftMs, finishReasons,
 *    status, error, counted, late, session?, sessionTotal?, content?, events?}
 *    (ttftMs: a streamed call's time to first token, null when its span records none)
 *    (session and its running sessionTotal for a counted call in a known session; content/events
 *    only with --show-content)
 *   {"event":"log", time, traceId, spanId, spanName, eventName, body, attributes}  (--show-content)
 *   {"event":"trace", traceId, service, name, time, durationMs, spans, calls, errors, inputTokens,
 *    outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens, cost, unpricedCalls,
 *    incomplete, reason, features}
 *    (features: by span id, the feature of each `span` event of the trace shown before it, settled
 *    now; a span event shown before its trace's root arrived has feature null)
 *   {"event":"rejected", time, protocol, status, reason}
 *   {"event":"agent_call", time, agent, session, model, source, inputTokens, …, cost, reportedCost,
 *    durationMs, ttftMs, sessionTotal:{calls, inputTokens, …, cost}}   (a coding agent's request event)
 *   {"event":"agent_metrics", time, agent, session, model, source, inputTokens, …, cost, reportedCost}
 *    (a coding agent's totals from its metrics, when it sends no spans or events)
 *   {"event":"summary", durationMs, calls, errors, latencyP95Ms, unknownDurations, inputTokens, …, cost, unpricedCalls, byModel:[…],
 *    byAgentModel:[{agent, model, calls, inputTokens, …, cost}], agentEventCalls,
 *    requests:{traces,logs,metrics}, spans, traces, logRecords, metricPoints, rejected,
 *    forward:{url,forwarded,failed,dropped}|null, store}
 *
 * `cost` is null when unknown (no pricing, or a model without a price): never 0 for unknown.
 */
import { roundUsd } from '../cost/report.js';
import type { Usage } from '../genai/usage.js';
import type { SpanLine, TraceDone } from '../live/events.js';
import type { AgentCall, AgentMetrics } from '../live/agent-calls.js';
import { latencyP95, totalUsd, type CallTotals } from '../live/totals.js';
import type { LogRecordView } from '../receiver/types.js';
import { KvList, serviceName, StatusCode, type AttrValue } from '../span.js';
import { hasTrueRoot } from '../trace/assemble.js';
import type { BannerData, SummaryData } from './live.js';
import { isoNanos } from './tree-json.js';

/** An attribute value as plain JSON: big ints as numbers when exact, else strings; bytes base64. */
export function plainValue(v: AttrValue): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof KvList) return Object.fromEntries(v.entries.map(([k, x]) => [k, plainValue(x)]));
  if (Array.isArray(v)) return v.map(plainValue);
  return v;
}

function usageFields(u: Usage | undefined) {
  return {
    inputTokens: u?.input ?? null,
    outputTokens: u?.output ?? null,
    cacheReadTokens: u?.cacheRead ?? null,
    cacheWriteTokens: u?.cacheWrite ?? null,
    reasoningTokens: u?.reasoning ?? null,
  };
}

/**
 * As `cost` reports it: the priced part (unpriced calls are counted apart), rounded as `cost`
 * rounds (12 significant digits); null when nothing is priced.
 */
function totalsCost(t: CallTotals, pricing: boolean): number | null {
  return pricing && (t.pricedCalls > 0 || t.unpricedCalls === 0) ? roundUsd(totalUsd(t)) : null;
}

const STATUS = ['unset', 'ok', 'error'];

export function spanEvent(l: SpanLine): Record<string, unknown> {
  const s = l.span;
  const v = l.view;
  const ev: Record<string, unknown> = {
    event: 'span',
    time: isoNanos(s.startTimeUnixNano),
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId || null,
    service: l.service,
    name: s.name,
    kind: v.kind,
    operation: v.operation ?? null,
    provider: v.provider ?? null,
    model: l.model ?? null,
    requestModel: v.requestModel ?? null,
    responseModel: v.responseModel ?? null,
    feature: l.feature ?? null,
    toolName: v.toolName ?? null,
    ...usageFields(v.usage),
    cost: l.cost ?? null,
    durationMs: s.durationMs,
    // Time to first token of a streamed call, as `stats` reads it (genai/classify.ts).
    ttftMs: v.ttftMs ?? null,
    finishReasons: v.finishReasons ?? [],
    status: STATUS[s.status.code] ?? String(s.status.code),
    error: v.error ?? (s.status.code === StatusCode.ERROR ? s.status.message || 'error' : null),
    counted: l.counted,
    late: l.late,
  };
  // A counted call in a known session: the running total of its agent and session, as request events carry.
  if (l.session) {
    ev.session = l.session.id;
    ev.sessionTotal = sessionTotalFields(l.session.total);
  }
  if (l.content.length) ev.content = Object.fromEntries(l.content.map(([k, x]) => [k, plainValue(x)]));
  if (l.logs.length) ev.events = l.logs.map((log) => logFields(log));
  return ev;
}

function logFields(log: LogRecordView) {
  return {
    time: isoNanos(log.timeUnixNano),
    eventName: log.eventName,
    body: plainValue(log.body),
    attributes: Object.fromEntries(Object.entries(log.attributes).map(([k, x]) => [k, plainValue(x)])),
  };
}

export function logEvent(log: LogRecordView, spanName: string | undefined): Record<string, unknown> {
  const { time, ...rest } = logFields(log);
  return { event: 'log', time, traceId: log.traceId || null, spanId: log.spanId || null, spanName: spanName ?? null, ...rest };
}

export function traceEvent(d: TraceDone, pricing: boolean): Record<string, unknown> {
  const t = d.trace;
  const root = t.roots[0]?.span;
  return {
    event: 'trace',
    traceId: t.traceId,
    service: root ? serviceName(root) : null,
    name: root?.name ?? null,
    time: isoNanos(t.startNs),
    durationMs: Number(t.endNs - t.startNs) / 1e6,
    spans: t.nodes.length,
    calls: d.totals.calls,
    errors: d.errors,
    ...usageFields(d.totals.usage),
    cost: totalsCost(d.totals, pricing),
    unpricedCalls: pricing ? d.totals.unpricedCalls : d.totals.calls,
    incomplete: t.orphanCount > 0 || !hasTrueRoot(t),
    reason: d.reason,
    features: Object.fromEntries(d.features),
  };
}

export function rejectedEvent(e: { protocol: string; status: number | string; reason: string; atMs: number }): Record<string, unknown> {
  return { event: 'rejected', time: new Date(e.atMs).toISOString(), protocol: e.protocol, status: e.status, reason: e.reason };
}

export function listeningEvent(b: BannerData): Record<string, unknown> {
  return { event: 'listening', http: b.http, grpc: b.grpc, store: b.store };
}

export function summaryEvent(s: SummaryData): Record<string, unknown> {
  const t = s.totals;
  return {
    event: 'summary',
    durationMs: Math.round(s.durationMs),
    calls: t.calls.calls,
    errors: t.calls.errors,
    latencyP95Ms: latencyP95(t.calls) ?? null,
    unknownDurations: t.calls.unknownDurations,
    ...usageFields(t.calls.usage),
    cost: totalsCost(t.calls, s.pricing),
    unpricedCalls: s.pricing ? t.calls.unpricedCalls : t.calls.calls,
    byModel: [...t.byModel.entries()].map(([model, x]) => ({
      model,
      calls: x.calls,
      errors: x.errors,
      latencyP95Ms: latencyP95(x) ?? null,
      unknownDurations: x.unknownDurations,
      ...usageFields(x.usage),
      cost: totalsCost(x, s.pricing),
    })),
    byAgentModel: [...t.byAgentModel.entries()].map(([key, x]) => ({
      agent: key.split('\u0000')[0] || null,
      model: key.split('\u0000')[1],
      calls: x.calls,
      ...usageFields(x.usage),
      cost: totalsCost(x, s.pricing),
    })),
    agentEventCalls: t.eventCalls,
    requests: { ...t.requests },
    spans: t.spans,
    traces: t.traces,
    logRecords: t.logRecords,
    metricPoints: t.metricPoints,
    rejected: t.rejected,
    forward: s.forward ?? null,
    store: s.store,
  };
}

/** One coding agent API request from its log event, with the running total of its agent and session. */
export function agentCallEvent(a: AgentCall): Record<string, unknown> {
  return {
    ...agentFields('agent_call', a, 'events'),
    durationMs: a.durationMs ?? null,
    ttftMs: a.ttftMs ?? null,
    sessionTotal: sessionTotalFields(a.sessionTotal),
  };
}

function sessionTotalFields(t: CallTotals): Record<string, unknown> {
  return { calls: t.calls, ...usageFields(t.usage), cost: t.unpricedCalls === t.calls ? null : roundUsd(totalUsd(t)) };
}

/** A coding agent's totals from its metrics, after an export changed them. */
export function agentMetricsEvent(m: AgentMetrics): Record<string, unknown> {
  return agentFields('agent_metrics', m, 'metrics');
}

function agentFields(event: string, a: AgentMetrics, source: string): Record<string, unknown> {
  return {
    event,
    time: new Date(a.timeMs).toISOString(),
    agent: a.agent,
    session: a.session || null,
    model: a.model,
    source,
    ...usageFields(a.usage),
    cost: a.cost ?? null,
    reportedCost: a.reportedCost ?? null,
  };
}
