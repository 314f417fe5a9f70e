/**
 * The one temporality engine for OTLP metrics (docs/architecture.md, "From OTLP metrics"):
 * points are reduced per series to what was recorded inside the window, whatever order they
 * arrive in. `stats` uses it for the GenAI histograms, `cost` for token and cost sums
 * (signal-usage.ts); the value type and its arithmetic are the caller's.
 *
 * Temporality, exactly: a delta series' points inside the window are added up. A cumulative
 * series (one per resource, scope, metric, attributes and start time: a restart begins a new
 * one) contributes its last point inside the window minus a baseline: the last point before the
 * window when one was read; zero when the series started inside the window (or no --since was
 * given), since the point then holds everything; else its first point inside the window (what
 * came before that point cannot be told apart from what preceded the window, and is left out).
 * A cumulative export repeated (every export interval, or a retried request) is the same point
 * again or a later one: it replaces, it never adds. A delta point repeated (a retried request) is
 * the same point again: same series, start, end and value; it is skipped. Any other delta point
 * counts, even over an interval already seen. Points without any time cannot be told from a
 * resend: each counts, and `untoldResends` says how many equalled one already read.
 */
import { timeKnown } from '../span.js';
import { inWindow, type TimeWindow } from './window.js';

/** The warning for `untoldResends`: the figures count those points, which may be resends. */
export const untoldResendsNote = (n: number): string =>
  `warning: ${n} delta metric point${n === 1 ? '' : 's'} without a time equal${n === 1 ? 's' : ''} one read before and ${n === 1 ? 'is' : 'are'} counted: a resend cannot be told apart without a time`;

/** One point of a series, with its value. */
export interface SeriesPoint<V> {
  /** Identifies the series (without the start time). */
  seriesKey: string;
  cumulative: boolean;
  startMs: number;
  timeMs: number;
  value: V;
}

/** The arithmetic of a value type. */
export interface SeriesValues<V> {
  add(a: V, b: V): V;
  subtract(a: V, b: V): V;
  /** Two points of one series that cannot be combined (a histogram's bounds changed). */
  conflict?(a: V, b: V): boolean;
  /** A difference that went below zero: the series is inconsistent. */
  negative(v: V): boolean;
  /** Nothing recorded (left out of the figures). */
  empty(v: V): boolean;
}

interface SeriesState<P> {
  point: P;
  cumulative: boolean;
  /** Delta: the sum of the points inside the window, and the points already added (times and value). */
  sum?: P;
  added?: Set<string>;
  /** Cumulative: the last point before the window, and the first and last inside it. */
  before?: P;
  first?: P;
  last?: P;
  conflict?: boolean;
}

/** What one series recorded inside the window, with the point that stands for its attributes. */
export interface SeriesFigure<P, V> {
  point: P;
  value: V;
}

export class MetricSeries<V, P extends SeriesPoint<V> = SeriesPoint<V>> {
  private readonly series = new Map<string, SeriesState<P>>();
  /** Series dropped because their points disagree (bucket bounds changed, or a cumulative count fell). */
  readonly inconsistent: string[] = [];
  /** Delta points without any time equal to one already read: counted, a resend being untellable. */
  untoldResends = 0;

  constructor(
    private readonly window: TimeWindow,
    private readonly values: SeriesValues<V>,
  ) {}

  add(p: P): void {
    // A cumulative series restarts with a new start time: a series of its own.
    const key = p.cumulative ? `${p.seriesKey}\u0000${p.startMs}` : p.seriesKey;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { point: p, cumulative: p.cumulative }));
    if (s.cumulative !== p.cumulative || this.values.conflict?.(s.point.value, p.value)) {
      s.conflict = true;
      return;
    }
    const inside = inWindow(this.window, p.timeMs);
    if (!p.cumulative) {
      // The same point again is the export sent again; without any time that cannot be told.
      const id = `${p.startMs}\u0000${p.timeMs}\u0000${JSON.stringify(p.value)}`;
      if (!(s.added ??= new Set()).has(id)) s.added.add(id);
      else if (timeKnown(p.startMs) || timeKnown(p.timeMs)) return;
      else this.untoldResends++;
      if (inside) s.sum = s.sum ? { ...p, value: this.values.add(s.sum.value, p.value) } : p;
      return;
    }
    if (inside) {
      if (!s.first || p.timeMs < s.first.timeMs) s.first = p;
      if (!s.last || p.timeMs > s.last.timeMs) s.last = p;
    } else if (this.window.sinceMs !== undefined && p.timeMs < this.window.sinceMs) {
      if (!s.before || p.timeMs > s.before.timeMs) s.before = p;
    }
  }

  /** Each series' figure inside the window (series with nothing in it are left out). */
  figures(): Array<SeriesFigure<P, V>> {
    const out: Array<SeriesFigure<P, V>> = [];
    for (const s of this.series.values()) {
      if (s.conflict) {
        this.inconsistent.push(s.point.seriesKey);
        continue;
      }
      if (!s.cumulative) {
        if (s.sum && !this.values.empty(s.sum.value)) out.push({ point: s.sum, value: s.sum.value });
        continue;
      }
      if (!s.last) continue;
      const since = this.window.sinceMs;
      const startedInside = since === undefined || (s.last.startMs > 0 && s.last.startMs >= since);
      const baseline = s.before ?? (startedInside ? undefined : s.first);
      const v = baseline ? this.values.subtract(s.last.value, baseline.value) : s.last.value;
      if (this.values.negative(v)) {
        this.inconsistent.push(s.point.seriesKey);
        continue;
      }
      if (!this.values.empty(v)) out.push({ point: s.last, value: v });
    }
    return out;
  }
}
