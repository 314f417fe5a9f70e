/**
 * Golden screens at 60, 80, 120 and 200 columns (issue #16 item 1; docs/architecture.md, "Output
 * width"): `cost` (table and --pricing-info), `tree` (plain and --timeline), `stats`, `lint`
 * stylish through the built CLI, and `tail`'s call lines and session summary through the live
 * renderer. Each screen is compared exactly with test/render/golden/<screen>.<width>.txt (plain,
 * NO_COLOR); `UPDATE_GOLDEN=1 npx vitest run test/render/golden-screens.test.ts` rewrites them.
 * Beyond the goldens: no line is wider than the screen (string-width), and a figure the 200-column
 * screen shows but a narrower one lacks is marked (`not shown:` under a table, `⋯` on a line).
 * The input has wide characters: a CJK model id and feature, an emoji tool name.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import stringWidth from 'string-width';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GenAiView } from '../../src/lib/genai/classify.js';
import { makeColors } from '../../src/lib/render/colors.js';
import { renderSpanLine, renderSummary } from '../../src/lib/render/live.js';
import { runCli } from '../helpers/cli.js';
import { llm, span } from '../helpers/span-factory.js';
import { harness, traceExport } from '../live/helpers.js';

const WIDTHS = [60, 80, 120, 200] as const;
const GOLDEN = path.resolve('test/render/golden');
const INPUT = 'test/render/golden/wide-agent.json';
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const CLI_SCREENS: Record<string, string[]> = {
  cost: ['cost', INPUT],
  'cost-pricing-info': ['cost', '--pricing-info'],
  tree: ['tree', INPUT],
  'tree-timeline': ['tree', '--timeline', INPUT],
  stats: ['stats', INPUT],
  'lint-stylish': ['lint', INPUT],
};

/** $1 per 1k tokens for the gpt-4o snapshots; others have no price (shown as `$?`). */
const price = (v: GenAiView) => {
  const m = v.responseModel ?? v.requestModel ?? '';
  return m.startsWith('gpt-4o') && v.usage ? (v.usage.input + v.usage.output) / 1000 : undefined;
};

/** `tail`'s lines and summary for calls with long, wide and failing models, at `width`. */
function tailScreen(width: number): string {
  // clockTime prints local time: the screens are drawn in UTC.
  process.env.TZ = 'UTC';
  const colors = makeColors({ noColor: true });
  const h = harness({ price });
  const spans = [
    span({ id: 'root', name: 'agent.research', start: 0, end: 9000 }),
    llm('c1', 'root', 'gpt-4o-2024-08-06', 1240, 156, { 'gen_ai.usage.cache_read.input_tokens': 1024, 'gen_ai.response.finish_reasons': ['tool_calls'] }, 10),
    span({ id: 't1', parent: 'root', name: 'execute_tool 🔍 search_docs', start: 1900, end: 2368, attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': '🔍 search_docs' } }),
    llm('c2', 'root', 'claude-sonnet-4-20250514', 3400, 410, { 'gen_ai.usage.cache_read.input_tokens': 2048, 'gen_ai.usage.cache_creation.input_tokens': 512, 'gen_ai.response.finish_reasons': ['end_turn'] }, 2400),
    llm('c3', 'root', '通义千问-plus-2025-07-28', 880, 96, { 'gen_ai.response.finish_reasons': ['stop'] }, 5000),
    span({ id: 'f1', parent: 'root', name: 'chat gpt-4o-mini', start: 6000, end: 6140, status: 2, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'error.type': '429' } }),
    llm('c4', 'root', 'gpt-4o-2024-05-13', 2100, 380, { 'gen_ai.usage.cache_read.input_tokens': 1280, 'gen_ai.response.finish_reasons': ['stop'] }, 7000),
  ];
  h.view.onExport(traceExport(spans));
  const text = { colors, width, pricing: true };
  const lines = h.of('span').flatMap((e) => renderSpanLine(e.line, text));
  const summary = renderSummary({ totals: h.view.totals, pricing: true, durationMs: 9120, store: '/tmp/a-rather-long-directory-name/for-the-store/.llmtrace' }, colors, width);
  return `${[...lines, '', ...summary].join('\n')}\n`;
}

const screens = new Map<string, string>();
const key = (name: string, width: number) => `${name}.${width}`;

beforeAll(async () => {
  await Promise.all(
    Object.entries(CLI_SCREENS).flatMap(([name, args]) =>
      WIDTHS.map(async (width) => {
        const r = await runCli(args, { env: { COLUMNS: String(width) } });
        screens.set(key(name, width), r.stdout);
      }),
    ),
  );
  for (const width of WIDTHS) screens.set(key('tail', width), tailScreen(width));
}, 60_000);

const NAMES = [...Object.keys(CLI_SCREENS), 'tail'];

/** The header cells of the first table on a screen (the line above its first rule). */
function tableHeaders(screen: string): string[] {
  const lines = screen.split('\n');
  const rule = lines.findIndex((l) => l.startsWith('─'));
  return rule > 0 ? lines[rule - 1]!.trim().split(/ {2,}/) : [];
}

describe('golden screens', () => {
  for (const name of NAMES) {
    for (const width of WIDTHS) {
      it(`${name} at ${width} columns`, () => {
        const screen = screens.get(key(name, width))!;
        expect(screen.length).toBeGreaterThan(0);
        const file = path.join(GOLDEN, `${name}.${width}.txt`);
        if (UPDATE || !existsSync(file)) writeFileSync(file, screen);
        expect(screen).toBe(readFileSync(file, 'utf8'));
        for (const line of screen.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(width);
      });
    }

    it(`${name}: what a narrow screen leaves out of the 200-column one is marked`, () => {
      const full = screens.get(key(name, 200))!;
      for (const width of WIDTHS) {
        const screen = screens.get(key(name, width))!;
        // Table columns: each one missing is named by the marker under the table.
        const missing = tableHeaders(full).filter((h) => h && !tableHeaders(screen).includes(h));
        const marker = screen.split('\n').filter((l, i, all) => l.startsWith('⋯ not shown:') || (all[i - 1]?.startsWith('⋯ not shown:') && l.startsWith('  '))).join(' ').replace(/\s+/g, ' ');
        for (const h of missing) expect(marker, `${name} at ${width} lacks ${h}`).toContain(h);
        // Lines of tree and tail: a line that lost its tokens or cost ends in ⋯.
        if (name.startsWith('tree') || name === 'tail') {
          // tail: its call lines (the summary is a table, checked above).
          const lines = (s: string) => (name === 'tail' ? s.split('\n\n')[0]! : s).split('\n');
          const fullLines = lines(full);
          lines(screen).forEach((line, i) => {
            const wide = fullLines[i] ?? '';
            const figures = (s: string) => (s.match(/\d tok|\$\d|\$\?/g) ?? []).length;
            if (figures(line) < figures(wide)) expect(line, `${name} at ${width}`).toMatch(/⋯$|⋯ {2}/);
          });
        }
      }
    });
  }

  it('ids are shortened in the middle and stay apart: two gpt-4o snapshots never print alike', () => {
    for (const width of WIDTHS) {
      const info = screens.get(key('cost-pricing-info', width))!;
      expect(info).toMatch(/^gpt-4o…?[\w-]*05-13 /m);
      expect(info).toMatch(/^gpt-4o…?[\w-]*08-06 /m);
    }
  });
});
