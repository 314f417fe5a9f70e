/**
 * `llmtrace init`'s coding-agent setup (issue #19), checked against the recordings of the real
 * CLIs in test/fixtures/agents/: every variable and config file init prints for an agent is
 * exactly what scripts/record-agents.mjs gave that CLI in each run, and those runs exported. The
 * committed bodies themselves must decode with llmtrace's own OTLP decoders.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  agentOtel,
  CODING_AGENTS,
  codingAgentsGuide,
  type AgentOtelOptions,
  type CodingAgent,
  type OtlpProtocol,
  type Temporality,
} from '../../src/lib/init/coding-agents.js';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import { decodeOtlpProtoTraces } from '../../src/lib/otlp/proto-traces.js';
import { countLogRecords, decodeSignalJson, decodeSignalProtobuf } from '../../src/lib/otlp/signals.js';

const FIXTURES = path.resolve('test/fixtures/agents');
const HTTP = 'http://127.0.0.1:4318';
const GRPC = 'http://127.0.0.1:4317';

interface RunJson {
  agent: CodingAgent;
  run: string;
  exitCode: number;
  options: { protocol: OtlpProtocol; temporality: Temporality; traces: boolean };
  env: Record<string, string>;
  files: { path: string; text: string }[];
}
interface RequestJson {
  seq: number;
  signal: 'traces' | 'logs' | 'metrics';
  transport: 'http' | 'grpc';
  contentType: string;
  bytes: number;
  file: string;
  stored?: 'gzip' | 'raw';
}

function runs(): { dir: string; run: RunJson }[] {
  if (!existsSync(FIXTURES)) return [];
  const out: { dir: string; run: RunJson }[] = [];
  for (const agent of readdirSync(FIXTURES, { withFileTypes: true })) {
    if (!agent.isDirectory()) continue;
    for (const r of readdirSync(path.join(FIXTURES, agent.name), { withFileTypes: true })) {
      const dir = path.join(FIXTURES, agent.name, r.name);
      if (r.isDirectory() && existsSync(path.join(dir, 'run.json'))) out.push({ dir, run: JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunJson });
    }
  }
  return out;
}

describe('init prints each coding agent’s OTel setup', () => {
  const guide = codingAgentsGuide(HTTP, GRPC);

  it('Claude Code: telemetry on, metrics and logs over OTLP, protocol and endpoint', () => {
    expect(guide).toContain(
      [
        '  export CLAUDE_CODE_ENABLE_TELEMETRY=1',
        '  export OTEL_METRICS_EXPORTER=otlp',
        '  export OTEL_LOGS_EXPORTER=otlp',
        '  export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf',
        `  export OTEL_EXPORTER_OTLP_ENDPOINT=${HTTP}`,
      ].join('\n'),
    );
  });

  it('Codex: the [otel] table with a full per-signal URL for each exporter', () => {
    expect(guide).toContain('  ~/.codex/config.toml:\n    [otel]\n');
    for (const signal of ['logs', 'traces', 'metrics']) {
      const key = signal === 'logs' ? 'exporter' : signal === 'traces' ? 'trace_exporter' : 'metrics_exporter';
      expect(guide).toContain(`    ${key} = { otlp-http = { endpoint = "${HTTP}/v1/${signal}", protocol = "binary" } }`);
    }
  });

  it('Gemini CLI: a settings.json telemetry block that parses', () => {
    const start = guide.indexOf('  ~/.gemini/settings.json:\n') + '  ~/.gemini/settings.json:\n'.length;
    const end = guide.indexOf('\n\n', start);
    const settings = JSON.parse(guide.slice(start, end)) as { telemetry: Record<string, unknown> };
    expect(settings.telemetry).toEqual({ enabled: true, target: 'local', otlpEndpoint: HTTP, otlpProtocol: 'http', logPrompts: false });
  });

  it('Copilot CLI: its variables', () => {
    expect(guide).toContain(`  export COPILOT_OTEL_ENABLED=true\n  export OTEL_EXPORTER_OTLP_ENDPOINT=${HTTP}\n  export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`);
  });

  it('gRPC endpoints go to the gRPC port, without a path', () => {
    expect(agentOtel('claude-code', { http: HTTP, grpc: GRPC, protocol: 'grpc' }).env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(GRPC);
    expect(agentOtel('codex', { http: HTTP, grpc: GRPC, protocol: 'grpc' }).files[0]!.text).toContain(`exporter = { otlp-grpc = { endpoint = "${GRPC}" } }`);
    const gemini = JSON.parse(agentOtel('gemini-cli', { http: HTTP, grpc: `${GRPC}/`, protocol: 'grpc' }).files[0]!.text) as { telemetry: Record<string, unknown> };
    expect(gemini.telemetry).toMatchObject({ otlpEndpoint: GRPC, otlpProtocol: 'grpc' });
  });

  it('refuses what an agent cannot send, naming what it can', () => {
    const o = { http: HTTP, grpc: GRPC };
    expect(() => agentOtel('copilot-cli', { ...o, protocol: 'grpc' })).toThrow('copilot-cli cannot send OTLP over grpc; it supports http/protobuf, http/json');
    expect(() => agentOtel('gemini-cli', { ...o, protocol: 'http/protobuf' })).toThrow('it supports http/json, grpc');
    expect(() => agentOtel('codex', { ...o, temporality: 'cumulative' })).toThrow('codex cannot send metrics with temporality cumulative; it supports delta');
    expect(() => agentOtel('copilot-cli', { ...o, temporality: 'delta' })).toThrow('it supports cumulative');
  });

  it('asks for the non-default temporality only where the agent has a switch for it', () => {
    const o = { http: HTTP, grpc: GRPC };
    expect(agentOtel('claude-code', { ...o, temporality: 'cumulative' }).env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE).toBe('cumulative');
    expect(agentOtel('claude-code', { ...o, temporality: 'delta' }).env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE).toBeUndefined();
    expect(agentOtel('gemini-cli', { ...o, temporality: 'delta' }).env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE).toBe('delta');
  });
});

describe('the recordings used exactly what init prints', () => {
  const all = runs();

  it('every agent has recordings, and every protocol it supports was recorded', () => {
    for (const agent of CODING_AGENTS) {
      const mine = all.filter((r) => r.run.agent === agent);
      expect(mine.length, agent).toBeGreaterThan(0);
      const setup = agentOtel(agent, { http: HTTP, grpc: GRPC });
      expect(new Set(mine.map((r) => r.run.options.protocol)), agent).toEqual(new Set(setup.protocols));
    }
  });

  it.each(all.map((r) => [`${r.run.agent}/${r.run.run}`, r] as const))('%s', (_name, { run }) => {
    expect(run.exitCode).toBe(0);
    const o: AgentOtelOptions = {
      http: '<otlp-http>',
      grpc: '<otlp-grpc>',
      protocol: run.options.protocol,
      temporality: run.options.temporality,
      traces: run.options.traces,
    };
    if (run.env.OTEL_METRIC_EXPORT_INTERVAL) o.metricIntervalMs = Number(run.env.OTEL_METRIC_EXPORT_INTERVAL);
    if (run.env.OTEL_LOGS_EXPORT_INTERVAL) o.logsIntervalMs = Number(run.env.OTEL_LOGS_EXPORT_INTERVAL);
    const setup = agentOtel(run.agent, o);
    for (const [k, v] of Object.entries(setup.env)) expect(run.env[k], k).toBe(v);
    for (const f of setup.files) {
      const given = run.files.find((g) => g.path === f.path);
      expect(given, f.path).toBeDefined();
      if (f.path.endsWith('.json')) {
        // The recording adds its own keys (auth) beside init's block.
        const want = JSON.parse(f.text) as Record<string, unknown>;
        const got = JSON.parse(given!.text) as Record<string, unknown>;
        for (const k of Object.keys(want)) expect(got[k], k).toEqual(want[k]);
      } else {
        expect(given!.text.endsWith(f.text), f.path).toBe(true);
      }
    }
  });
});

describe('the committed captures decode with llmtrace’s decoders', () => {
  it.each(runs().map((r) => [`${r.run.agent}/${r.run.run}`, r.dir] as const))('%s', (_name, dir) => {
    const requests = JSON.parse(readFileSync(path.join(dir, 'requests.json'), 'utf8')) as RequestJson[];
    const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')) as { calls: unknown[] };
    expect(truth.calls.length).toBeGreaterThan(0);
    expect(requests.length).toBeGreaterThan(0);
    let items = 0;
    for (const r of requests) {
      const stored = readFileSync(path.join(dir, r.file));
      const body = r.stored === 'gzip' ? gunzipSync(stored) : stored;
      expect(body.length, r.file).toBe(r.bytes);
      const json = r.contentType.includes('json');
      if (r.signal === 'traces') {
        const decoded = json ? decodeOtlpJsonTraces(JSON.parse(body.toString('utf8'))) : decodeOtlpProtoTraces(body);
        items += decoded.spans.length;
      } else {
        const msg = json ? decodeSignalJson(r.signal, JSON.parse(body.toString('utf8'))) : decodeSignalProtobuf(r.signal, body);
        items += r.signal === 'logs' ? countLogRecords(msg) : 1;
      }
    }
    expect(items).toBeGreaterThan(0);
  });
});
