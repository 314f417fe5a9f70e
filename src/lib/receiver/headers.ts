/** Request header parsing for OTLP/HTTP: media type, content encoding, bearer token, Host. */
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

/**
 * The Host names a loopback listener answers to unless told otherwise. DNS rebinding: a web page
 * whose own name is made to resolve to 127.0.0.1 can POST OTLP JSON to it same-origin, with no
 * CORS preflight, and its Host header still names the page's site (as Vite and Jupyter check).
 */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** The Host header without its port, lowercased; undefined when it is not host[:port]. */
export function hostName(header: string): string | undefined {
  const h = header.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::\d{1,5})?$/.exec(h);
  return m?.[1];
}

/** Whether a request's Host is one the listener answers to (a request without one is not a browser's). */
export function hostAllowed(header: string | undefined, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined || header === undefined) return true;
  const name = hostName(header);
  return name !== undefined && allowed.includes(name);
}
