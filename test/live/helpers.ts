/** Synthetic exports and a fake clock for the live view's tests. */
import type { AcceptedExport, LogRecordView } from '../../src/lib/receiver/types.js';
import type { LiveEvent } from '../../src/lib/live/events.js';
import { LiveView, type LiveViewOptions } from '../../src/lib/live/view.js';
import { totalUsd, type CallTotals } from '../../src/lib/live/totals.js';
import { newAttributes, type AttrValue, type Span } from '../../src/lib/span.js';
import { hexId, T0 } from '../helpers/span-factory.js';

export function traceExport(spans: Span[], receivedAt = new Date(0)): AcceptedExport {
  return {
    signal: 'traces',
    protocol: 'http',
    encoding: 'protobuf',
    receivedAt,
    spans,
    logs: [],
    itemCount: spans.length,
    body: new Uint8Array([1, 2, 3]),
    contentType: 'application/x-protobuf',
  };
}

export function logExport(logs: LogRecordView[]): AcceptedExport {
  return { ...traceExport([]), signal: 'logs', logs, itemCount: logs.length };
}

export function genAiLog(spanLabel: string, eventName: string, body: AttrValue, trace = 't1'): LogRecordView {
  return {
    traceId: hexId(trace, 16),
    spanId: hexId(spanLabel),
    eventName,
    timeUnixNano: T0,
    severityText: 'INFO',
    body,
    attributes: newAttributes(),
    serviceName: 'test-svc',
  };
}

/** The same span under another service.name. */
export function inService(span: Span, service: string): Span {
  return { ...span, resource: { ...span.resource, attributes: Object.assign(newAttributes(), { 'service.name': service }) } };
}

export interface Harness {
  view: LiveView;
  events: LiveEvent[];
  /** Advances the fake clock and lets the view report completed traces. */
  advance(ms: number): void;
  of<T extends LiveEvent['type']>(type: T): Array<Extract<LiveEvent, { type: T }>>;
}

export function harness(opts: Partial<LiveViewOptions> = {}): Harness {
  let now = 1_000_000;
  const events: LiveEvent[] = [];
  const view = new LiveView({ emit: (e) => events.push(e), now: () => now, ...opts });
  return {
    view,
    events,
    advance(ms) {
      now += ms;
      view.tick();
    },
    of: (type) => events.filter((e) => e.type === type) as never,
  };
}

/** Call totals with their cost in USD beside them, for toMatchObject({ cost }). */
export function withUsd(t: CallTotals): Omit<CallTotals, 'cost'> & { cost: number } {
  return { ...t, cost: totalUsd(t) };
}
