/** Request header parsing for OTLP/HTTP: media type, content encoding, bearer token. */
import { timingSafeEqual } from 'node:crypto';
import type { Encoding } from './responses.js';

/** `application/json; charset=utf-8` → 'json'; parameters and case do not matter (as the Collector). */
export function parseMediaType(header: string | undefined): Encoding | undefined {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

export type ContentCoding = 'identity' | 'gzip' | 'deflate';

/** The body's coding, or undefined when it is one we cannot undo (→ 415). */
export function parseContentEncoding(header: string | undefined): ContentCoding | undefined {
  const codings = (header ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return 'identity';
  if (codings.length > 1) return undefined;
  if (codings[0] === 'gzip' || codings[0] === 'x-gzip') return 'gzip';
  if (codings[0] === 'deflate') return 'deflate';
  return undefined;
}

/** `Bearer <token>` (scheme case-insensitive), compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^bearer[ \t]+(.*)$/i.exec((header ?? '').trim());
  if (!m) return false;
  const given = Buffer.from(m[1]!.trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
