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
import { Partitions } from '../spill/partitions.js';
import { SpillDir } from '../spill/temp-dir.js';
import { Float64List, sortedDifference, summarize, ValueColumn, valuesFromText, valuesToText, type Summary } from './percentiles.js';


export const COLUMNS = ['latencyMs', 'ttftMs', 'outputTokensPerSecond', 'toolCallsPerTrace'] as const;
export type Column = (typeof COLUMNS)[number];

export interface RepeatedToolCall {
  traceId: string;
  tool: string;
  /** As recorded ('' when the library did not record arguments). */
  arguments: string;
  count: number;
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
  /** Traces that made an identical tool call more than once: trace id → its most repeated one. */
  repeats: Map<string, { key: string; count: number }>;
  /** Filled by finish(). */
  summaries?: Record<Column, Summary | null>;
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
    columns: { latencyMs: new ValueColumn(), ttftMs: new ValueColumn(), outputTokensPerSecond: new ValueColumn(), toolCallsPerTrace: new ValueColumn() },
    repeats: new Map(),
  };
}

function bump(m: Map<string, number>, key: string, sign: 1 | -1): void {
  const n = (m.get(key) ?? 0) + sign;
  if (n === 0) m.delete(key);
  else m.set(key, n);
}

/**
 * A copy of `s` that shares no memory with a larger string. V8 makes a string cut from another
 * (JSON.parse's values, slices of a spill file read back) a view that keeps the whole source
 * alive; held until the end, such views kept every spill file they came from (docs/architecture.md,
 * "stats"). Joining forces a flat copy, and slicing that copy keeps only the copy.
 */
function detach(s: string): string {
  return ` ${s}`.slice(1);
}

/** Output tokens per second of generation (after the first chunk), when TTFT and tokens are known. */
export function outputTokensPerSecond(call: Pick<AttributedCall, 'noUsage' | 'usage' | 'durationMs' | 'ttftMs'>): number | undefined {
  if (call.noUsage || call.ttftMs === undefined) return undefined;
  const generatingMs = call.durationMs - call.ttftMs;
  return generatingMs > 0 ? call.usage.output / (generatingMs / 1000) : undefined;
}

export interface StatsAggregatorOptions {
  /** Bytes of values held before they spill (default: no limit). */
  memoryBytes?: number;
  spillParent?: string;
}

export class StatsAggregator {
  private readonly groups = new Map<string, StatsGroup>();
  /** Group index → group (the spill files name groups by index). */
  private readonly byIndex: StatsGroup[] = [];
  readonly total: StatsGroup = newGroup([]);
  private readonly budget: number;
  private heldValues = 0;
  private spill: { dir: SpillDir; parts: Partitions } | undefined;
  spilledValues = 0;
  /** The groups of the calls just added: the trace that follows them (addTrace) needs them again. */
  private readonly callGroups = new Map<AttributedCall, StatsGroup>();

  constructor(
    readonly dimensions: readonly Dimension[],
    private readonly opts: StatsAggregatorOptions = {},
  ) {
    this.byIndex.push(this.total);
    this.budget = opts.memoryBytes ?? Infinity;
  }

  private groupOf(call: AttributedCall): StatsGroup {
    const keys = this.dimensions.map((d) => d.value(call));
    const id = keys.join('\u0000');
    let g = this.groups.get(id);
    if (!g) {
      this.groups.set(id, (g = newGroup(keys)));
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
    this.callGroups.set(call, g);
    for (const target of [g, this.total]) {
      target.calls += sign;
      if (call.errorType !== undefined) {
        target.errors += sign;
        bump(target.errorTypes, call.errorType, sign);
      }
      if (call.finishReasons) {
        let cut = false;
        for (const [i, r] of call.finishReasons.entries()) {
          if (call.finishReasons.indexOf(r) !== i) continue; // a reason counts once per call (n choices)
          bump(target.finishReasons, r, sign);
          cut ||= isCutOff(r);
        }
        if (cut) target.cutOff += sign;
      }
      if (!call.noLatency) this.value(target, 'latencyMs', call.durationMs, sign);
      if (call.ttftMs !== undefined) this.value(target, 'ttftMs', call.ttftMs, sign);
      const tps = outputTokensPerSecond(call);
      if (tps !== undefined) this.value(target, 'outputTokensPerSecond', tps, sign);
    }
  }

  /** A decided trace: its tool calls count once in each group it has calls in, and in the total. */
  addTrace(trace: DecidedTrace, sign: 1 | -1): void {
    const seen = new Set<StatsGroup>([this.total]);
    // The Attributor hands a trace over right after its calls: their groups are known.
    for (const c of trace.calls) seen.add(this.callGroups.get(c) ?? this.groupOf(c));
    this.callGroups.clear();
    for (const g of seen) {
      g.traces += sign;
      this.value(g, 'toolCallsPerTrace', trace.toolCalls, sign);
      const top = trace.topRepeat;
      if (top !== undefined && top.count > 1) {
        if (sign === 1) g.repeats.set(detach(trace.traceId), { key: detach(top.key), count: top.count });
        else g.repeats.delete(trace.traceId);
      }
    }
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

  /** Groups with calls (a group whose calls were all taken back is gone, as if never seen). */
  list(): StatsGroup[] {
    return [...this.groups.values()].filter((g) => g.calls !== 0);
  }
}
