import { describe, expect, it } from 'vitest';
import { makeColors } from '../../src/lib/render/colors.js';
import { renderTable } from '../../src/lib/render/table.js';

const colors = makeColors({ noColor: true });

describe('renderTable', () => {
  const cols = [{ header: 'name' }, { header: 'count', align: 'right' as const }];
  const rows = [['a-rather-long-feature-name', '1,234'], ['b', '5']];

  it('aligns columns, rules the header and the footer', () => {
    expect(renderTable(cols, rows, { colors, footer: [['total', '1,239']] }).split('\n')).toEqual([
      'name                        count',
      '──────────────────────────  ─────',
      'a-rather-long-feature-name  1,234',
      'b                               5',
      '──────────────────────────  ─────',
      'total                       1,239',
    ]);
  });

  it('shortens text columns in the middle (ids differ at their ends), never numbers, to fit the width', () => {
    const lines = renderTable(cols, rows, { colors, width: 20 }).split('\n');
    expect(lines[2]).toBe('a-rath…e-name  1,234');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(20);
  });
});

describe('renderTable with a long value from span data', () => {
  // A model or feature name is whatever a span says: tens of KiB of it must not stall a report
  // (cost, stats, the tail summary), piped or in a terminal. Before: 2,000 characters took more
  // than a minute at 120 columns, and 16 KiB with one combining mark 40 s piped.
  const long = `model-${'m'.repeat(64 * 1024)}e\u0301-end`; // a combining mark takes no column
  const rows = [[long, '1'], ['gpt-4o', '2']];
  const cols = [{ header: 'model' }, { header: 'cost', align: 'right' as const }];

  it('piped: the whole value, aligned, quickly', () => {
    const started = Date.now();
    const lines = renderTable(cols, rows, { colors }).split('\n');
    expect(Date.now() - started).toBeLessThan(3000);
    // The cost column is as wide as its header.
    expect(lines[2] === `${long}     1`).toBe(true);
    expect(lines[3] === `gpt-4o${' '.repeat(long.length - 1 - 'gpt-4o'.length)}     2`).toBe(true);
  });

  it('at 120 columns: shortened in the middle to fit, both ends kept, quickly', () => {
    const started = Date.now();
    const lines = renderTable(cols, rows, { colors, width: 120 }).split('\n');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(lines[2]).toMatch(/^model-m+…m+e\u0301-end +1$/);
    expect(lines[3]).toMatch(/^gpt-4o +2$/);
    expect(lines.every((l) => l.length <= 121)).toBe(true); // the combining mark takes no column
  });
});
