/** The checklist scorecard as text: a small table, or a clear note when nothing GenAI was found. */
import type { Colors } from '../../render/colors.js';
import { oneLine } from '../../render/terminal.js';
import { renderTable } from '../../render/table.js';
import { wrapText } from '../../render/text-width.js';
import type { Scorecard, ScorecardItem } from '../scorecard.js';
import { plural } from './reporter.js';

function share(i: ScorecardItem): string {
  if (i.share === null) return '–';
  const pct = i.share * 100;
  // Never round a partial share up to 100% (or down to 0%): 99.96% is not "all".
  const text = pct === 100 || pct === 0 ? `${pct}%` : `${Math.min(99.9, Math.max(0.1, Math.round(pct * 10) / 10))}%`;
  return text;
}

export function scorecardLines(s: Scorecard, colors: Colors, label: string, width = Infinity): string[] {
  if (s.noGenAi) {
    return [
      ...wrapText(`No LLM, embeddings, tool or agent spans found in ${oneLine(label)} (${plural(s.spans, 'span')} read): nothing GenAI-related to lint.`, width).map((l) => colors.yellow(l)),
      ...wrapText('Is the app instrumented with the OpenTelemetry GenAI conventions or a supported library (OpenInference, OpenLLMetry, Vercel AI SDK, OpenLIT, Langfuse)?', width),
    ];
  }
  const rows = s.items.map((i) => {
    const mark = i.total === 0 ? colors.dim('–') : i.ok ? colors.green('✓') : colors.red('✗');
    const count = `${i.count.toLocaleString('en-US')}/${i.total.toLocaleString('en-US')}`;
    return [mark, i.label, count, share(i)];
  });
  const table = renderTable(
    [{ header: '' }, { header: 'checklist', shorten: 'end' }, { header: 'count', align: 'right' }, { header: 'share', align: 'right' }],
    rows,
    { colors, width },
  );
  const lines = [colors.bold('Rollout checklist'), ...table.split('\n')];
  const deprecated = Object.entries(s.deprecatedKeys);
  if (deprecated.length) lines.push(...wrapText(`deprecated keys: ${deprecated.map(([k, n]) => `${k} ×${n.toLocaleString('en-US')}`).join(', ')}`, width, '  '));
  return lines;
}
