/**
 * How to point each coding agent's OpenTelemetry export at `llmtrace tail` (printed by `init`).
 *
 * One definition serves both the printed guide and scripts/record-agents.mjs, which runs the real
 * CLIs with exactly these variables and files against a capture receiver: what init prints is what
 * was recorded (docs/coding-agents.md lists what each agent then sent). Options the recording adds
 * (short export intervals, the other protocols and temporalities) go through the same functions.
 */

export type CodingAgent = 'claude-code' | 'codex' | 'gemini-cli' | 'copilot-cli';
export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';
export type Temporality = 'delta' | 'cumulative';

export const CODING_AGENTS: readonly CodingAgent[] = ['claude-code', 'codex', 'gemini-cli', 'copilot-cli'];

export interface AgentOtelOptions {
  /** tail's OTLP/HTTP base URL, e.g. http://127.0.0.1:4318 */
  http: string;
  /** tail's OTLP/gRPC URL, e.g. http://127.0.0.1:4317 */
  grpc: string;
  protocol?: OtlpProtocol;
  temporality?: Temporality;
  /** Metric export interval; omitted means the agent's default. */
  metricIntervalMs?: number;
  /** Log-record export interval (Claude Code only); omitted means the agent's default. */
  logsIntervalMs?: number;
  /** Claude Code's beta traces (claude_code.llm_request spans). */
  traces?: boolean;
}

export interface AgentConfigFile {
  /** Where the agent reads it, with ~ for the home directory. */
  path: string;
  text: string;
}

export interface AgentOtelSetup {
  agent: CodingAgent;
  /** What the agent is called in the guide. */
  title: string;
  /** The OTLP protocols the agent can send; the first is what the guide prints. */
  protocols: readonly OtlpProtocol[];
  /** Temporalities the agent can be asked for; the first is its default. */
  temporalities: readonly Temporality[];
  env: Record<string, string>;
  files: AgentConfigFile[];
}

const trimSlash = (u: string) => u.replace(/\/+$/, '');

function unsupported(agent: CodingAgent, what: string, value: string, allowed: readonly string[]): Error {
  return new Error(`${agent} cannot send ${what} ${value}; it supports ${allowed.join(', ')}`);
}

const CLAUDE_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const CODEX_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const GEMINI_PROTOCOLS: readonly OtlpProtocol[] = ['http/json', 'grpc'];
const COPILOT_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];

function check(agent: CodingAgent, o: AgentOtelOptions, protocols: readonly OtlpProtocol[], temporalities: readonly Temporality[]) {
  const protocol = o.protocol ?? protocols[0]!;
  if (!protocols.includes(protocol)) throw unsupported(agent, 'OTLP over', protocol, protocols);
  if (o.temporality && !temporalities.includes(o.temporality)) throw unsupported(agent, 'metrics with temporality', o.temporality, temporalities);
  return protocol;
}

/** Claude Code: standard OTEL_* variables; metrics are delta unless cumulative is asked for. */
export function claudeCodeOtel(o: AgentOtelOptions): AgentOtelSetup {
  const temporalities: Temporality[] = ['delta', 'cumulative'];
  const protocol = check('claude-code', o, CLAUDE_PROTOCOLS, temporalities);
  const env: Record<string, string> = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_EXPORTER_OTLP_ENDPOINT: trimSlash(protocol === 'grpc' ? o.grpc : o.http),
  };
  if (o.temporality === 'cumulative') env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE = 'cumulative';
  if (o.traces) {
    env.CLAUDE_CODE_ENHANCED_TELEMETRY_BETA = '1';
    env.OTEL_TRACES_EXPORTER = 'otlp';
  }
  if (o.metricIntervalMs) env.OTEL_METRIC_EXPORT_INTERVAL = String(o.metricIntervalMs);
  if (o.logsIntervalMs) env.OTEL_LOGS_EXPORT_INTERVAL = String(o.logsIntervalMs);
  return { agent: 'claude-code', title: 'Claude Code', protocols: CLAUDE_PROTOCOLS, temporalities, env, files: [] };
}

const tomlString = (s: string) => JSON.stringify(s); // a JSON string is a valid TOML basic string

/**
 * Codex: the [otel] table of ~/.codex/config.toml. Its OTLP/HTTP exporters take the full
 * per-signal URL (they do not append /v1/logs themselves); gRPC takes the bare endpoint.
 */
export function codexOtel(o: AgentOtelOptions): AgentOtelSetup {
  const temporalities: Temporality[] = ['delta'];
  const protocol = check('codex', o, CODEX_PROTOCOLS, temporalities);
  const exporter = (signal: 'logs' | 'traces' | 'metrics') =>
    protocol === 'grpc'
      ? `{ otlp-grpc = { endpoint = ${tomlString(trimSlash(o.grpc))} } }`
      : `{ otlp-http = { endpoint = ${tomlString(`${trimSlash(o.http)}/v1/${signal}`)}, protocol = ${tomlString(protocol === 'http/json' ? 'json' : 'binary')} } }`;
  const text = `[otel]
environment = "dev"
log_user_prompt = false
exporter = ${exporter('logs')}
trace_exporter = ${exporter('traces')}
metrics_exporter = ${exporter('metrics')}
`;
  const env: Record<string, string> = {};
  if (o.metricIntervalMs) env.OTEL_METRIC_EXPORT_INTERVAL = String(o.metricIntervalMs);
  return { agent: 'codex', title: 'Codex CLI', protocols: CODEX_PROTOCOLS, temporalities, env, files: [{ path: '~/.codex/config.toml', text }] };
}

/**
 * Gemini CLI: the telemetry block of ~/.gemini/settings.json. Its "http" protocol sends OTLP/JSON
 * (the JS http exporters); metrics are the JS SDK's cumulative unless the standard temporality
 * variable asks for delta; the metric interval is fixed at 10 s.
 */
export function geminiCliOtel(o: AgentOtelOptions): AgentOtelSetup {
  const temporalities: Temporality[] = ['cumulative', 'delta'];
  const protocol = check('gemini-cli', o, GEMINI_PROTOCOLS, temporalities);
  const settings = {
    telemetry: {
      enabled: true,
      target: 'local',
      otlpEndpoint: trimSlash(protocol === 'grpc' ? o.grpc : o.http),
      otlpProtocol: protocol === 'grpc' ? 'grpc' : 'http',
      logPrompts: false,
    },
  };
  const env: Record<string, string> = {};
  if (o.temporality === 'delta') env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE = 'delta';
  return {
    agent: 'gemini-cli',
    title: 'Gemini CLI',
    protocols: GEMINI_PROTOCOLS,
    temporalities,
    env,
    files: [{ path: '~/.gemini/settings.json', text: `${JSON.stringify(settings, null, 2)}\n` }],
  };
}

/** Copilot CLI: OTLP over HTTP only (JSON by default); metrics are cumulative. */
export function copilotCliOtel(o: AgentOtelOptions): AgentOtelSetup {
  const temporalities: Temporality[] = ['cumulative'];
  const protocol = check('copilot-cli', o, COPILOT_PROTOCOLS, temporalities);
  const env: Record<string, string> = {
    COPILOT_OTEL_ENABLED: 'true',
    OTEL_EXPORTER_OTLP_ENDPOINT: trimSlash(o.http),
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  };
  return { agent: 'copilot-cli', title: 'GitHub Copilot CLI', protocols: COPILOT_PROTOCOLS, temporalities, env, files: [] };
}

export function agentOtel(agent: CodingAgent, o: AgentOtelOptions): AgentOtelSetup {
  switch (agent) {
    case 'claude-code':
      return claudeCodeOtel(o);
    case 'codex':
      return codexOtel(o);
    case 'gemini-cli':
      return geminiCliOtel(o);
    case 'copilot-cli':
      return copilotCliOtel(o);
  }
}

function envLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `  export ${k}=${/^[\w./:@-]*$/.test(v) ? v : `'${v}'`}`)
    .join('\n');
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/** The coding-agents part of init's guide: each agent with its default protocol. */
export function codingAgentsGuide(http = 'http://127.0.0.1:4318', grpc = 'http://127.0.0.1:4317'): string {
  const parts = CODING_AGENTS.map((agent) => {
    const s = agentOtel(agent, { http, grpc });
    const lines = [`${s.title} (OTLP ${s.protocols[0]}; also ${s.protocols.slice(1).join(', ')}):`];
    if (Object.keys(s.env).length) lines.push(envLines(s.env));
    for (const f of s.files) lines.push(`  ${f.path}:`, indent(f.text));
    return lines.join('\n');
  });
  return `Coding agents: point their OpenTelemetry export at \`llmtrace tail\`

${parts.join('\n\n')}
`;
}
