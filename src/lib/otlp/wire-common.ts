/**
 * Protobuf wire primitives of the OTLP protobuf reader (proto-wire.ts, proto-traces.ts) and of
 * the store worker's transcoder (proto-to-json.ts), with no reader state: each takes the bytes and a position and returns one number, and a second result
 * (where a varint ends, an int64's halves, a quotient) is left in `wireOut`. An error is a
 * negative return (NaN for readInt64, with wireOut.next -1) and its details in `wireOut`, for
 * proto-wire.ts to raise as a DecodeError worded by wireErrorMessage(). They read as protobufjs
 * does (see proto-wire.ts for its quirks). Plain functions of numbers that allocate nothing, but
 * for the id and string converters at the end.
 *
 * What stays in the reader is what depends on its state: the one-byte varint (most tags and
 * lengths) read in place, the length-prefix and fixed-size bounds checks, and the errors.
 */

/** The second results of the functions below: read them right after the call. */
export const wireOut = {
  /** Where the value read ends: the position of what follows. */
  next: 0,
  /** readInt64's value beyond ±2^53: its low and high 32 bits, unsigned. */
  lo: 0,
  hi: 0,
  /** divMillion's quotient. */
  quotient: 0,
  /** The last error: its kind (the constants below), the byte it is at, and its length or wire type. */
  error: 0,
  errorAt: 0,
  errorArg: 0,
};

const TRUNCATED = 1;
const INVALID_VARINT = 2;
const BEYOND = 3;
const WIRE_TYPE = 4;

function failed(kind: number, at: number, arg: number): number {
  wireOut.error = kind;
  wireOut.errorAt = at;
  wireOut.errorArg = arg;
  return -1;
}

function failedNaN(kind: number, at: number): number {
  wireOut.next = failed(kind, at, 0);
  return NaN;
}

/** The last error as proto-wire.ts words it (after its prefix). */
export function wireErrorMessage(): string {
  const at = wireOut.errorAt;
  switch (wireOut.error) {
    case TRUNCATED:
      return `truncated varint at byte ${at}`;
    case INVALID_VARINT:
      return `invalid varint encoding at byte ${at}`;
    case BEYOND:
      return `length ${wireOut.errorArg} beyond the end at byte ${at}`;
    default:
      return `invalid wire type ${wireOut.errorArg} at byte ${at}`;
  }
}

// ---- varints and lengths --------------------------------------------------------------------

/**
 * protobufjs Reader#uint32 at p (before `end`): a varint's low 32 bits, 10-byte varints skipping
 * bytes 6–10 unread; its end in wireOut.next. -1: truncated. (The readers test for a one-byte
 * varint themselves and call this for the rest.)
 */
export function readUint32(buf: Uint8Array, p: number, end: number): number {
  if (end - p < 5) return readUint32Near(buf, p, end);
  const at = p;
  let v = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    const b = buf[p++]!;
    v |= (b & 127) << shift;
    if (b < 128) {
      wireOut.next = p;
      return v;
    }
  }
  const b = buf[p++]!;
  v = (v | ((b & 15) << 28)) >>> 0;
  if (b >= 128 && (p += 5) > end) return failed(TRUNCATED, at, 0);
  wireOut.next = p;
  return v;
}

/** Fewer than 5 bytes left: every byte is bounds-checked. */
function readUint32Near(buf: Uint8Array, p: number, end: number): number {
  const at = p;
  let v = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (p >= end) break;
    const b = buf[p++]!;
    v = (v | ((b & 127) << shift)) >>> 0;
    if (b < 128) {
      wireOut.next = p;
      return v;
    }
  }
  return failed(TRUNCATED, at, 0);
}

/**
 * protobufjs readLongVarint at p: an int64 varint (two's complement) as an exact number, its end
 * in wireOut.next. Beyond ±2^53 it is NaN, with its halves (unsigned) in wireOut.lo / wireOut.hi.
 * Truncated or longer than 10 bytes: NaN, and wireOut.next is -1.
 */
export function readInt64(buf: Uint8Array, p: number, end: number): number {
  if (end - p <= 4) return readInt64Near(buf, p, end);
  let lo = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    const b = buf[p++]!;
    lo |= (b & 127) << shift;
    if (b < 128) {
      wireOut.next = p;
      return lo;
    }
  }
  return readInt64High(buf, p, end, lo);
}

/** From the 5th byte on (lo: the first 28 bits). */
function readInt64High(buf: Uint8Array, p: number, end: number, lo: number): number {
  const at = p - 4;
  let b = buf[p++]!;
  lo = (lo | ((b & 127) << 28)) >>> 0;
  let hi = (b & 127) >> 4;
  if (b >= 128) {
    const fast = end - p > 4;
    for (let i = 0; ; i++) {
      if (i === 5) return failedNaN(INVALID_VARINT, at);
      if (!fast && p >= end) return failedNaN(TRUNCATED, at);
      b = buf[p++]!;
      hi = (hi | ((b & 127) << (i * 7 + 3))) >>> 0;
      if (b < 128) break;
    }
  }
  wireOut.next = p;
  wireOut.lo = lo;
  wireOut.hi = hi;
  // Exact in doubles up to ±2^53 (hi·2³² + lo, hi the signed high half).
  if (hi < 0x200000) return hi * 4294967296 + lo;
  if (hi >= 0xffe00000) return (hi - 4294967296) * 4294967296 + lo;
  return NaN;
}

/**
 * 4 bytes or fewer left in the message: protobufjs reads at most 4, the 4th whatever its
 * continuation bit (a 4th byte past the end leaves its reader beyond the message, which it then
 * rejects: truncated here).
 */
function readInt64Near(buf: Uint8Array, p: number, end: number): number {
  const at = p;
  let lo = 0;
  for (let shift = 0; ; shift += 7) {
    if (p >= end) return failedNaN(TRUNCATED, at);
    const b = buf[p++]!;
    lo = (lo | ((b & 127) << shift)) >>> 0;
    if (b < 128 || shift === 21) break;
  }
  wireOut.next = p;
  return lo;
}

/** readInt64's value beyond ±2^53, from its halves. */
export function int64BigInt(lo: number, hi: number): bigint {
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

/**
 * A length-delimited value at p (its length prefix): returns the payload's start, its end in
 * wireOut.next; -1 when the prefix is truncated or the payload runs past `end`.
 */
function readDelimited(buf: Uint8Array, p: number, end: number): number {
  const len = readUint32(buf, p, end);
  if (len < 0) return -1;
  const s = wireOut.next;
  const e = s + len;
  if (e > end) return failed(BEYOND, s, len);
  wireOut.next = e;
  return s;
}

/**
 * The end of an unknown field's value of wire type 0, 1, 2 or 5 at p; -1 when it runs past `end`
 * or for any other wire type (groups, 3, are the caller's: protobufjs skips them, and so does
 * proto-wire.ts).
 */
export function skipValue(buf: Uint8Array, p: number, end: number, wireType: number): number {
  switch (wireType) {
    case 0: {
      const at = p;
      do {
        if (p >= end) return failed(TRUNCATED, at, 0);
      } while (buf[p++]! & 128);
      return p;
    }
    case 1:
      return p + 8 > end ? failed(BEYOND, p, 8) : p + 8;
    case 2:
      return readDelimited(buf, p, end) < 0 ? -1 : wireOut.next;
    case 5:
      return p + 4 > end ? failed(BEYOND, p, 4) : p + 4;
    default:
      return failed(WIRE_TYPE, p, wireType);
  }
}

// ---- 64-bit arithmetic in doubles -----------------------------------------------------------

/**
 * v mod 10⁶ of the unsigned 64-bit v = hi·2³² + lo, and ⌊v / 10⁶⌋ (below 2^45) in
 * wireOut.quotient, exact in doubles: nanoseconds as whole milliseconds and the rest, with no
 * bigint. (The remainder is returned as it is the small one: no number to allocate if not inlined.)
 */
export function divMillion(lo: number, hi: number): number {
  const qh = Math.floor(hi / 1e6);
  const t = (hi - qh * 1e6) * 4294967296 + lo; // < 2^53
  let qt = Math.floor(t / 1e6);
  let r = t - qt * 1e6;
  if (r < 0) {
    qt--;
    r += 1e6;
  } else if (r >= 1e6) {
    qt++;
    r -= 1e6;
  }
  wireOut.quotient = qh * 4294967296 + qt;
  return r;
}

// ---- bytes ----------------------------------------------------------------------------------

/** A byte's two lowercase hex digits: the first, the second, and both as a little-endian 16-bit word. */
const HEX_HI = new Uint8Array(256);
const HEX_LO = new Uint8Array(256);
export const HEX_PAIR = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  HEX_HI[i] = (i >> 4) + ((i >> 4) < 10 ? 48 : 87);
  HEX_LO[i] = (i & 15) + ((i & 15) < 10 ? 48 : 87);
  HEX_PAIR[i] = HEX_HI[i]! | (HEX_LO[i]! << 8);
}

/** Whether bytes s…e are all 0 (an empty range is). */
export function allZero(buf: Uint8Array, s: number, e: number): boolean {
  for (let p = s; p < e; p++) if (buf[p] !== 0) return false;
  return true;
}

/**
 * protobufjs' @protobufjs/utf8 read(), for invalid UTF-8 in non-Buffer input: stray
 * continuation bytes vanish, overlong forms become U+FFFD, sequences cut short read 0 bits.
 */
export function protobufjsUtf8(buf: Uint8Array, start: number, end: number): string {
  const at = (i: number) => (i < end ? buf[i]! : 0);
  const units: number[] = [];
  while (start < end) {
    const t = buf[start++]!;
    if (t <= 0x7f) units.push(t);
    else if (t >= 0xc0 && t < 0xe0) {
      const c = ((t & 0x1f) << 6) | (at(start++) & 0x3f);
      units.push(c >= 0x80 ? c : 0xfffd);
    } else if (t >= 0xe0 && t < 0xf0) {
      const c = ((t & 0xf) << 12) | ((at(start++) & 0x3f) << 6) | (at(start++) & 0x3f);
      units.push(c >= 0x800 ? c : 0xfffd);
    } else if (t >= 0xf0) {
      let c = ((t & 7) << 18) | ((at(start++) & 0x3f) << 12) | ((at(start++) & 0x3f) << 6) | (at(start++) & 0x3f);
      if (c < 0x10000 || c > 0x10ffff) units.push(0xfffd);
      else {
        c -= 0x10000;
        units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
      }
    }
  }
  let out = '';
  for (let i = 0; i < units.length; i += 8192) out += String.fromCharCode(...units.slice(i, i + 8192));
  return out;
}

/** One fromCharCode call: a flat string, faster than Buffer#hexSlice for ids. */
export function hex8(b: Uint8Array, s: number): string {
  const b0 = b[s]!, b1 = b[s + 1]!, b2 = b[s + 2]!, b3 = b[s + 3]!, b4 = b[s + 4]!, b5 = b[s + 5]!, b6 = b[s + 6]!, b7 = b[s + 7]!;
  const H = HEX_HI, L = HEX_LO;
  // prettier-ignore
  return String.fromCharCode(H[b0]!, L[b0]!, H[b1]!, L[b1]!, H[b2]!, L[b2]!, H[b3]!, L[b3]!, H[b4]!, L[b4]!, H[b5]!, L[b5]!, H[b6]!, L[b6]!, H[b7]!, L[b7]!);
}

export function hex16(b: Uint8Array, s: number): string {
  const b0 = b[s]!, b1 = b[s + 1]!, b2 = b[s + 2]!, b3 = b[s + 3]!, b4 = b[s + 4]!, b5 = b[s + 5]!, b6 = b[s + 6]!, b7 = b[s + 7]!;
  const b8 = b[s + 8]!, b9 = b[s + 9]!, b10 = b[s + 10]!, b11 = b[s + 11]!, b12 = b[s + 12]!, b13 = b[s + 13]!, b14 = b[s + 14]!, b15 = b[s + 15]!;
  const H = HEX_HI, L = HEX_LO;
  // prettier-ignore
  return String.fromCharCode(
    H[b0]!, L[b0]!, H[b1]!, L[b1]!, H[b2]!, L[b2]!, H[b3]!, L[b3]!, H[b4]!, L[b4]!, H[b5]!, L[b5]!, H[b6]!, L[b6]!, H[b7]!, L[b7]!,
    H[b8]!, L[b8]!, H[b9]!, L[b9]!, H[b10]!, L[b10]!, H[b11]!, L[b11]!, H[b12]!, L[b12]!, H[b13]!, L[b13]!, H[b14]!, L[b14]!, H[b15]!, L[b15]!,
  );
}
