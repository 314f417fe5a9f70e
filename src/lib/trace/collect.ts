/**
 * Groups span batches by trace id, whatever order the batches and spans arrive in (one trace's
 * spans are usually spread over many export batches and files).
 */
import type { Span } from '../span.js';
import { earliestKnownStart } from './trace-starts.js';

export class TraceCollector {
  private readonly traces = new Map<string, Span[]>();
  constructor(private readonly accept: (traceId: string) => boolean = () => true) {}

  add(spans: Iterable<Span>): void {
    for (const s of spans) {
      if (!this.accept(s.traceId)) continue;
      let list = this.traces.get(s.traceId);
      if (!list) this.traces.set(s.traceId, (list = []));
      list.push(s);
    }
  }

  get size(): number {
    return this.traces.size;
  }

  entries(): IterableIterator<[string, Span[]]> {
    return this.traces.entries();
  }

  /** Trace ids ordered by their earliest span start (oldest first). */
  idsByStart(): string[] {
    const start = new Map<string, bigint>();
    for (const [id, spans] of this.traces) {
      let min = 0n;
      for (const s of spans) min = earliestKnownStart(min, s.startTimeUnixNano);
      start.set(id, min);
    }
    return [...this.traces.keys()].sort((a, b) => {
      const x = start.get(a)!, y = start.get(b)!;
      return x < y ? -1 : x > y ? 1 : a.localeCompare(b);
    });
  }

  spans(traceId: string): Span[] {
    return this.traces.get(traceId) ?? [];
  }
}
