/** Trace and span id checks shared by every decoder: lowercase hex, right length, not all zero. */

const HEX = /^[0-9a-fA-F]+$/;

export type IdCheck = { ok: true; id: string } | { ok: false; message: string };

/**
 * The id in lowercase, or undefined when it is not `bytes` bytes of hex or is all zero. One pass
 * over the characters and no allocation for valid lowercase ids: decoders call this per span.
 */
export function normalizeHexId(value: unknown, bytes: 8 | 16): string | undefined {
  if (typeof value !== 'string' || value.length !== bytes * 2) return undefined;
  let upper = false;
  let nonZero = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (c !== 48) nonZero = true;
    } else if (c >= 97 && c <= 102) nonZero = true;
    else if (c >= 65 && c <= 70) nonZero = upper = true;
    else return undefined;
  }
  if (!nonZero) return undefined;
  return upper ? value.toLowerCase() : value;
}

export function checkHexId(value: unknown, bytes: 8 | 16): IdCheck {
  const id = normalizeHexId(value, bytes);
  if (id !== undefined) return { ok: true, id };
  if (typeof value !== 'string') return { ok: false, message: `expected a hex string, got ${typeName(value)}` };
  if (value.length !== bytes * 2) {
    return { ok: false, message: `expected ${bytes * 2} hex digits, got ${value.length} characters` };
  }
  if (!HEX.test(value)) return { ok: false, message: `not hexadecimal: ${JSON.stringify(value.slice(0, 40))}` };
  return { ok: false, message: 'all-zero id is invalid' };
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function checkIdBytes(value: Uint8Array | undefined | null, bytes: 8 | 16): IdCheck {
  if (!value || value.length === 0) return { ok: false, message: 'missing id' };
  if (value.length !== bytes) return { ok: false, message: `expected ${bytes} bytes, got ${value.length}` };
  let nonZero = false;
  for (let i = 0; i < value.length && !nonZero; i++) nonZero = value[i] !== 0;
  if (!nonZero) return { ok: false, message: 'all-zero id is invalid' };
  return { ok: true, id: bytesToHex(value) };
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
