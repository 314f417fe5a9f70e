/**
 * What the `tail --quiet` view reads of spans (receiver/view-facts.ts carries exactly this):
 * computed from whole spans, as the truth the view's facts are held to.
 */
import { newAttributes, type Span } from '../../src/lib/span.js';

const EVENT_KEYS = new Set(['exception.message', 'exception.type']);

function only(a: Span['attributes'], keys: ReadonlySet<string>): Span['attributes'] {
  const out = newAttributes();
  for (const k of Object.keys(a)) if (keys.has(k)) out[k] = a[k]!;
  return out;
}

export function viewedSpans(spans: readonly Span[], keys: ReadonlySet<string>): unknown[] {
  return spans.map((s) => ({
    ids: [s.traceId, s.spanId, s.parentSpanId],
    name: s.name,
    kind: s.kind,
    flags: s.flags,
    times: [s.startTimeUnixNano, s.endTimeUnixNano, s.startMs, s.durationMs],
    status: s.status,
    attributes: only(s.attributes, keys),
    events: s.events.map((e) => ({ name: e.name, time: e.timeUnixNano, attributes: only(e.attributes, EVENT_KEYS) })),
    resource: s.resource.attributes,
    scope: [s.scope.name, s.scope.version],
  }));
}
