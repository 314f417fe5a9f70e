import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/lib/live/events.js';
import { LivePrinter, type LiveMode } from '../../src/lib/render/live-printer.js';
import { renderAgentCallLine, renderSpanLine } from '../../src/lib/render/live.js';
import { emptyCallTotals } from '../../src/lib/live/totals.js';
import { makeColors } from '../../src/lib/render/colors.js';
import { llm } from '../helpers/span-factory.js';
import { harness, traceExport } from './helpers.js';

function stream(isTTY: boolean) {
  const s = Object.assign(new PassThrough(), { isTTY, columns: 100, text: '' });
  s.on('data', (d: Buffer) => (s.text += d.toString()));
  return s;
}

function run(mode: LiveMode, tty: boolean) {
  const stdout = stream(tty);
  const stderr = stream(tty);
  const h = harness();
  const printer = new LivePrinter({
    mode,
    stdout,
    stderr,
    text: { colors: makeColors({ noColor: true }), pricing: false },
    width: () => (tty ? 100 : Infinity),
    errColors: makeColors({ noColor: true }),
    statusLine: mode === 'text' && tty,
    totals: () => h.view.totals,
  });
  const feed = (events: LiveEvent[]) => events.splice(0).forEach((e) => printer.handle(e));
  h.view.onExport(traceExport([llm('c1', undefined, 'gpt-4o', 23, 12)]));
  feed(h.events);
  h.view.onReject({ protocol: 'grpc', status: 'RESOURCE_EXHAUSTED', reason: 'too big' });
  feed(h.events);
  h.advance(1500);
  feed(h.events);
  printer.summary({ totals: h.view.totals, pricing: false, durationMs: 1000, store: '/s' });
  return { out: stdout.text, err: stderr.text };
}

describe('LivePrinter', () => {
  it('in a terminal keeps a running total at the bottom of stderr, redrawn in place', () => {
    const { out, err } = run('text', true);
    expect(out).toMatch(/chat gpt-4o +23 → 12 tok/);
    expect(err).toContain('\r\u001b[2KΣ 1 call · 23 → 12 tok · 0 traces · 1 spans');
    expect(err).toContain('Σ 1 call · 23 → 12 tok · 1 trace · 1 spans · 1 rejected');
    expect(err).toMatch(/✗ rejected grpc RESOURCE_EXHAUSTED: too big/);
    // The summary replaces it: the last thing on stderr clears the line.
    expect(err.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('when not a terminal: plain lines, no total, no escape sequences', () => {
    const { out, err } = run('text', false);
    expect(out + err).not.toContain('\u001b');
    expect(out + err).not.toContain('\r');
    expect(out).toMatch(/^\d\d:\d\d:\d\d {2}test-svc/);
    expect(out).toMatch(/^trace [0-9a-f]{32} · test-svc · 1 span/m);
    expect(out).toMatch(/session summary/);
  });

  it('--json writes one event per line on stdout', () => {
    const { out, err } = run('json', false);
    const events = out.trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    expect(events.map((e) => e.event)).toEqual(['span', 'rejected', 'trace', 'summary']);
    expect(err).toBe('');
  });

  it('a streamed call line ends with its time to first token, the first thing a narrow terminal drops', () => {
    const h = harness();
    h.view.onExport(traceExport([llm('c1', undefined, 'gpt-4o', 23, 12, { 'gen_ai.response.finish_reasons': ['stop'], 'gen_ai.response.time_to_first_chunk': 0.25 })]));
    const line = h.of('span')[0]!.line;
    const text = (width: number) => renderSpanLine(line, { colors: makeColors({ noColor: true }), width, pricing: false })[0]!;
    expect(text(Infinity)).toMatch(/ 20ms {2}stop {2}ttft 250ms$/);
    // Narrowing the terminal column by column: the time to first token goes while the finish reason stays.
    let width = text(Infinity).length;
    while (text(width).includes('ttft')) width--;
    expect(text(width)).toMatch(/ 20ms {2}stop$/);
  });

  it('a coding agent request line shows the time to first token the agent reports, dropped first when narrow', () => {
    const call = { timeMs: Date.UTC(2026, 11, 6, 9, 30), agent: 'claude-code', session: 's1', model: 'claude-opus-4-8', usage: { input: 120, output: 40, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, cost: undefined, durationMs: 2400, ttftMs: 850, sessionTotal: { ...emptyCallTotals(), calls: 1 } };
    const text = (width: number) => renderAgentCallLine(call, { colors: makeColors({ noColor: true }), width, pricing: false });
    expect(text(Infinity)).toMatch(/ 2\.40s {2}ttft 850ms {2}Σ s1 1 call$/);
    expect(renderAgentCallLine({ ...call, ttftMs: undefined }, { colors: makeColors({ noColor: true }), width: Infinity, pricing: false })).not.toContain('ttft');
    let width = text(Infinity).length;
    while (text(width).includes('ttft')) width--;
    expect(text(width)).toMatch(/Σ s1 1 call$/);
  });

  it('--quiet prints only the summary', () => {
    const { out, err } = run('quiet', true);
    expect(out).toMatch(/^llmtrace tail · session summary/);
    expect(err).toBe('');
  });
});
