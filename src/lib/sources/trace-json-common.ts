/**
 * Helpers shared by the Jaeger and Zipkin decoders: both carry OpenTelemetry data the same way
 * (hex ids that may be 64-bit, microsecond times, `otel.*` tags for status and scope).
 */
import type { FieldProblem } from '../otlp/decode-result.js';
import { type IdCheck, typeName } from '../otlp/ids.js';
import { type AttrValue, type Attributes, type Scope, SpanKind, StatusCode, newAttributes } from '../span.js';
export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const HEX = /^[0-9a-fA-F]+$/;
const ZEROS = /^0+$/;

/**
 * Lowercase hex id left-padded to `width` digits. Shorter ids are padded rather than rejected:
 * Jaeger's and Zipkin's own parsers do the same, and old Jaeger clients printed ids with `%x`,
 * dropping leading zeros.
 */
export function checkPaddedId(v: unknown, width: 16 | 32): IdCheck {
  if (typeof v !== 'string') return { ok: false, message: `expected a hex string, got ${typeName(v)}` };
  if (v.length === 0 || v.length > width) {
    return { ok: false, message: `expected 1 to ${width} hex digits, got ${v.length} characters` };
  }
  if (!HEX.test(v)) return { ok: false, message: `not hexadecimal: ${JSON.stringify(v.slice(0, 40))}` };
  if (ZEROS.test(v)) return { ok: false, message: 'all-zero id is invalid' };
  return { ok: true, id: v.toLowerCase().padStart(width, '0') };
}

/** An id that means "none" (absent, empty or all zeros) rather than a bad id. */
export function isNoId(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (typeof v === 'string' && ZEROS.test(v));
}

const DECIMAL = /^(-?)(\d{1,30})(?:\.(\d+))?$/;

/**
 * Microseconds → exact nanoseconds. Numbers may carry a fraction (the OTel Zipkin spec allows
 * decimal µs); strings appear when a value was too big for a JSON number.
 */
export function microsToNanos(v: unknown): bigint | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    const whole = Math.trunc(v);
    return BigInt(whole) * 1000n + BigInt(Math.round((v - whole) * 1000));
  }
  if (typeof v !== 'string') return undefined;
  const m = DECIMAL.exec(v.trim());
  if (!m) return undefined;
  const ns = BigInt(m[2] ?? '0') * 1000n + BigInt((m[3] ?? '').slice(0, 3).padEnd(3, '0'));
  return m[1] === '-' ? -ns : ns;
}

/** JSON.stringify that cannot throw (bigint, cycles) on arbitrary input. */
export function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

/** A cache key for attribute contents, so equal resources become one shared object. */
export function attrsKey(attrs: Attributes): string {
  const parts: unknown[] = [];
  for (const [k, v] of Object.entries(attrs)) {
    parts.push(k, typeof v, typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? Array.from(v) : v);
  }
  return safeJson(parts);
}

/** A Map, not an object literal, so a tag value like `constructor` finds nothing. */
export const KINDS = new Map<string, number>([
  ['client', SpanKind.CLIENT],
  ['server', SpanKind.SERVER],
  ['producer', SpanKind.PRODUCER],
  ['consumer', SpanKind.CONSUMER],
  ['internal', SpanKind.INTERNAL],
]);

/**
 * Consume `otel.status_code` / `otel.status_description`. Older Collectors wrote the enum name
 * (`STATUS_CODE_ERROR`), newer ones `ERROR`.
 */
export function takeOtelStatus(attrs: Attributes): { code: number; message: string } | undefined {
  const raw = attrs['otel.status_code'];
  if (typeof raw !== 'string') return undefined;
  delete attrs['otel.status_code'];
  const name = raw.toUpperCase().replace(/^STATUS_CODE_/, '');
  const code = name === 'OK' ? StatusCode.OK : name === 'ERROR' ? StatusCode.ERROR : StatusCode.UNSET;
  const desc = attrs['otel.status_description'];
  delete attrs['otel.status_description'];
  return { code, message: typeof desc === 'string' ? desc : '' };
}

/** Scopes come from `otel.scope.*` tags, or the older `otel.library.*` names. */
export function takeScope(attrs: Attributes, cache: Map<string, Scope>): Scope {
  const name = attrs['otel.scope.name'] ?? attrs['otel.library.name'];
  const version = attrs['otel.scope.version'] ?? attrs['otel.library.version'];
  for (const k of ['otel.scope.name', 'otel.library.name', 'otel.scope.version', 'otel.library.version']) {
    delete attrs[k];
  }
  const n = typeof name === 'string' ? name : '';
  const v = typeof version === 'string' ? version : '';
  const key = `${n}\u0000${v}`;
  let scope = cache.get(key);
  if (!scope) {
    scope = { name: n, version: v, attributes: newAttributes(), droppedAttributesCount: 0, schemaUrl: '' };
    cache.set(key, scope);
  }
  return scope;
}

/** A JSON value without a (matching) declared type: kept, integers as int, objects as JSON text. */
export function untypedAttr(v: unknown): AttrValue {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (v === null || v === undefined) return null;
  return safeJson(v);
}

/** Collects problems, capped like the OTLP decoder so one corrupt file cannot flood memory. */
export class Problems {
  readonly list: FieldProblem[] = [];
  add(field: string, message: string): undefined {
    if (this.list.length < 100) this.list.push({ field, message });
    else if (this.list.length === 100) this.list.push({ field, message: 'further problems in this record not shown' });
    return undefined;
  }
}
