/** A string as JSON text, exactly as JSON.stringify writes it. */

/** Only these need escaping (lone surrogates are escaped since ES2019's well-formed stringify). */
export const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

export function jsonString(s: string): string {
  // The regex test is faster than stringifying every string; the few that need it pay for both.
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}
