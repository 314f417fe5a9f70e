import { describe, expect, it } from 'vitest';
import { formatUsd } from '../../src/lib/render/format.js';

describe('formatUsd', () => {
  it('shows cents, and at least two significant digits below a cent', () => {
    expect(formatUsd(546.914)).toBe('$546.91');
    expect(formatUsd(0.022)).toBe('$0.0220');
    expect(formatUsd(0.00338)).toBe('$0.00338');
    expect(formatUsd(0.0000102)).toBe('$0.0000102');
    expect(formatUsd(-1.5)).toBe('-$1.50');
  });

  it('shows float residue of sums as $0.00, never -$0.00000000', () => {
    const residue = 0.1 + 0.7 - 0.7 - 0.1; // not 0 in floating point
    expect(residue).not.toBe(0);
    expect(formatUsd(residue)).toBe('$0.00');
    expect(formatUsd(-residue)).toBe('$0.00');
    expect(formatUsd(-0)).toBe('$0.00');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(2e-8)).toBe('$0.00000002');
  });
});
