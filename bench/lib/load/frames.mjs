/**
 * The ingest payloads: OTLP protobuf ExportTraceServiceRequests from the generator's
 * length-prefixed file, with each frame's span count and the byte offsets of its trace ids
 * (so a frame can be re-sent as new traces by rewriting them, for long runs).
 */
import { readFileSync } from 'node:fs';

/** Reads a varint at `pos`; returns [value, nextPos]. */
function varint(buf, pos) {
  let v = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [v, pos];
    shift += 7;
  }
}

/** Walks length-delimited fields; calls `onField(field, start, end)` for wire type 2. */
function fields(buf, start, end, onField) {
  let pos = start;
  while (pos < end) {
    let tag;
    [tag, pos] = varint(buf, pos);
    const wire = tag & 7;
    if (wire === 0) [, pos] = varint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      let len;
      [len, pos] = varint(buf, pos);
      onField(tag >>> 3, pos, pos + len);
      pos += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
}

/** Span count and trace-id offsets of one request (resource_spans 1 → scope_spans 2 → spans 2 → trace_id 1). */
export function inspectFrame(buf) {
  let spans = 0;
  const traceIdOffsets = [];
  fields(buf, 0, buf.length, (f, s, e) => {
    if (f !== 1) return;
    fields(buf, s, e, (f2, s2, e2) => {
      if (f2 !== 2) return;
      fields(buf, s2, e2, (f3, s3, e3) => {
        if (f3 !== 2) return;
        spans++;
        fields(buf, s3, e3, (f4, s4, e4) => {
          if (f4 === 1 && e4 - s4 === 16) traceIdOffsets.push(s4);
        });
      });
    });
  });
  return { spans, traceIdOffsets };
}

/** `traceId/spanId` (hex) of every span in a request body, as a store line would name them. */
export function spanKeys(body) {
  const keys = [];
  fields(body, 0, body.length, (f, s, e) => {
    if (f !== 1) return;
    fields(body, s, e, (f2, s2, e2) => {
      if (f2 !== 2) return;
      fields(body, s2, e2, (f3, s3, e3) => {
        if (f3 !== 2) return;
        let trace = '';
        let span = '';
        fields(body, s3, e3, (f4, s4, e4) => {
          if (f4 === 1) trace = body.toString('hex', s4, e4);
          else if (f4 === 2) span = body.toString('hex', s4, e4);
        });
        keys.push(`${trace}/${span}`);
      });
    });
  });
  return keys;
}

/** All frames of a length-prefixed file, as views on one buffer. */
export function loadFrames(file, { inspect = true } = {}) {
  const all = readFileSync(file);
  const frames = [];
  for (let pos = 0; pos + 4 <= all.length; ) {
    const len = all.readUInt32BE(pos);
    const body = all.subarray(pos + 4, pos + 4 + len);
    pos += 4 + len;
    frames.push(inspect ? { body, ...inspectFrame(body) } : { body });
  }
  return frames;
}

/**
 * The frame as sent in cycle `cycle` (> 0): a copy whose trace ids have the cycle number mixed
 * into their last four bytes, so every cycle's spans are new traces.
 */
export function frameForCycle(frame, cycle) {
  if (cycle === 0) return frame.body;
  const copy = Buffer.from(frame.body);
  for (const off of frame.traceIdOffsets) copy.writeUInt32BE((copy.readUInt32BE(off + 12) ^ Math.imul(cycle, 0x9e3779b1)) >>> 0, off + 12);
  return copy;
}
