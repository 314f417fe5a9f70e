/**
 * `stats` per group of dimension values (the same dimensions as `cost --by`): counters, and the
 * values whose percentiles are reported, held exactly (docs/architecture.md, "stats").
 *
 * Memory: counters grow with the groups; values take 8 bytes each in Float64Arrays. Beyond the
 * budget, every group's values go to temporary files partitioned by (group, column), and from
 * then on the aggregator keeps writing there whenever the budget fills again. At the end each
 * partition is read back alone and every (group, column) in it is sorted and summarized: one
 * column's values are held at once, never all of them.
 */
import type { AttributedCall, DecidedTrace } from '../cost/attribution.js';
import type { Dimension } from '../cost/dimensions.js';
import { isCutOff } from '../genai/conventions.js';
import { durationKnown } from '../span.js';
import { Partitions } from '../spill/partitions.js';
import { SpillDir } from '../spill/temp-dir.js';
import { Float64List, sortedDifference, summarize, ValueColumn, valuesFromText, valuesToText, type Summary } from './percentiles.js';


export const COLUMNS = ['latencyMs', 'ttftMs', 'outputTokensPerSecond', 'toolCallsPerTrace'] as const;
export type Column = (typeof COLUMNS)[number];

/** The identical tool call repeated most within one trace, and that trace. */
export interface RepeatedToolCall {
  traceId: string;
  /** toolCallKey: the name and the arguments as recorded. */
  key: string;
  count: number;
}

/**
 * A decided trace with a repeated tool call, held to the end (a take-back removes it): once for
 * all its groups, which share its most repeated call (docs/architecture.md, "stats").
 */
interface HeldRepeat {
  key: string;
  count: number;
  /** The groups it has calls in, besides the total. */
  groups: StatsGroup[];
}

export interface StatsGroup {
  keys: string[];
  calls: number;
  errors: number;
  errorTypes: Map<string, number>;
  finishReasons: Map<string, number>;
  /** Calls with a cut-off finish reason. */
  cutOff: number;
  traces: number;
  columns: Record<Column, ValueColumn>;
  /** Equal to the aggregator's `pendingMark` while the group is in its `pendingGroups`. */
  pendingMark: number;
  /** Filled by finish(). */
  summaries?: Record<Column, Summary | null>;
  /** Filled by finish(): the most repeated identical tool call of the group's traces (ties: smallest key, then trace id). */
  topRepeat?: RepeatedToolCall;
}

function newGroup(keys: string[]): StatsGroup {
  return {
    keys,
    calls: 0,
    errors: 0,
    errorTypes: new Map(),
    finishReasons: new Map(),
    cutOff: 0,
    traces: 0,
    pendingMark: 0,
    columns: { latencyMs: new ValueColumn(), ttftMs: new ValueColumn(), outputTokensPerSecond: new ValueColumn(), toolCallsPerTrace: new ValueColumn() },
  };
}

function bump(m: Map<string, number>, key: string, sign: 1 | -1): void {
  const n = (m.get(key) ?? 0) + sign;
  if (n === 0) m.delete(key);
  else m.set(key, n);
}

type TimedCall = Pick<AttributedCall, 'startMs' | 'durationMs' | 'latency'>;

/**
 * The call's duration is known: from its span's times when its start is (span.ts
 * `durationKnown`), from an agent event's `duration_ms` with or without a time (only its place
 * in a window is unknown then: docs/architecture.md "Unset span times").
 */
export function callDurationKnown(call: TimedCall): boolean {
  if (call.latency === 'none') return false;
  return call.latency === 'attribute' ? call.durationMs >= 0 : durationKnown(call.startMs, call.durationMs);
}

/** Output tokens per second of generation (after the first chunk), when TTFT and tokens are known. */
export function outputTokensPerSecond(call: Pick<AttributedCall, 'noUsage' | 'usage' | 'ttftMs'> & TimedCall): number | undefined {
  if (call.noUsage || call.ttftMs === undefined || !callDurationKnown(call)) return undefined;
  const generatingMs = call.durationMs - call.ttftMs;
  return generatingMs > 0 ? call.usage.output / (generatingMs / 1000) : undefined;
}

export interface StatsAggregatorOptions {
  /** Bytes of values held before they spill (default: no limit). */
  memoryBytes?: number;
  spillParent?: string;
}

export class StatsAggregator {
  /**
   * Groups by their dimension values, one Map level a dimension (the last level's values are the
   * groups): found without building a key string per call.
   */
  private readonly index = new Map<string, unknown>();
  /** Group index → group (the spill files name groups by index); the total is index 0. */
  private readonly byIndex: StatsGroup[] = [];
  readonly total: StatsGroup = newGroup([]);
  private readonly budget: number;
  private heldValues = 0;
  private spill: { dir: SpillDir; parts: Partitions } | undefined;
  spilledValues = 0;
  /**
   * Calls with a latency whose duration is unknown (span.ts `durationKnown`: no start, or an end
   * before it), left out of latency and tok/s (take-backs included).
   */
  unknownDurations = 0;
  /**
   * The groups of the calls of `pendingTrace` added since the last trace handed over: the trace
   * that follows them (addTrace) has its calls there. Each group once (`pendingMark`).
   */
  private pendingGroups: StatsGroup[] = [];
  private pendingTrace: string | undefined;
  private pendingMark = 0;
  /** Traces with a repeated tool call: trace id → its most repeated call and groups. */
  private readonly repeats = new Map<string, HeldRepeat>();
  /** Tool call keys held by `repeats`, each once (most traces repeat the same few). */
  private readonly toolKeys = new Map<string, string>();

  constructor(
    readonly dimensions: readonly Dimension[],
    private readonly opts: StatsAggregatorOptions = {},
  ) {
    this.byIndex.push(this.total);
    this.budget = opts.memoryBytes ?? Infinity;
  }

  private groupOf(call: AttributedCall): StatsGroup {
    const dims = this.dimensions;
    let level = this.index;
    for (let i = 0; i < dims.length - 1; i++) {
      const v = dims[i]!.value(call);
      let next = level.get(v) as Map<string, unknown> | undefined;
      if (next === undefined) level.set(v, (next = new Map()));
      level = next;
    }
    // No dimensions: one group, under the empty key.
    const last = dims.length ? dims[dims.length - 1]!.value(call) : '';
    let g = level.get(last) as StatsGroup | undefined;
    if (g === undefined) {
      level.set(last, (g = newGroup(dims.map((d) => d.value(call)))));
      this.byIndex.push(g);
    }
    return g;
  }

  private value(g: StatsGroup, column: Column, v: number, sign: 1 | -1): void {
    g.columns[column].add(v, sign);
    // 8 bytes a value; a Float64List's doubling can take up to twice that, counted in the estimate's slack.
    if (++this.heldValues * 16 > this.budget) this.spillValues();
  }

  /** A counted call (sign 1) or one taken back (sign −1). */
  addCall(call: AttributedCall, sign: 1 | -1): void {
    const g = this.groupOf(call);
    // A call of another trace starts a new list: calls no trace follows (agents' events) never pile up.
    if (call.traceId !== this.pendingTrace) this.newPending(call.traceId);
    if (g.pendingMark !== this.pendingMark) {
      g.pendingMark = this.pendingMark;
      this.pendingGroups.push(g);
    }
    const tps = outputTokensPerSecond(call);
    const latency = callDurationKnown(call);
    if (call.latency !== 'none' && !latency) this.unknownDurations += sign;
    this.count(g, call, latency, tps, sign);
    this.count(this.total, call, latency, tps, sign);
  }

  private count(target: StatsGroup, call: AttributedCall, latency: boolean, tps: number | undefined, sign: 1 | -1): void {
    target.calls += sign;
    if (call.errorType !== undefined) {
      target.errors += sign;
      bump(target.errorTypes, call.errorType, sign);
    }
    const reasons = call.finishReasons;
    if (reasons) {
      let cut = false;
      for (let i = 0; i < reasons.length; i++) {
        const r = reasons[i]!;
        if (reasons.indexOf(r) !== i) continue; // a reason counts once per call (n choices)
        bump(target.finishReasons, r, sign);
        cut ||= isCutOff(r);
      }
      if (cut) target.cutOff += sign;
    }
    if (latency) this.value(target, 'latencyMs', call.durationMs, sign);
    if (call.ttftMs !== undefined) this.value(target, 'ttftMs', call.ttftMs, sign);
    if (tps !== undefined) this.value(target, 'outputTokensPerSecond', tps, sign);
  }

  /**
   * A decided trace: its tool calls count once in each group it has calls in, and in the total.
   * The Attributor hands a trace over right after its calls (attribution.ts `emit`), so those
   * groups are the ones the calls just went to (with an inherited model: the call as counted).
   */
  addTrace(trace: DecidedTrace, sign: 1 | -1): void {
    // Handed over without its calls just before (not what the Attributor does): from its calls.
    const groups = trace.traceId === this.pendingTrace ? this.pendingGroups : [...new Set(trace.calls.map((c) => this.groupOf(c)))];
    this.newPending(undefined);
    for (const g of [this.total, ...groups]) {
      g.traces += sign;
      this.value(g, 'toolCallsPerTrace', trace.toolCalls, sign);
    }
    const top = trace.topRepeat;
    if (top === undefined || top.count <= 1) return;
    if (sign === -1) {
      this.repeats.delete(trace.traceId);
      return;
    }
    let key = this.toolKeys.get(top.key);
    if (key === undefined) this.toolKeys.set((key = top.key), key);
    this.repeats.set(trace.traceId, { key, count: top.count, groups });
  }

  private newPending(traceId: string | undefined): void {
    this.pendingTrace = traceId;
    this.pendingGroups = [];
    this.pendingMark++;
  }

  /** Every group's values to disk (keyed `<group index>.<column>`), memory freed. */
  private spillValues(): void {
    if (!this.spill) {
      const dir = SpillDir.create(this.opts.spillParent);
      this.spill = { dir, parts: new Partitions(dir, { count: 64, name: 'stats-values' }) };
    }
    const { parts } = this.spill;
    this.byIndex.forEach((g, i) => {
      for (const column of COLUMNS) {
        const col = g.columns[column];
        if (col.size === 0) continue;
        if (col.added.length) parts.add(`${i}.${column}`, `+${valuesToText(col.added.values())}`);
        if (col.removed.length) parts.add(`${i}.${column}`, `-${valuesToText(col.removed.values())}`);
        this.spilledValues += col.size;
        col.clear();
      }
    });
    this.heldValues = 0;
  }

  /** Summarizes every column (reading spilled values back partition by partition); call once. */
  finish(): void {
    for (const [traceId, r] of this.repeats) {
      offerRepeat(this.total, traceId, r);
      for (const g of r.groups) offerRepeat(g, traceId, r);
    }
    this.repeats.clear();
    this.toolKeys.clear();
    for (const g of this.byIndex) g.summaries = { latencyMs: null, ttftMs: null, outputTokensPerSecond: null, toolCallsPerTrace: null };
    if (!this.spill) {
      for (const g of this.byIndex) for (const column of COLUMNS) g.summaries![column] = g.columns[column].summary();
      return;
    }
    this.spillValues();
    const { parts, dir } = this.spill;
    try {
      parts.close();
      for (let i = 0; i < parts.count; i++) {
        for (const records of parts.groups(i, Number.isFinite(this.budget) ? this.budget : 256 << 20)) {
          const lists = new Map<string, { added: Float64List; removed: Float64List }>();
          for (const [key, payload] of records) {
            let l = lists.get(key);
            if (!l) lists.set(key, (l = { added: new Float64List(), removed: new Float64List() }));
            const values = valuesFromText(payload.slice(1));
            // Our own file in our own temporary directory: anything else is a bug, not bad input.
            if (values === undefined) throw new Error(`stats: spilled values of ${key} are damaged`);
            (payload[0] === '+' ? l.added : l.removed).pushAll(values);
          }
          for (const [key, l] of lists) {
            const dot = key.indexOf('.');
            const g = this.byIndex[Number(key.slice(0, dot))]!;
            g.summaries![key.slice(dot + 1) as Column] = summarize(sortedDifference(l.added.values(), l.removed.values()));
          }
        }
      }
    } finally {
      dir.remove();
      this.spill = undefined;
    }
  }

  /** Releases temporary files early (on an error). */
  close(): void {
    this.spill?.dir.remove();
  }

  /** Groups with calls, in the order first seen (a group whose calls were all taken back is gone, as if never seen). */
  list(): StatsGroup[] {
    return this.byIndex.slice(1).filter((g) => g.calls !== 0);
  }
}

/** Keeps the group's most repeated call: the highest count, then the smallest key, then the smallest trace id. */
function offerRepeat(g: StatsGroup, traceId: string, r: HeldRepeat): void {
  const top = g.topRepeat;
  if (!top || r.count > top.count || (r.count === top.count && (r.key < top.key || (r.key === top.key && traceId < top.traceId)))) {
    g.topRepeat = { traceId, key: r.key, count: r.count };
  }
}
