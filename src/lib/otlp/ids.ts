/** Trace and span id checks shared by every decoder: lowercase hex, right length, not all zero. */

const HEX = /^[0-9a-fA-F]+$/;
const ZERO = /^0+$/;

export type IdCheck = { ok: true; id: string } | { ok: false; message: string };

export function checkHexId(value: unknown, bytes: 8 | 16): IdCheck {
  if (typeof value !== 'string') return { ok: false, message: `expected a hex string, got ${typeName(value)}` };
  if (value.length !== bytes * 2) {
    return { ok: false, message: `expected ${bytes * 2} hex digits, got ${value.length} characters` };
  }
  if (!HEX.test(value)) return { ok: false, message: `not hexadecimal: ${JSON.stringify(value.slice(0, 40))}` };
  if (ZERO.test(value)) return { ok: false, message: 'all-zero id is invalid' };
  return { ok: true, id: value.toLowerCase() };
}

const HEX_DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_DIGITS[bytes[i]!];
  return out;
}

export function checkIdBytes(value: Uint8Array | undefined | null, bytes: 8 | 16): IdCheck {
  if (!value || value.length === 0) return { ok: false, message: 'missing id' };
  if (value.length !== bytes) return { ok: false, message: `expected ${bytes} bytes, got ${value.length}` };
  const hex = bytesToHex(value);
  if (ZERO.test(hex)) return { ok: false, message: 'all-zero id is invalid' };
  return { ok: true, id: hex };
}

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
