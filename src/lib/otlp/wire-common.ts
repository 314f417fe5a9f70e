/**
 * Protobuf wire primitives shared by the two hand-written OTLP readers: proto-wire.ts (bytes →
 * Span objects) and proto-to-json.ts (bytes → store-line JSON bytes). They read as protobufjs
 * does (see proto-wire.ts for its quirks) but hold no reader state (the readers keep theirs in
 * different shapes): each takes the bytes and a position and returns one number, and a second
 * result (where a varint ends, an int64's halves, a quotient) is left in `wireOut`. An error is a
 * negative return (NaN for readInt64, with wireOut.next -1) and its details in `wireOut`, for the
 * caller to raise its own way: proto-wire.ts a DecodeError worded by wireErrorMessage(),
 * proto-to-json.ts its fallback. Plain functions of numbers that allocate nothing.
 *
 * What stays in each reader is what depends on its state: the one-byte varint (most tags and
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
 * or for any other wire type (groups, 3, are the caller's: protobufjs skips them, which
 * proto-wire.ts does and proto-to-json.ts does not model).
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
export const HEX_HI = new Uint8Array(256);
export const HEX_LO = new Uint8Array(256);
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
