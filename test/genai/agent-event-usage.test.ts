/**
 * A coding agent's request event reads its token counts by the one rule spans use
 * (read-usage.ts toTokenCount): a count that is not one is named in `badParts` (then reported,
 * and fails --strict), never summed.
 */
import { describe, expect, it } from 'vitest';
import { AGENT_EVENTS, eventUsage } from '../../src/lib/genai/agents.js';
import { toTokenCount } from '../../src/lib/genai/read-usage.js';
import { newAttributes, type AttrValue } from '../../src/lib/span.js';

const claude = AGENT_EVENTS.find((s) => s.agent === 'claude-code')!;
const attrs = (input: AttrValue) => Object.assign(newAttributes(), { input_tokens: input, output_tokens: 5n });

describe('coding agents: request events count tokens as spans do', () => {
  it('a count above 2^53 − 1 is not a count, in events as in spans', () => {
    const huge = 2 ** 53 + 2;
    expect(toTokenCount(huge)).toBeUndefined();
    expect(eventUsage(claude, attrs(huge))!.badParts).toEqual(['input_tokens']);
  });

  it('every value the span rule takes is taken, and every value it refuses is named', () => {
    for (const v of [12, 12n, '12', ' 12 ', '1e3', 1.5, 0, -1, -1n, 'abc', '', Number.NaN, Number.POSITIVE_INFINITY, true, 2n ** 64n] as AttrValue[]) {
      const u = eventUsage(claude, attrs(v))!;
      const n = toTokenCount(v);
      expect(u.badParts, String(v)).toEqual(n === undefined ? ['input_tokens'] : []);
      if (n !== undefined) expect(u.usage.input, String(v)).toBe(n);
    }
  });
});
