/** The fast path of textWidth agrees with string-width on every character it covers. */
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { clipEnd, ONE_COLUMN, shortenMiddle, textWidth, wrapText } from '../../src/lib/render/text-width.js';

describe('textWidth', () => {
  it('counts one column for each character of the fast path, as string-width does', () => {
    const wrong: string[] = [];
    for (let code = 0x20; code <= 0x27ff; code++) {
      const ch = String.fromCharCode(code);
      if (ONE_COLUMN.test(ch) && stringWidth(ch) !== 1) wrong.push(`U+${code.toString(16).padStart(4, '0')}`);
    }
    expect(wrong).toEqual([]);
  });

  it('measures wide and zero-width text with string-width', () => {
    expect(textWidth('├─ chat gpt-4o  ∑ 1,240 → 156 tok  …')).toBe(36);
    expect(textWidth('模型')).toBe(4);
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('🔧 tool')).toBe(7);
  });
});

describe('cutting a very long string', () => {
  // A 1 MiB model name from the listener: only its ends are segmented, with the same result as
  // when the middle is short (the filler never shows).
  const ends = ['gpt-4o-', '模型👩‍👩‍👧', 'e\u0301\u0301x', 'a'];
  it('keeps the same ends as a short string does', () => {
    for (const front of ends) {
      for (const back of ends) {
        const long = front + 'z'.repeat(1 << 20) + back;
        const short = front + 'z'.repeat(600) + back;
        for (const width of [1, 2, 9, 16, 31]) {
          expect(shortenMiddle(long, width)).toBe(shortenMiddle(short, width));
          expect(clipEnd(long, width)).toBe(clipEnd(short, width));
          expect(textWidth(shortenMiddle(long, width))).toBeLessThanOrEqual(width);
        }
      }
    }
  });
});

describe('wrapText of a long word from span data', () => {
  it('breaks 96 Ki units with combining marks into lines quickly (before: 47 s, segmenting what was left once a line)', () => {
    const word = 'e\u0301x'.repeat(32 * 1024);
    const started = Date.now();
    const lines = wrapText(word, 80, '  ');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(lines.map((l, i) => (i ? l.slice(2) : l)).join('')).toBe(word);
    expect(lines.every((l) => textWidth(l) <= 80)).toBe(true);
    expect(lines.length).toBe(Math.ceil((2 * 32 * 1024 - 80) / 78) + 1);
  });
});
