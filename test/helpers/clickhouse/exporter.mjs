/**
 * The OpenTelemetry Collector ClickHouse exporter, for tests and the bench: its DDL and how it
 * maps a span into a row (exporter_traces.go; pcommon.Value.AsString for every attribute value,
 * traceutil.SpanKindStr/StatusCodeStr). Plain JavaScript so that bench/ (no TypeScript build)
 * loads data exactly as the tests do.
 */


/** The exporter's DDL (internal/sqltemplates/traces_table.sql, the bloom-filter branch, and its trace_id_ts table). */
export function tracesDdl(db, table = 'otel_traces', layout = 'current') {
  if (layout === 'old') {
    // The layout before ScopeName/ScopeVersion columns (example/default_ddl/traces.sql of that time):
    // Duration Int64, the scope in SpanAttributes, trace_id_ts a plain MergeTree of DateTime64(9).
    return [
      `CREATE DATABASE IF NOT EXISTS ${db}`,
      `CREATE TABLE IF NOT EXISTS ${db}.${table} (
     Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)), TraceId String CODEC(ZSTD(1)), SpanId String CODEC(ZSTD(1)),
     ParentSpanId String CODEC(ZSTD(1)), TraceState String CODEC(ZSTD(1)), SpanName LowCardinality(String) CODEC(ZSTD(1)),
     SpanKind LowCardinality(String) CODEC(ZSTD(1)), ServiceName LowCardinality(String) CODEC(ZSTD(1)),
     ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)), SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
     Duration Int64 CODEC(ZSTD(1)), StatusCode LowCardinality(String) CODEC(ZSTD(1)), StatusMessage String CODEC(ZSTD(1)),
     Events Nested (Timestamp DateTime64(9), Name LowCardinality(String), Attributes Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
     Links Nested (TraceId String, SpanId String, TraceState String, Attributes Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
     INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE MergeTree() PARTITION BY toDate(Timestamp) ORDER BY (ServiceName, SpanName, toUnixTimestamp(Timestamp), TraceId)
SETTINGS index_granularity=8192, ttl_only_drop_parts = 1`,
      `CREATE TABLE IF NOT EXISTS ${db}.${table}_trace_id_ts (TraceId String CODEC(ZSTD(1)), Start DateTime64(9) CODEC(Delta, ZSTD(1)), End DateTime64(9) CODEC(Delta, ZSTD(1)),
     INDEX idx_trace_id TraceId TYPE bloom_filter(0.01) GRANULARITY 1) ENGINE MergeTree() ORDER BY (TraceId, toUnixTimestamp(Start)) SETTINGS index_granularity=8192`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${table}_trace_id_ts_mv TO ${db}.${table}_trace_id_ts AS SELECT TraceId, min(Timestamp) as Start, max(Timestamp) as End FROM ${db}.${table} WHERE TraceId!='' GROUP BY TraceId`,
    ];
  }
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}`,
    `CREATE TABLE IF NOT EXISTS ${db}.${table} (
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Duration UInt64 CODEC(T64, ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage String CODEC(ZSTD(1)),
    Events Nested (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    Links Nested (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    ResourceAttributeItems Array(String) ALIAS arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(ResourceAttributes, 'Array(Tuple(String, String))')),
    SpanAttributeItems Array(String) ALIAS arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(SpanAttributes, 'Array(Tuple(String, String))')),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1,
    INDEX idx_lower_span_name lower(SpanName) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
) ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
PRIMARY KEY (ServiceName, SpanName, toDateTime(Timestamp))
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp), Timestamp)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`,
    `CREATE TABLE IF NOT EXISTS ${db}.${table}_trace_id_ts (
    TraceId String CODEC(ZSTD(1)),
    Start SimpleAggregateFunction(min, DateTime) CODEC(ZSTD(1)),
    End SimpleAggregateFunction(max, DateTime) CODEC(ZSTD(1))
) ENGINE = AggregatingMergeTree
PARTITION BY toStartOfWeek(Start)
ORDER BY (TraceId)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${table}_trace_id_ts_mv TO ${db}.${table}_trace_id_ts
AS SELECT TraceId, min(Timestamp) as Start, max(Timestamp) as End
FROM ${db}.${table} WHERE TraceId != '' GROUP BY TraceId`,
  ];
}

/** Go's encoding/json of AsRaw(): keys of maps sorted, <, > and & escaped, ints exact. */
function goJson(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Uint8Array) return goJson(Buffer.from(v).toString('base64'));
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (Array.isArray(v.entries)) {
    // A kvlist: AsRaw() is a Go map, and json.Marshal writes a map's keys sorted.
    const entries = [...v.entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return `{${entries.map(([k, x]) => `${goJson(k)}:${goJson(x)}`).join(',')}}`;
  }
  return 'null';
}

/** pcommon.Value.AsString(). */
export function asString(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return `json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`;
    return String(v);
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return goJson(v);
}

function mapOf(a) {
  const out = {};
  for (const k of Object.keys(a)) out[k] = asString(a[k]);
  return out;
}

const KIND = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/** One span as the exporter inserts it (JSONEachRow). */
export function exporterRow(s, layout = 'current') {
  const attrs = mapOf(s.attributes);
  if (layout === 'old') {
    if (s.scope.name) attrs['otel.scope.name'] = s.scope.name;
    if (s.scope.version) attrs['otel.scope.version'] = s.scope.version;
  }
  const svc = s.resource.attributes['service.name'];
  const d = s.endTimeUnixNano - s.startTimeUnixNano;
  return {
    // The Collector writes an unset (0) start as the epoch.
    Timestamp: s.startTimeUnixNano === 0n ? '1970-01-01 00:00:00' : s.startTimeUnixNano.toString(),
    TraceId: s.traceId,
    SpanId: s.spanId,
    ParentSpanId: s.parentSpanId,
    TraceState: s.traceState,
    SpanName: s.name,
    SpanKind: KIND[s.kind] ?? 'SPAN_KIND_UNSPECIFIED',
    ServiceName: typeof svc === 'string' ? svc : '',
    ResourceAttributes: mapOf(s.resource.attributes),
    ...(layout === 'current' ? { ScopeName: s.scope.name, ScopeVersion: s.scope.version } : {}),
    SpanAttributes: attrs,
    // UInt64 in the current layout: Go's int64 → uint64 conversion wraps a negative duration.
    Duration: (layout === 'current' ? BigInt.asUintN(64, d) : d).toString(),
    StatusCode: STATUS[s.status.code] ?? 'STATUS_CODE_UNSET',
    StatusMessage: s.status.message,
    'Events.Timestamp': s.events.map((e) => e.timeUnixNano.toString()),
    'Events.Name': s.events.map((e) => e.name),
    'Events.Attributes': s.events.map((e) => mapOf(e.attributes)),
    'Links.TraceId': s.links.map((l) => l.traceId),
    'Links.SpanId': s.links.map((l) => l.spanId),
    'Links.TraceState': s.links.map((l) => l.traceState),
    'Links.Attributes': s.links.map((l) => mapOf(l.attributes)),
  };
}
