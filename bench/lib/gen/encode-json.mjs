/**
 * Generated spans → one OTLP/JSON line per export batch, as the Collector's file exporter writes
 * them: grouped by resource and scope, hex ids, int64 as decimal strings, enums as numbers.
 */
const SCHEMA = 'https://opentelemetry.io/schemas/1.26.0';

export function jsonValue(v) {
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'number':
      return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
    default:
      if (Array.isArray(v)) return { arrayValue: { values: v.map(jsonValue) } };
      return { doubleValue: v.dbl };
  }
}

export function jsonAttributes(list) {
  return list.map(([key, v]) => ({ key, value: jsonValue(v) }));
}

function spanJson(s) {
  const o = { traceId: s.traceId, spanId: s.spanId };
  if (s.parentSpanId) o.parentSpanId = s.parentSpanId;
  o.flags = 257;
  o.name = s.name;
  o.kind = s.kind;
  o.startTimeUnixNano = `${s.startUs}000`;
  o.endTimeUnixNano = `${s.endUs}000`;
  o.attributes = jsonAttributes(s.attrs);
  if (s.events.length) o.events = s.events.map((e) => ({ timeUnixNano: `${e.timeUs}000`, name: e.name, attributes: jsonAttributes(e.attrs) }));
  o.status = s.status === 0 ? {} : s.statusMessage ? { message: s.statusMessage, code: s.status } : { code: s.status };
  return JSON.stringify(o);
}

/** Spans grouped resource → scope, in first-seen order. */
export function groupSpans(spans) {
  const byRes = new Map();
  for (const s of spans) {
    let scopes = byRes.get(s.res);
    if (!scopes) byRes.set(s.res, (scopes = new Map()));
    let list = scopes.get(s.scope);
    if (!list) scopes.set(s.scope, (list = []));
    list.push(s);
  }
  return byRes;
}

export function encodeJsonLine(spans, resources) {
  const parts = [];
  for (const [res, scopes] of groupSpans(spans)) {
    const ss = [];
    for (const [scope, list] of scopes) {
      ss.push(`{"scope":${JSON.stringify(scope.version ? { name: scope.name, version: scope.version } : { name: scope.name })},"spans":[${list.map(spanJson).join(',')}]}`);
    }
    parts.push(`{"resource":${resources.get(res).json},"scopeSpans":[${ss.join(',')}],"schemaUrl":"${SCHEMA}"}`);
  }
  return `{"resourceSpans":[${parts.join(',')}]}`;
}
