import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintFiles } from './helpers.js';

const CAPTURES = path.resolve('fixtures/shared/captures');

describe('lint on real exporter captures', () => {
  it('reports gen_ai.system → gen_ai.provider.name on the official OpenAI instrumentation spans', async () => {
    const r = await lintFiles([path.join(CAPTURES, 'official-agent-http-json.json')]);
    const dep = r.findings.filter((f) => f.rule === 'deprecated-attribute');
    expect(dep.map((f) => f.spanId).sort()).toEqual(['6f1c908d9d5fb5ec', 'ba7098dd2de9cb1b', 'c8eb1e4597ecb802']);
    for (const f of dep) expect(f.facts).toEqual({ what: 'attribute', key: 'gen_ai.system', replacement: 'gen_ai.provider.name', replacementPresent: false });
    expect(r.counts.error).toBe(0);
    expect(r.scorecard.deprecatedKeys).toEqual({ 'gen_ai.system': 3 });
  });

  it.each(['manual-agent-http-json.json', 'manual-agent-http-proto.bin', 'manual-agent-grpc.bin', 'manual-error-http-json.json', 'manual-stream-http-proto.bin'])(
    'finds no errors in the manual capture %s (current conventions)',
    async (file) => {
      const r = await lintFiles([path.join(CAPTURES, file)]);
      expect(r.unusable).toBe(false);
      expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(r.findings.filter((f) => f.rule === 'deprecated-attribute')).toEqual([]);
    },
  );

  it('scores the manual agent capture: complete LLM and tool telemetry, no root context', async () => {
    const r = await lintFiles([path.join(CAPTURES, 'manual-agent-http-json.json')]);
    const items = Object.fromEntries(r.scorecard.items.map((i) => [i.id, i]));
    for (const id of ['llm-provider', 'llm-model', 'llm-usage']) expect(items[id]).toMatchObject({ count: 3, total: 3, ok: true });
    expect(items['tool-child-status']).toMatchObject({ count: 1, total: 1, ok: true });
    expect(items['root-user']).toMatchObject({ count: 0, total: 1, ok: false });
    expect(items.orphans).toMatchObject({ count: 0, ok: true });
    expect(r.findings.map((f) => f.rule).sort()).toEqual(['llm-recommended-attributes', 'root-missing-context']);
  });
});
