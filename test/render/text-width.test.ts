/** The fast path of textWidth agrees with string-width on every character it covers. */
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { ONE_COLUMN, textWidth } from '../../src/lib/render/text-width.js';

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
