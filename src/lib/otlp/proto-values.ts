/**
 * AnyValue and KeyValue of the OTLP protobuf trace reader: read once into where the value is
 * (anyValueMember, keyValueFields), then built here, or written by proto-line.ts.
 */
import { KvList, type Attributes, type AttrValue } from '../span.js';
import { MAX_VALUE_DEPTH } from './decode-result.js';
import { checkEnd, delimited, double, int64BigInt, int64Number, skip, stringAt, sub, u32, utf8, type Wire } from './proto-wire.js';

/**
 * Reads an AnyValue (its length prefix next) at AnyValue `level` without building its value:
 * leaves the member protobufjs picks in w.member (of several, the one whose FIRST occurrence is
 * last, with its last value; 0: none) and its value in w.valS…w.valE (a string, bytes or a nested
 * list) or w.num (bool, double; an int64 as int64Number gives it, w.lo / w.hi beyond 2^53), and
 * w.pos at the AnyValue's end. The winner's nested list is checked by whoever reads it
 * (buildMember, proto-line.ts); the others' are checked here. Deeper than MAX_VALUE_DEPTH: member 0 and w.valueTooDeep, the
 * bytes unread (the attribute is then dropped: docs/architecture.md, "Nesting limit parity").
 */
export function anyValueMember(w: Wire, end: number, depth: number, level: number): void {
  const c = sub(w, end);
  w.member = 0;
  w.several = false;
  if (level > MAX_VALUE_DEPTH) {
    w.valueTooDeep = true;
    w.pos = c;
    return;
  }
  const buf = w.buf;
  const p = w.pos;
  // The usual one: a string member alone (tag 0x0a, a one-byte length that fills the message).
  if (p + 2 <= c && buf[p] === 0x0a && buf[p + 1]! < 128 && p + 2 + buf[p + 1]! === c) {
    w.member = 1;
    w.valS = p + 2;
    w.valE = w.pos = c;
    return;
  }
  let seen = 0;
  let winner = 0;
  let s = 0;
  let e = 0;
  let num = 0;
  let lo = 0;
  let hi = 0;
  let occurrences = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    const field = tag >>> 3;
    let at = w.pos;
    let n = 0;
    switch (field) {
      case 1:
        at = stringAt(w, c);
        break;
      case 2:
        n = u32(w, c);
        break;
      case 3:
        n = int64Number(w, c);
        break;
      case 4:
        n = double(w, c);
        break;
      case 5:
      case 6:
      case 7:
        at = delimited(w, c);
        break;
      default:
        skip(w, c, tag & 7, depth);
        continue;
    }
    occurrences++;
    const bit = 1 << field;
    if ((seen & bit) === 0) {
      seen |= bit;
      winner = field;
    } else if (field !== winner) continue;
    s = at;
    e = w.pos;
    num = n;
    lo = w.lo;
    hi = w.hi;
  }
  checkEnd(w, c);
  if (occurrences > 1) {
    checkLosers(w, p, c, depth, level, s);
    w.several = true;
  }
  w.member = winner;
  w.valS = s;
  w.valE = e;
  w.num = num;
  w.lo = lo;
  w.hi = hi;
}

/** The nested lists of an AnyValue's fields p…c but the winner's (at `kept`): checked, not kept. */
function checkLosers(w: Wire, p: number, c: number, depth: number, level: number, kept: number): void {
  w.pos = p;
  while (w.pos < c) {
    const tag = u32(w, c);
    const field = tag >>> 3;
    if (field === 1) stringAt(w, c);
    else if (field === 2) u32(w, c);
    else if (field === 3) int64Number(w, c);
    else if (field === 4) double(w, c);
    else if (field >= 5 && field <= 7) {
      const s = delimited(w, c);
      const after = w.pos;
      if (field !== 7 && s !== kept) {
        w.member = field;
        w.valS = s;
        w.valE = after;
        buildMember(w, depth, level, false);
        w.pos = after;
      }
    } else skip(w, c, tag & 7, depth);
  }
}

/**
 * Reads a KeyValue (its length prefix next) at message `depth`, its value at AnyValue `level`:
 * its key in w.keyS…w.keyE, where its value is in w.valueAt (-1: none); returns its end. Of
 * several keys or values the last counts, the earlier values checked here (w.several then).
 */
export function keyValueFields(w: Wire, end: number, depth: number, level: number): number {
  const c = sub(w, end);
  const buf = w.buf;
  const p = w.pos;
  w.several = false;
  // The usual layout: key (tag 0x0a, a one-byte length), then value (0x12, a one-byte length).
  if (p + 2 <= c && buf[p] === 0x0a && buf[p + 1]! < 128) {
    const ke = p + 2 + buf[p + 1]!;
    if (ke + 2 <= c && buf[ke] === 0x12 && buf[ke + 1]! < 128 && ke + 2 + buf[ke + 1]! === c) {
      w.keyS = p + 2;
      w.keyE = ke;
      w.valueAt = ke + 1;
      w.pos = c;
      return c;
    }
  }
  let keyS = 0;
  let keyE = 0;
  let valueAt = -1;
  let values = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        keyS = stringAt(w, c);
        keyE = w.pos;
        break;
      case 2:
        valueAt = w.pos;
        delimited(w, c);
        values++;
        break;
      default:
        skip(w, c, tag & 7, depth);
    }
  }
  checkEnd(w, c);
  if (values > 1) {
    // A sub-message given again replaces the earlier one, which protobufjs decoded all the same.
    w.pos = p;
    while (w.pos < c) {
      const tag = u32(w, c);
      const field = tag >>> 3;
      if (field === 2 && w.pos !== valueAt) {
        buildValue(w, c, level === 0 ? depth + 1 : depth, level, false);
        continue;
      }
      if (field === 1) stringAt(w, c);
      else skip(w, c, field === 2 ? 2 : tag & 7, depth);
    }
    w.several = true;
  }
  w.keyS = keyS;
  w.keyE = keyE;
  w.valueAt = valueAt;
  w.pos = c;
  return c;
}

/**
 * The AnyValue just read (anyValueMember) as a value; `depth` for unknown fields (keyValue). With
 * `build` false it is only checked, as protobufjs would read it, and nothing is built (null).
 */
function buildMember(w: Wire, depth: number, level: number, build: boolean): AttrValue {
  const s = w.valS;
  const e = w.valE;
  switch (w.member) {
    case 1:
      return build ? utf8(w, s, e) : null;
    case 2:
      return w.num !== 0;
    case 3: {
      const v = w.num;
      return !build ? null : v === v ? BigInt(v) : int64BigInt(w.lo, w.hi);
    }
    case 4:
      return w.num;
    case 5:
    case 6: {
      const member = w.member;
      const values: AttrValue[] = [];
      const entries: Array<[string, AttrValue]> = [];
      w.pos = s;
      while (w.pos < e) {
        const tag = u32(w, e);
        if (tag >>> 3 !== 1) skip(w, e, tag & 7, depth);
        else if (member === 5) {
          const v = buildValue(w, e, depth, level + 1, build);
          if (build) values.push(v);
        } else if (keyValue(w, e, depth, level + 1, build)) entries.push([w.key, w.value]);
      }
      checkEnd(w, e);
      return !build ? null : member === 5 ? values : new KvList(entries);
    }
    case 7: {
      if (!build) return null;
      const bytes = new Uint8Array(e - s);
      bytes.set(w.buf.subarray(s, e));
      return bytes;
    }
    default:
      return null;
  }
}

/**
 * An AnyValue (its length prefix next) as a value (or only checked: buildMember), leaving w.pos at
 * its end: a list member may be followed by other fields in it, read by anyValueMember already.
 */
function buildValue(w: Wire, end: number, depth: number, level: number, build: boolean): AttrValue {
  anyValueMember(w, end, depth, level);
  const c = w.pos;
  const value = buildMember(w, depth, level, build);
  w.pos = c;
  return value;
}

/**
 * KeyValue at message `depth` (its length prefix next), its value at AnyValue `level`: leaves
 * the pair in w.key / w.value and says whether it was built. Not built (`build` false, or `keep`
 * leaving its key out), its value is read with the same checks (the request is accepted or
 * refused exactly as with every value decoded). Inside a value, `depth` stays that of its
 * attribute's value: nesting there is bounded by `level` (MAX_VALUE_DEPTH), not by RECURSION_LIMIT.
 */
function keyValue(w: Wire, end: number, depth: number, level: number, build: boolean, keep?: ReadonlySet<string>): boolean {
  const c = keyValueFields(w, end, depth, level);
  const key = build ? utf8(w, w.keyS, w.keyE) : '';
  const kept = build && (keep === undefined || keep.has(key));
  let value: AttrValue = null;
  if (w.valueAt >= 0) {
    w.pos = w.valueAt;
    value = buildValue(w, c, level === 0 ? depth + 1 : depth, level, kept);
    w.pos = c;
  }
  w.key = key;
  w.value = value;
  return kept;
}

/**
 * One KeyValue of an attribute list into `attributes` (unless `keep` leaves its key out). Says
 * whether it was dropped for nesting deeper than MAX_VALUE_DEPTH: the caller then reports it
 * with droppedAttribute(), knowing where the list is.
 */
export function attribute(w: Wire, end: number, depth: number, attributes: Attributes, keep?: ReadonlySet<string>): boolean {
  const kept = keyValue(w, end, depth, 0, true, keep);
  if (w.valueTooDeep) {
    w.valueTooDeep = false;
    return true;
  }
  if (kept) attributes[w.key] = w.value;
  return false;
}
