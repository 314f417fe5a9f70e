/**
 * Splits a top-level JSON array into the text of its elements without parsing the whole array,
 * so a multi-gigabyte `[ … ]` dump streams. It tracks only strings, escapes and nesting depth;
 * each element is then parsed (and validated) on its own by JSON.parse.
 */
export type ArrayElement = { text: string; line: number } | { error: string; line: number; fatal: boolean };

const OPEN_OBJ = 0x7b, CLOSE_OBJ = 0x7d, OPEN_ARR = 0x5b, CLOSE_ARR = 0x5d;
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, NEWLINE = 0x0a;

function isSpace(c: number) {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export async function* splitJsonArray(chunks: AsyncIterable<Buffer>, maxElementBytes: number): AsyncGenerator<ArrayElement> {
  let started = false; // seen the opening '['
  let ended = false; // seen the closing ']'
  let inElement = false;
  let depth = 0; // nesting inside the current element
  let inString = false;
  let escaped = false;
  let line = 1;
  let elementLine = 1;
  let parts: Buffer[] = []; // the current element's bytes from earlier chunks
  let partsBytes = 0;
  let elementStart = 0; // where the current element starts in the current chunk

  const finish = (chunk: Buffer, end: number): ArrayElement => {
    const tail = chunk.subarray(elementStart, end);
    const bytes = partsBytes + tail.length;
    const el: ArrayElement =
      bytes > maxElementBytes
        ? { error: `array element of ${bytes} bytes exceeds the ${maxElementBytes}-byte limit`, line: elementLine, fatal: false }
        : { text: (parts.length ? Buffer.concat([...parts, tail]) : tail).toString('utf8'), line: elementLine };
    parts = [];
    partsBytes = 0;
    inElement = false;
    return el;
  };

  for await (const chunk of chunks) {
    elementStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === NEWLINE) line++;
      if (!started) {
        if (isSpace(c)) continue;
        if (c !== OPEN_ARR) {
          yield { error: 'expected a JSON array', line, fatal: true };
          return;
        }
        started = true;
        continue;
      }
      if (ended) {
        if (isSpace(c)) continue;
        yield { error: 'unexpected content after the closing ]', line, fatal: true };
        return;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (!inElement) {
        if (isSpace(c) || c === COMMA) continue;
        if (c === CLOSE_ARR) {
          ended = true;
          continue;
        }
        inElement = true;
        elementStart = i;
        elementLine = line;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
      else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        if (depth === 0) {
          yield finish(chunk, i); // a scalar element closed by the array's own ']'
          ended = true;
        } else if (--depth === 0) {
          yield finish(chunk, i + 1);
        }
      } else if (c === COMMA && depth === 0) {
        yield finish(chunk, i);
      }
    }
    if (inElement) {
      const rest = chunk.subarray(elementStart);
      partsBytes += rest.length;
      // Past the limit only the size is kept: the element is reported, never held.
      if (partsBytes <= maxElementBytes) parts.push(Buffer.from(rest));
      else parts = [];
    }
  }
  if (!started) yield { error: 'expected a JSON array', line, fatal: true };
  else if (!ended) yield { error: 'truncated: the array is not closed', line: inElement ? elementLine : line, fatal: true };
}
