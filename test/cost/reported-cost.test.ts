/**
 * Cost that instrumentation libraries report on spans (genai/agents.ts spanReportedCost) next to
 * the computed cost, and `--cost-source` for the gates.
 */
import { describe, expect, it } from 'vitest';
import { spanReportedCost } from '../../src/lib/genai/agents.js';
import { runCli } from '../helpers/cli.js';
import { writeTemp } from '../helpers/read-all.js';

describe('spanReportedCost', () => {
  it('reads each library’s key, in order', () => {
    expect(spanReportedCost({ 'llm.cost.total': 0.5, 'llm.cost.prompt': 0.1 })).toBe(0.5);
    expect(spanReportedCost({ 'llm.cost.prompt': 0.1, 'llm.cost.completion': 0.25 })).toBeCloseTo(0.35, 15);
    expect(spanReportedCost({ 'gen_ai.usage.cost': 0.002 })).toBe(0.002);
    expect(spanReportedCost({ 'spanora.llm.cost.usd': '0.003' })).toBe(0.003);
    expect(spanReportedCost({ 'operation.cost': 0.004 })).toBe(0.004);
    expect(spanReportedCost({ 'langfuse.observation.cost_details': '{"input":0.001,"output":0.002,"total":0.003}' })).toBe(0.003);
    expect(spanReportedCost({ 'langfuse.observation.cost_details': '{"input":0.001,"output":0.002}' })).toBeCloseTo(0.003, 15);
  });

  it('ignores what is no amount', () => {
    expect(spanReportedCost({})).toBeUndefined();
    expect(spanReportedCost({ 'gen_ai.usage.cost': 'cheap' })).toBeUndefined();
    expect(spanReportedCost({ 'gen_ai.usage.cost': true })).toBeUndefined();
    expect(spanReportedCost({ 'langfuse.observation.cost_details': '{broken' })).toBeUndefined();
    expect(spanReportedCost({ 'langfuse.observation.cost_details': '[1,2]' })).toBeUndefined();
    expect(spanReportedCost({ 'langfuse.observation.cost_details': `{"total":${'1'.repeat(20_000)}}` })).toBeUndefined();
  });
});

/** One OTLP/JSON chat span of gpt-4o: 1000 input, 100 output tokens ($0.0025 + $0.001 at $2.50/$10), reporting `reported` USD. */
function dump(reported: number): string {
  const attr = (key: string, value: Record<string, unknown>) => ({ key, value });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', { stringValue: 'app' })] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                name: 'chat gpt-4o',
                startTimeUnixNano: '1796400000000000000',
                endTimeUnixNano: '1796400001000000000',
                attributes: [
                  attr('gen_ai.operation.name', { stringValue: 'chat' }),
                  attr('gen_ai.request.model', { stringValue: 'gpt-4o' }),
                  attr('gen_ai.usage.input_tokens', { intValue: '1000' }),
                  attr('gen_ai.usage.output_tokens', { intValue: '100' }),
                  attr('gen_ai.usage.cost', { doubleValue: reported }),
                ],
              },
            ],
          },
        ],
      },
    ],
  });
}

describe('cost with a cost the library reported', () => {
  it('shows reportedCost and its difference from the computed cost', async () => {
    const file = writeTemp('reported.json', dump(0.004));
    const r = await runCli(['cost', file, '--by', 'model', '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { total: { cost: number; reportedCost: number; reportedCostDiff: number; source: string } };
    expect(doc.total).toMatchObject({ cost: 0.0035, reportedCost: 0.004, reportedCostDiff: 0.0005, source: 'spans' });
    const table = await runCli(['cost', file, '--by', 'model']);
    expect(table.stdout).toMatch(/reported\s+Δ reported/);
    expect(table.stdout).toMatch(/\$0\.00400\s+\+\$0\.000500/);
  });

  it('--cost-source chooses what --budget compares', async () => {
    const file = writeTemp('reported-gate.json', dump(0.004));
    const computed = await runCli(['cost', file, '--budget', '0.0037']);
    expect(computed.code).toBe(0);
    const reported = await runCli(['cost', file, '--budget', '0.0037', '--cost-source', 'reported']);
    expect(reported.code).toBe(1);
    expect(reported.stderr).toContain('FAILED budget: total reported cost $0.00400 exceeds the budget of $0.00370');
    const auto = await runCli(['cost', file, '--budget', '0.0037', '--cost-source', 'auto']);
    expect(auto.code).toBe(1);
    const bad = await runCli(['cost', file, '--cost-source', 'bill']);
    expect(bad.code).toBe(2);
  });
});
