import { describe, expect, it } from 'vitest';
import { excerpt } from '../../src/lib/stats/report.js';

describe('excerpt (a repeated tool call\'s arguments)', () => {
  it('cuts at whole characters and marks the cut', () => {
    expect(excerpt('abc', 3)).toBe('abc');
    expect(excerpt('abcd', 3)).toBe('abc…');
    // Scenario: 199 letters then an emoji (a surrogate pair) then more: the emoji stays whole.
    const args = `${'a'.repeat(199)}😀${'b'.repeat(10)}`;
    const cut = excerpt(args, 200);
    expect(cut).toBe(`${'a'.repeat(199)}😀…`);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut)).toBe(false); // no lone high surrogate
  });
});
