/**
 * The OTLP/JSON trace writer's output, UTF-8 bytes in one growable scratch buffer, written by
 * json-write.ts (from Spans) and proto-line.ts (from wire positions): docs/architecture.md, "One
 * OTLP reader and writer". Strings are escaped exactly as JSON.stringify escapes them.
 */
import { jsonString, NEEDS_ESCAPE } from '../json-string.js';
import { divMillion, quotient } from './proto-wire.js';

const INITIAL_SIZE = 1 << 16;
/** A scratch buffer grown beyond this by a huge request is dropped afterwards. */
const MAX_KEPT_SIZE = 16 << 20;

/** Node's native Buffer writer (what Buffer#write calls after its checks); not in @types/node. */
type Scratch = Buffer & { utf8Write(s: string, offset: number): number };

let out = Buffer.allocUnsafeSlow(INITIAL_SIZE) as Scratch;
let view = new DataView(out.buffer, out.byteOffset, out.length);
/** The write position in `out`. */
let at = 0;

function setOut(next: Scratch): void {
  out = next;
  view = new DataView(next.buffer, next.byteOffset, next.length);
}

function grow(n: number): void {
  let size = out.length * 2;
  while (size < at + n) size *= 2;
  const next = Buffer.allocUnsafeSlow(size) as Scratch;
  next.set(out.subarray(0, at));
  setOut(next);
}

/** Starts a line. */
export function startLine(): void {
  at = 0;
}

/** Where the line is: a mark to cut back to (cutTo). */
export function mark(): number {
  return at;
}

export function cutTo(m: number): void {
  at = m;
}

/**
 * The line written since startLine, in memory of its own (transferable: `out` is reused by the
 * next line while this one waits to be written).
 */
export function takeLine(): Uint8Array<ArrayBuffer> {
  const line = Buffer.allocUnsafeSlow(at);
  // From a plain Uint8Array view: TypedArray#set copies it as one block (from a Buffer, measured
  // 2026-12-05, it cost the store line ~10%).
  line.set(new Uint8Array(out.buffer, out.byteOffset, at));
  if (out.length > MAX_KEPT_SIZE) setOut(Buffer.allocUnsafeSlow(INITIAL_SIZE) as Scratch);
  return new Uint8Array(line.buffer, 0, at);
}

/** A piece of output known in advance: its UTF-8 bytes as little-endian 32-bit words, the last one padded. */
export class Lit {
  readonly n: number;
  readonly words: Int32Array;
  constructor(text: string) {
    const bytes = Buffer.from(text, 'utf8');
    const padded = Buffer.alloc((bytes.length + 3) & ~3);
    bytes.copy(padded);
    this.n = bytes.length;
    this.words = new Int32Array(padded.length / 4);
    for (let i = 0; i < this.words.length; i++) this.words[i] = padded.readInt32LE(4 * i);
  }
}

/** Copies a literal a word at a time (the padding lands past `at`, where the next write goes). */
export function lit(l: Lit): void {
  const n = l.n;
  if (at + n + 4 > out.length) grow(n + 4);
  const words = l.words;
  const d = view;
  let q = at;
  for (let i = 0; i < words.length; i++, q += 4) d.setInt32(q, words[i]!, true);
  at += n;
}

export function byte(b: number): void {
  if (at + 1 > out.length) grow(1);
  out[at++] = b;
}

/** ASCII text (punctuation, keys, digits). */
export function ascii(s: string): void {
  const n = s.length;
  if (at + n > out.length) grow(n);
  const dst = out;
  let q = at;
  for (let i = 0; i < n; i++) dst[q++] = s.charCodeAt(i);
  at = q;
}

/** Two decimal digits of 0…99 as a little-endian 16-bit word. */
const PAIRS = new Uint16Array(100);
for (let i = 0; i < 100; i++) PAIRS[i] = (48 + ((i / 10) | 0)) | ((48 + (i % 10)) << 8);

/** 0 ≤ n < 2^31 in decimal, with int32 arithmetic, two digits at a time. */
function small(n: number): void {
  const len = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : 10;
  if (at + len > out.length) grow(len);
  const d = view;
  let q = at + len;
  at = q;
  while (n >= 100) {
    const t = (n / 100) | 0;
    d.setUint16((q -= 2), PAIRS[n - t * 100]!, true);
    n = t;
  }
  if (n >= 10) d.setUint16(q - 2, PAIRS[n]!, true);
  else out[q - 1] = 48 + n;
}

/** 0 ≤ n < 10^width (width 6 or 9) in exactly `width` digits. */
function padded(n: number, width: number): void {
  if (at + width > out.length) grow(width);
  const d = view;
  const start = at;
  let q = start + width;
  at = q;
  for (let i = width; i > 1; i -= 2) {
    const t = (n / 100) | 0;
    d.setUint16((q -= 2), PAIRS[n - t * 100]!, true);
    n = t;
  }
  if (q > start) out[start] = 48 + n; // an odd width: one digit left
}

/** An integer of magnitude below 2^53 as JSON.stringify writes it (anything else as String() does). */
export function int(n: number): void {
  if (n >= 0 && n < 2147483648 && (n | 0) === n) return small(n);
  if (n < 0 && n > -9007199254740992 && Math.floor(n) === n) {
    byte(45);
    n = -n;
  } else if (!(n >= 0 && n < 9007199254740992 && Math.floor(n) === n)) return ascii(Number.isFinite(n) ? String(n) : 'null');
  if (n < 2147483648) return small(n);
  let hi = Math.floor(n / 1e9); // < 2^24
  let r = n - hi * 1e9;
  if (r < 0) {
    hi--;
    r += 1e9;
  }
  small(hi);
  padded(r, 9);
}

/** A member whose value is a number (its literal ends with the key's colon), left out when 0. */
export function count(key: Lit, n: number): void {
  if (n) {
    lit(key);
    int(n);
  }
}

/** The unsigned 64-bit hi·2³² + lo in decimal. */
export function u64(lo: number, hi: number): void {
  if (hi < 0x200000) return int(hi * 4294967296 + lo);
  // v = Q·10⁶ + R with Q < 2^45: exact in doubles.
  const r = divMillion(lo, hi);
  int(quotient);
  padded(r, 6);
}

/** Strings up to this length are copied a character at a time; longer ones natively. */
const SHORT = 48;

/** A string as JSON text (quotes included), as the UTF-8 of what JSON.stringify writes. */
export function str(s: string): void {
  const n = s.length;
  if (at + 3 * n + 2 > out.length) grow(3 * n + 2);
  const dst = out;
  let q = at;
  dst[q++] = 34;
  if (n <= SHORT) {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // Printable ASCII but '"' and '\': copied; anything else takes the general path.
      if (c < 0x20 || c > 0x7e || c === 34 || c === 92) return strEscaped(s);
      dst[q++] = c;
    }
  } else {
    if (NEEDS_ESCAPE.test(s)) return strEscaped(s);
    q += dst.utf8Write(s, q);
  }
  dst[q++] = 34;
  at = q;
}

/** The general path: JSON.stringify's text (lone surrogates escaped), encoded as UTF-8. */
function strEscaped(s: string): void {
  const text = jsonString(s);
  if (at + 3 * text.length > out.length) grow(3 * text.length);
  at += out.utf8Write(text, at);
}

// ---- from protobuf bytes ---------------------------------------------------------------------

/** A byte's two lowercase hex digits as a little-endian 16-bit word. */
const HEX_PAIR = new Uint16Array(256);
for (let i = 0; i < 256; i++) HEX_PAIR[i] = (i >> 4) + ((i >> 4) < 10 ? 48 : 87) + (((i & 15) + ((i & 15) < 10 ? 48 : 87)) << 8);

/** Bytes s…e of `src` in lowercase hex, quoted. */
export function hexOf(src: Uint8Array, s: number, e: number): void {
  const n = e - s;
  if (at + 2 * n + 2 > out.length) grow(2 * n + 2);
  const d = view;
  let q = at;
  out[q++] = 34;
  for (let p = s; p < e; p++, q += 2) d.setUint16(q, HEX_PAIR[src[p]!]!, true);
  out[q++] = 34;
  at = q;
}

/** Byte classes: 0 copied as is, 1 escaped by JSON.stringify (`"`, `\`, controls), 2 part of a multi-byte UTF-8 sequence. */
const CLASS = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) CLASS[b] = 1;
CLASS[0x22] = 1;
CLASS[0x5c] = 1;
for (let b = 0x80; b < 0x100; b++) CLASS[b] = 2;

/** The escape JSON.stringify writes for a byte of class 1 (`\n`, `\u001f`, …). */
const ESCAPE: Uint8Array[] = [];
for (let b = 0; b < 0x60; b++) ESCAPE.push(Buffer.from(JSON.stringify(String.fromCharCode(b)).slice(1, -1), 'latin1'));

/**
 * Bytes s…e of `src` (`srcView` on it) as a JSON string (quotes included): what JSON.stringify
 * writes for their UTF-8 decoding, as UTF-8. False, with nothing written, for invalid UTF-8 (the
 * decoder's replacement characters are not copied bytes: the caller leaves those to it).
 */
export function strOf(src: Uint8Array, srcView: DataView, s: number, e: number): boolean {
  const n = e - s;
  if (at + 6 * n + 8 > out.length) grow(6 * n + 8);
  const d = view;
  let q = at;
  out[q++] = 34;
  let p = s;
  // Four bytes at a time while none is ≥ 0x80, < 0x20, '"' or '\\' (exact tests: no false
  // negatives); a last partial word is read overlapping the one before.
  if (n >= 4) {
    for (;;) {
      if (p + 4 > e) {
        if (p === e) break;
        const back = p + 4 - e;
        p -= back;
        q -= back;
      }
      const w = srcView.getInt32(p, true);
      const x = w ^ 0x22222222;
      const y = w ^ 0x5c5c5c5c;
      if ((w | ((w - 0x20202020) & ~w) | ((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080) break;
      d.setInt32(q, w, true);
      p += 4;
      q += 4;
    }
  }
  const dst = out;
  while (p < e) {
    const b = src[p]!;
    const c = CLASS[b]!;
    if (c === 0) {
      dst[q++] = b;
      p++;
    } else if (c === 1) {
      const esc = ESCAPE[b]!;
      for (let i = 0; i < esc.length; i++) dst[q++] = esc[i]!;
      p++;
    } else {
      const len = utf8Length(src, p, e);
      if (len === 0) return false;
      for (let i = 0; i < len; i++) dst[q++] = src[p++]!;
    }
  }
  dst[q++] = 34;
  at = q;
  return true;
}

/** The length of the valid UTF-8 sequence at p (lead byte ≥ 0x80); 0 when it is not valid. */
function utf8Length(src: Uint8Array, p: number, e: number): number {
  const b = src[p]!;
  const b1 = p + 1 < e ? src[p + 1]! : 0;
  const cont = (i: number) => p + i < e && (src[p + i]! & 0xc0) === 0x80;
  if (b < 0xc2) return 0; // a continuation byte, or an overlong 2-byte lead
  if (b < 0xe0) return cont(1) ? 2 : 0;
  if (b < 0xf0) {
    if (!cont(1) || !cont(2)) return 0;
    return (b === 0xe0 ? b1 < 0xa0 : b === 0xed && b1 >= 0xa0) ? 0 : 3; // overlong; surrogate
  }
  if (b > 0xf4 || !cont(1) || !cont(2) || !cont(3)) return 0;
  return (b === 0xf0 ? b1 < 0x90 : b === 0xf4 && b1 >= 0x90) ? 0 : 4; // overlong; above U+10FFFF
}
