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
