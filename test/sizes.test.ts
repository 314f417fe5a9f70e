import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MEMORY_BUDGET, formatMemorySize, parseSize } from '../src/lib/sizes.js';

const MiB = 2 ** 20;

describe('parseSize', () => {
  it('reads binary and decimal units, fractions and a space before the unit', () => {
    expect(parseSize('--memory', '256MiB')).toBe(256 * MiB);
    expect(parseSize('--memory', '1GiB')).toBe(2 ** 30);
    expect(parseSize('--memory', '1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseSize('--memory', '512MB')).toBe(512e6);
    expect(parseSize('--memory', '64 KiB')).toBe(64 * 1024);
    expect(parseSize('--memory', '2kB')).toBe(2000);
    expect(parseSize('--memory', '100B')).toBe(100);
  });

  it.each([
    ['garbage', 'lots', /not a number and a unit/],
    ['an empty value', '', /not a number and a unit/],
    ['a unit alone', 'MiB', /not a number and a unit/],
    ['a number without a unit', '256', /unit is missing/],
    ['a truncated unit', '12Mi', /unknown unit "Mi"/],
    ['a unit that could mean two sizes', '12M', /unknown unit "M"/],
    ['a wrong unit', '5 parsecs', /unknown unit "parsecs"/],
    ['lower-case units (mb would be millibits)', '512mb', /unknown unit "mb"/],
    ['an exponent', '1e9MiB', /not a number and a unit/],
    ['a negative size', '-5MiB', /cannot be negative/],
    ['zero', '0MiB', /at least 1 byte/],
    ['a size that rounds to zero', '0.1B', /at least 1 byte/],
    ['a huge size', '5000GiB', /more than 1 TiB/],
    ['a size with too many digits', '99999999999999999999GB', /more than 1 TiB/],
  ])('rejects %s with a usage error naming the flag (%j)', (_, value, why) => {
    expect(() => parseSize('--memory', value)).toThrow(InvalidArgumentError);
    expect(() => parseSize('--memory', value)).toThrow(/^--memory must be a size with a unit \(e\.g\. 256MiB/);
    expect(() => parseSize('--memory', value)).toThrow(why);
  });

  it('has a default that reads back as itself', () => {
    expect(parseSize('--memory', formatMemorySize(DEFAULT_MEMORY_BUDGET).replace(' ', ''))).toBe(DEFAULT_MEMORY_BUDGET);
    expect(formatMemorySize(1536 * MiB)).toBe('1.5 GiB');
    expect(formatMemorySize(1000)).toBe('1000 B');
  });
});
