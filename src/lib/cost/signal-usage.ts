/**
 * Usage from coding agents' log events and metrics, counted once with the spans
 * (docs/architecture.md, "Usage from log events and metrics"). The agents' formats are data in
 * genai/agents.ts; this module reads decoded OTLP logs and metrics requests (otlp/signals.ts, the
 * decoders `tail` stores with), reduces metric series with the one temporality engine
 * (metric-series.ts), and picks one source per service instance and session:
 *
 *   spans with usage, else per-request events, else metrics.
 *
 * Spans are read first (`cost/run.ts`), so what they covered is known when the events come; the
 * events are read before the metrics for the same reason. Nothing is held per event: a kept
 * event is handed on at once.
 */
import { createHash } from 'node:crypto';
import type { Problem } from '../errors.js';
import { AGENT_METRICS, amountOf, eventSpecOf, eventUsage, firstString, metricSpec, MODEL_KEYS, normalizeParts, SESSION_KEYS, type MetricSpec, type RawPart, type RawParts } from '../genai/agents.js';
import { normalizeProvider } from '../genai/provider.js';
import type { GenAiView, Usage } from '../genai/types.js';
import type { PbMessage } from '../otlp/pb-json.js';
import { pbAttributes, toBigInt } from '../otlp/pb-json.js';
import { timeKnown, type Attributes, type AttrValue } from '../span.js';
import { NONE, UNKNOWN_MODEL, type AttributedCall } from './attribution.js';
import { MetricSeries, type SeriesPoint, type SeriesValues } from './metric-series.js';
import { priceView, type PriceBook } from './pricebook.js';
import { bounded, inWindow, type TimeWindow } from './window.js';

/** Which signal a figure came from. */
export type UsageSource = 'spans' | 'events' | 'metrics';

/**
 * Which service instances and sessions a source described. A source without a session (Codex's
 * metrics carry none) covers, and is covered by, every session of its instance.
 */
export class CoverSet {
  /**
   * service → instance → session → count. Nested maps, not joined keys: `add` runs for every
   * counted call, and a joined key is a new string to build and hash each time.
   */
  private readonly services = new Map<string, Map<string, { total: number; sessions: Map<string, number> }>>();

  add(service: string, instance: string, session: string, sign: 1 | -1 = 1): void {
    let instances = this.services.get(service);
    if (!instances) this.services.set(service, (instances = new Map()));
    let inst = instances.get(instance);
    if (!inst) instances.set(instance, (inst = { total: 0, sessions: new Map() }));
    inst.total += sign;
    bump(inst.sessions, session, sign);
    if (inst.total === 0) instances.delete(instance);
  }

  get empty(): boolean {
    return this.services.size === 0;
  }

  covers(service: string, instance: string, session: string): boolean {
    const inst = this.services.get(service)?.get(instance);
    if (!inst) return false;
    if (inst.sessions.has(session) || inst.sessions.has('')) return true;
    return session === '';
  }
}

function bump(m: Map<string, number>, k: string, sign: number): void {
  const n = (m.get(k) ?? 0) + sign;
  if (n === 0) m.delete(k);
  else m.set(k, n);
}

/** The keys the span calls must resolve for the cover set (extra inherited dimensions of the Attributor). */
export const COVER_KEYS: readonly string[][] = [[...SESSION_KEYS], ['service.instance.id']];

export interface SignalUsageOptions {
  book: PriceBook;
  window: TimeWindow;
  /** Inherited dimensions' keys (cost/dimensions.ts), resolved on the event or point, then the resource. */
  inherited: readonly string[][];
  /** What the spans' calls with usage covered. */
  spans: CoverSet;
  onCall: (call: AttributedCall) => void;
  /**
   * A figure without a time under a window (span.ts `timeKnown`): no window can place it, so it is
   * in no row and counted apart, as calls without a start are (docs/architecture.md "Unset span times").
   */
  onUntimed: (call: AttributedCall) => void;
  onProblem: (p: Problem) => void;
}

export interface SignalUsageStats {
  /** Request events read, and those set aside because spans described the same requests. */
  events: number;
  eventsSetAside: number;
  /** Request events read more than once (an export sent again) and counted once. */
  duplicateEvents: number;
  /** Token and cost metric points read, and figures set aside (spans or events described them). */
  metricPoints: number;
  metricFiguresSetAside: number;
  /** Series left out: their temporality changed or a cumulative value fell without a restart. */
  inconsistentSeries: number;
  /** Delta points without any time equal to one already read: each counted (metric-series.ts). */
  untoldResends: number;
  /** Model spans without usage whose calls the events or metrics counted instead. */
  spanCallsReplaced: number;
  /** The instances and sessions whose usage came from events or metrics. */
  covered: CoverSet;
}

export interface SignalRecord {
  msg: PbMessage;
  source: string;
  line?: number;
}

const str = (v: AttrValue | undefined) => (typeof v === 'string' && v !== '' ? v : undefined);
const service = (resource: Attributes) => str(resource['service.name']) ?? 'unknown_service';
const instance = (resource: Attributes) => str(resource['service.instance.id']) ?? '';
const nsToMs = (v: unknown) => Number(toBigInt(v, false) / 1000n) / 1000;

/** Reads events, then metrics, handing on each figure of the source chosen for its instance and session. */
export async function readSignalUsage(logs: AsyncIterable<SignalRecord>, metrics: AsyncIterable<SignalRecord>, opts: SignalUsageOptions): Promise<SignalUsageStats> {
  const events = new CoverSet();
  const seen = new Set<string>();
  const stats: SignalUsageStats = { events: 0, eventsSetAside: 0, duplicateEvents: 0, metricPoints: 0, metricFiguresSetAside: 0, inconsistentSeries: 0, untoldResends: 0, spanCallsReplaced: 0, covered: events };
  for await (const rec of logs) eventCalls(rec, opts, stats, events, seen);
  const series = new MetricSeries<TokenValue, TokenPoint>(opts.window, TOKEN_VALUES);
  // Under a window, points without a time are reduced apart, without one: their figures are untimed.
  const untimed = bounded(opts.window) ? new MetricSeries<TokenValue, TokenPoint>({}, TOKEN_VALUES) : undefined;
  for await (const rec of metrics) {
    for (const p of tokenPoints(rec, opts.onProblem)) {
      stats.metricPoints++;
      (untimed && !timeKnown(p.timeMs) ? untimed : series).add(p);
    }
  }
  // A group of untimed points is a group of its own (its time stays unknown when grouped).
  const untimedFigures = (untimed?.figures() ?? []).map((f) => ({ point: { ...f.point, groupKey: `${f.point.groupKey}\u0000untimed` }, value: f.value }));
  const figures = [...series.figures(), ...untimedFigures];
  stats.inconsistentSeries = series.inconsistent.length + (untimed?.inconsistent.length ?? 0);
  stats.untoldResends = series.untoldResends + (untimed?.untoldResends ?? 0);
  if (stats.inconsistentSeries) {
    opts.onProblem({ source: 'metrics', message: `${stats.inconsistentSeries} token series left out: their temporality changed, or a cumulative value fell without a new start time` });
  }
  metricCalls(figures, opts, stats, events);
  return stats;
}

// ── events ────────────────────────────────────────────────────────────────────────────

interface PbLogRecord {
  time_unix_nano?: unknown;
  observed_time_unix_nano?: unknown;
  body?: unknown;
  attributes?: Parameters<typeof pbAttributes>[0];
  event_name?: string;
}
interface PbLogs {
  resource_logs?: Array<{ resource?: { attributes?: Parameters<typeof pbAttributes>[0] } | null; scope_logs?: Array<{ log_records?: PbLogRecord[] }> }>;
}

function bodyOf(v: unknown): AttrValue {
  return v ? (pbAttributes([{ key: 'v', value: v }] as Parameters<typeof pbAttributes>[0])['v'] ?? null) : null;
}

function eventCalls(rec: SignalRecord, opts: SignalUsageOptions, stats: SignalUsageStats, events: CoverSet, seen: Set<string>): void {
  (rec.msg as PbLogs).resource_logs?.forEach((rl, ri) => {
    const resource = pbAttributes(rl.resource?.attributes);
    rl.scope_logs?.forEach((sl, si) => {
      sl.log_records?.forEach((r, li) => {
        const attributes = pbAttributes(r.attributes);
        const spec = eventSpecOf(attributes, bodyOf(r.body), r.event_name ?? '');
        if (!spec) return;
        const got = eventUsage(spec, attributes);
        if (!got) return; // Codex's copy of the response without tokens
        const field = `resourceLogs[${ri}].scopeLogs[${si}].logRecords[${li}].attributes`;
        for (const k of got.badParts) {
          opts.onProblem({ source: rec.source, line: rec.line, field: `${field}.${k}`, message: `${spec.names[0]}: ${JSON.stringify(String(attributes[k]))} is not a token count; counted as 0` });
        }
        const t = toBigInt(r.time_unix_nano, false);
        const timeMs = nsToMs(t !== 0n ? t : r.observed_time_unix_nano);
        // Without a time it is counted (untimed under a window): its tokens are real.
        if (timeKnown(timeMs) && !inWindow(opts.window, timeMs)) return;
        const svc = service(resource);
        // A request the exporter sent again (a retry after a lost answer): the same record twice.
        const id = createHash('sha1').update(`${svc}\u0000${instance(resource)}\u0000${timeMs}\u0000${sortedJson(attributes)}`).digest('base64');
        if (seen.has(id)) {
          stats.duplicateEvents++;
          return;
        }
        seen.add(id);
        stats.events++;
        const session = firstString(SESSION_KEYS, attributes, resource) ?? '';
        if (opts.spans.covers(svc, instance(resource), session)) {
          stats.eventsSetAside++;
          return;
        }
        events.add(svc, instance(resource), session);
        const reported = spec.cost === undefined ? undefined : amountOf(attributes[spec.cost]);
        const duration = spec.durationMs === undefined ? undefined : amountOf(attributes[spec.durationMs]);
        const ttft = spec.ttftMs === undefined ? undefined : amountOf(attributes[spec.ttftMs]);
        handOn(signalCall(attributes, resource, timeMs, got.usage, opts, { source: 'events', count: 1, reportedCost: reported, durationMs: duration, ttftMs: ttft }), opts);
      });
    });
  });
}

// ── metrics ───────────────────────────────────────────────────────────────────────────

/** A token (or cost) metric's value: the sum recorded, and for a histogram how many recordings. */
export interface TokenValue {
  sum: number;
  count: number;
}

export interface TokenPoint extends SeriesPoint<TokenValue> {
  spec: MetricSpec;
  part: RawPart | 'cost';
  attributes: Attributes;
  resource: Attributes;
  /** The series' attributes without the token type: the points of one request group. */
  groupKey: string;
}

export const TOKEN_VALUES: SeriesValues<TokenValue> = {
  add: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
  subtract: (a, b) => ({ sum: a.sum - b.sum, count: a.count - b.count }),
  negative: (v) => v.sum < 0 || v.count < 0,
  empty: (v) => v.sum === 0 && v.count <= 0,
};

const TEMPORALITY_DELTA = 1;
const TEMPORALITY_CUMULATIVE = 2;

interface PbNumberPoint {
  attributes?: Parameters<typeof pbAttributes>[0];
  start_time_unix_nano?: unknown;
  time_unix_nano?: unknown;
  as_int?: unknown;
  as_double?: number;
  value?: string;
  count?: unknown;
  sum?: number;
}
interface PbMetric {
  name?: string;
  data?: string;
  sum?: { data_points?: PbNumberPoint[]; aggregation_temporality?: number } | null;
  histogram?: { data_points?: PbNumberPoint[]; aggregation_temporality?: number } | null;
}
interface PbMetrics {
  resource_metrics?: Array<{
    resource?: { attributes?: Parameters<typeof pbAttributes>[0] } | null;
    scope_metrics?: Array<{ scope?: { name?: string } | null; metrics?: PbMetric[] }>;
  }>;
}

/** Attributes as a key: sorted; BigInt written as text (JSON cannot). */
function sortedJson(a: Attributes, without?: string): string {
  return JSON.stringify(
    Object.keys(a)
      .filter((k) => k !== without)
      .sort()
      .map((k) => [k, a[k]]),
    (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v),
  );
}

function numberValue(p: PbNumberPoint): number | undefined {
  if (p.as_double !== undefined && p.as_double !== null && (p.value === 'as_double' || p.as_int === undefined)) return Number.isFinite(p.as_double) ? p.as_double : undefined;
  if (p.as_int !== undefined && p.as_int !== null) return Number(toBigInt(p.as_int, true));
  return undefined;
}

/** The token and cost points of one decoded metrics request (genai/agents.ts AGENT_METRICS). */
export function* tokenPoints(rec: SignalRecord, onProblem: (p: Problem) => void): Generator<TokenPoint> {
  const problem = (field: string, message: string) => onProblem({ source: rec.source, line: rec.line, field, message });
  const rms = (rec.msg as PbMetrics).resource_metrics ?? [];
  for (let ri = 0; ri < rms.length; ri++) {
    const rm = rms[ri]!;
    const resource = pbAttributes(rm.resource?.attributes);
    const resourceKey = sortedJson(resource);
    const sms = rm.scope_metrics ?? [];
    for (let si = 0; si < sms.length; si++) {
      const sm = sms[si]!;
      const ms = sm.metrics ?? [];
      for (let mi = 0; mi < ms.length; mi++) {
        const m = ms[mi]!;
        const spec = metricSpec(m.name);
        if (!spec) continue;
        const field = `resourceMetrics[${ri}].scopeMetrics[${si}].metrics[${mi}]`;
        const data = m.data === 'sum' ? m.sum : m.data === 'histogram' ? m.histogram : undefined;
        if (!data) {
          problem(field, `${m.name} is ${m.data ? `a ${m.data.replace('_', ' ')}` : 'empty'}, expected a sum or a histogram; skipped`);
          continue;
        }
        const t = data.aggregation_temporality;
        if (t !== TEMPORALITY_DELTA && t !== TEMPORALITY_CUMULATIVE) {
          problem(field, `${m.name}: aggregation temporality ${t ?? 0} is neither delta (1) nor cumulative (2); skipped`);
          continue;
        }
        const points = data.data_points ?? [];
        for (let pi = 0; pi < points.length; pi++) {
          const p = points[pi]!;
          const where = `${field}.${m.data}.dataPoints[${pi}]`;
          const attributes = pbAttributes(p.attributes);
          let part: RawPart | 'cost' | undefined = spec.cost ? 'cost' : spec.part;
          if (part === undefined && spec.typeKey) {
            const type = attributes[spec.typeKey];
            part = typeof type === 'string' ? spec.types?.[type] : undefined;
            if (part === undefined) continue; // totals and types that are not billed apart
          }
          if (part === undefined) continue;
          const histogram = m.data === 'histogram';
          const sum = histogram ? p.sum : numberValue(p);
          const count = histogram ? Number(toBigInt(p.count, false)) : 0;
          if (sum === undefined || sum === null) {
            problem(where, `${m.name}: ${histogram ? 'no sum' : 'no number value'} in the point; skipped`);
            continue;
          }
          if (!Number.isFinite(sum) || (part !== 'cost' && sum < 0)) {
            problem(where, `${m.name}: ${sum} is not a ${part === 'cost' ? 'cost' : 'token count'}; skipped`);
            continue;
          }
          const groupKey = `${resourceKey}\u0000${spec.agent}\u0000${sortedJson(attributes, spec.typeKey)}`;
          yield {
            spec,
            part,
            attributes,
            resource,
            groupKey,
            seriesKey: `${resourceKey}\u0000${sm.scope?.name ?? ''}\u0000${m.name}\u0000${sortedJson(attributes)}`,
            cumulative: t === TEMPORALITY_CUMULATIVE,
            startMs: nsToMs(p.start_time_unix_nano),
            timeMs: nsToMs(p.time_unix_nano),
            value: { sum, count },
          };
        }
      }
    }
  }
}

/** One group of series (a request group: one resource, agent and attributes but the token type). */
export interface UsageGroup {
  point: TokenPoint;
  parts: RawParts;
  reportedCost?: number;
  /** Requests recorded (histograms of per-request metrics: the input part's count). */
  count: number;
  timeMs: number;
}

/**
 * The series' figures per request group, each agent's own metric preferred over the GenAI one it
 * also sends (Gemini sends both) for the same process and session; the rest are in `setAside`.
 */
export function usageGroups(figures: ReadonlyArray<{ point: TokenPoint; value: TokenValue }>): { groups: UsageGroup[]; setAside: number } {
  const groups = new Map<string, UsageGroup>();
  for (const f of figures) {
    let g = groups.get(f.point.groupKey);
    if (!g) groups.set(f.point.groupKey, (g = { point: f.point, parts: {}, count: 0, timeMs: f.point.timeMs }));
    if (f.point.spec.cost || f.point.part === 'cost') g.reportedCost = (g.reportedCost ?? 0) + f.value.sum;
    else {
      const part = f.point.part;
      g.parts[part] = (g.parts[part] ?? 0) + f.value.sum;
      if (part === 'input' && f.point.spec.perRequest) g.count += f.value.count;
    }
    if (f.point.timeMs > g.timeMs) g.timeMs = f.point.timeMs;
    // A cost group keeps the token group's point when both exist (the token point names the type).
    if (g.point.spec.cost && !f.point.spec.cost) g.point = f.point;
  }
  // Within metrics, an agent's own metric is more detailed than the GenAI one it may send too.
  const specific = new CoverSet();
  for (const g of groups.values()) {
    if (g.point.spec.specific) specific.add(service(g.point.resource), instance(g.point.resource), sessionOf(g.point));
  }
  const out: UsageGroup[] = [];
  for (const g of groups.values()) {
    if (g.point.spec.specific || !specific.covers(service(g.point.resource), instance(g.point.resource), sessionOf(g.point))) out.push(g);
  }
  return { groups: out, setAside: groups.size - out.length };
}

/** A request group's usage in llmtrace's convention. */
export const groupUsage = (g: UsageGroup): Usage => normalizeParts(g.parts, g.point.spec);

function metricCalls(figures: ReadonlyArray<{ point: TokenPoint; value: TokenValue }>, opts: SignalUsageOptions, stats: SignalUsageStats, events: CoverSet): void {
  const { groups, setAside } = usageGroups(figures);
  stats.metricFiguresSetAside += setAside;
  // Added to the events' cover set only after the loop: metrics never set each other aside.
  const kept: Array<[string, string, string]> = [];
  for (const g of groups) {
    const { resource } = g.point;
    const svc = service(resource);
    const session = sessionOf(g.point);
    if (opts.spans.covers(svc, instance(resource), session) || events.covers(svc, instance(resource), session)) {
      stats.metricFiguresSetAside++;
      continue;
    }
    const usage = groupUsage(g);
    kept.push([svc, instance(resource), session]);
    handOn(signalCall(g.point.attributes, resource, g.timeMs, usage, opts, { source: 'metrics', count: g.count, reportedCost: g.reportedCost }), opts);
  }
  for (const [svc, inst, session] of kept) events.add(svc, inst, session);
}

export const sessionOf = (p: TokenPoint) => firstString(SESSION_KEYS, p.attributes, p.resource) ?? '';

// ── the call ──────────────────────────────────────────────────────────────────────────

/** A counted figure to the rows, or, without a time under a window, to the untimed count. */
function handOn(call: AttributedCall, opts: SignalUsageOptions): void {
  if (!timeKnown(call.startMs) && bounded(opts.window)) opts.onUntimed(call);
  else opts.onCall(call);
}

interface SignalFields {
  source: UsageSource;
  /** Requests the figure stands for (an event: 1; metrics: what a histogram counted, else 0). */
  count: number;
  reportedCost?: number;
  durationMs?: number;
  ttftMs?: number;
}

/** An event or metrics figure as the call the dimensions and aggregates read. */
function signalCall(a: Attributes, resource: Attributes, timeMs: number, usage: Usage, opts: SignalUsageOptions, f: SignalFields): AttributedCall {
  const responseModel = firstString(MODEL_KEYS.response, a);
  const requestModel = firstString(MODEL_KEYS.request, a);
  const providerRaw = firstString(['gen_ai.provider.name', 'gen_ai.system'], a);
  const view = { responseModel, requestModel, usage } as GenAiView;
  const priced = priceView(opts.book, view, timeMs);
  const lookup = (keys: readonly string[]) => firstString(keys, a, resource);
  return {
    traceId: NONE,
    spanId: '',
    feature: NONE,
    inherited: opts.inherited.map(lookup),
    startMs: timeMs,
    usage,
    cost: priced ? priced.cost : null,
    entry: priced?.entry.name,
    model: priced?.model ?? responseModel ?? requestModel ?? UNKNOWN_MODEL,
    provider: (providerRaw && normalizeProvider(providerRaw)) ?? priced?.entry.provider ?? NONE,
    operation: 'chat',
    service: service(resource),
    durationMs: f.durationMs ?? 0,
    latency: f.durationMs === undefined ? 'none' : 'attribute',
    ttftMs: f.ttftMs,
    reportedCost: f.reportedCost,
    source: f.source,
    count: f.count,
  };
}

/** The metric names read for usage (for --help and docs). */
export const USAGE_METRIC_NAMES: readonly string[] = AGENT_METRICS.map((m) => m.name);
