import { describe, expect, it } from 'vitest';
import { formatDuration, formatUsd } from '../../src/lib/render/format.js';

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

describe('formatDuration', () => {
  it('keeps the units it always had', () => {
    expect(formatDuration(0.207)).toBe('207µs');
    expect(formatDuration(4.1)).toBe('4.1ms');
    expect(formatDuration(35)).toBe('35ms');
    expect(formatDuration(1820)).toBe('1.82s');
    expect(formatDuration(27_400)).toBe('27.4s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(-100)).toBe('-100ms');
  });

  it('never rounds a figure up to the next unit’s size: no "1m60s", "60.0s", "1000ms" or "10.0ms"', () => {
    expect(formatDuration(119_600)).toBe('2m00s'); // an agent run of 1 min 59.6 s
    expect(formatDuration(59_960)).toBe('1m00s');
    expect(formatDuration(9_996)).toBe('10.0s');
    expect(formatDuration(999.7)).toBe('1.00s');
    expect(formatDuration(9.96)).toBe('10ms');
    expect(formatDuration(0.9996)).toBe('1.0ms');
  });

  it('shows hours past 60 minutes: a long agent session reads "2h05m", not "125m00s"', () => {
    expect(formatDuration(7_500_000)).toBe('2h05m');
    expect(formatDuration(3_599_600)).toBe('1h00m');
    expect(formatDuration(3_570_000)).toBe('59m30s');
  });
});
