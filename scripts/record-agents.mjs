#!/usr/bin/env node
// Records what the real coding-agent CLIs export over OTLP, against mock model servers with known
// usage, into test/fixtures/agents/<agent>/<run>/ (issue #19). The CLIs are large downloads and
// stay out of package.json; install them elsewhere and pass --cli-dir:
//
//   npm install --prefix /work/agents-cli @anthropic-ai/claude-code @openai/codex @google/gemini-cli @github/copilot
//   npm run build     # the agents' OTel variables and files come from dist/lib/init/coding-agents.js
//   node scripts/record-agents.mjs --cli-dir /work/agents-cli [--only claude-code,codex] [--run grpc-delta]
//
// Each run: a fresh HOME and working directory, the mocks (scripts/agents/mocks.mjs), a capture
// receiver that keeps every OTLP request body (scripts/agents/capture.mjs), one short prompt that
// makes the agent call one read-only tool, and the agent's OTel setup exactly as `llmtrace init`
// prints it (plus short export intervals where the agent has them).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startCapture } from './agents/capture.mjs';
import { startMocks } from './agents/mocks.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { agentOtel } = await import(path.join(ROOT, 'dist/lib/init/coding-agents.js'));

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const CLI_DIR = path.resolve(flag('--cli-dir') ?? '/work/agents-cli');
const ONLY = flag('--only')?.split(',');
const ONLY_RUN = flag('--run')?.split(',');
const OUT = path.resolve(flag('--out') ?? path.join(ROOT, 'test/fixtures/agents'));
const BIN = (name) => path.join(CLI_DIR, 'node_modules/.bin', name);
const PROMPT = 'Read notes.txt and tell me what it says.';
const PROMPT_AGAIN = 'Say it once more.';
const NOTES = 'The mock wrote this file.\n';
const TIMEOUT_MS = 180_000;
const GZIP_ABOVE = 64 * 1024;

/** Agents: how to run each one non-interactively against the mocks. */
const AGENTS = {
  'claude-code': {
    pkg: '@anthropic-ai/claude-code',
    bin: 'claude',
    argv: () => ['-p', PROMPT, '--output-format', 'json'],
    resumeArgv: () => ['-p', '--continue', PROMPT_AGAIN, '--output-format', 'json'],
    env: (mock) => ({ ANTHROPIC_API_KEY: 'sk-ant-mock', ANTHROPIC_BASE_URL: mock.url, DISABLE_AUTOUPDATER: '1' }),
    files: () => [],
    runs: [
      { name: 'http-json-delta', protocol: 'http/json' },
      { name: 'http-protobuf-delta', protocol: 'http/protobuf' },
      { name: 'grpc-delta', protocol: 'grpc' },
      { name: 'http-protobuf-cumulative', protocol: 'http/protobuf', temporality: 'cumulative' },
      { name: 'http-json-traces', protocol: 'http/json', traces: true },
      { name: 'several-exports-delta', protocol: 'http/json', delayMs: 2500, metricIntervalMs: 1000, logsIntervalMs: 500 },
      { name: 'several-exports-cumulative', protocol: 'http/protobuf', temporality: 'cumulative', delayMs: 2500, metricIntervalMs: 1000, logsIntervalMs: 500 },
      { name: 'restart-cumulative', protocol: 'http/protobuf', temporality: 'cumulative', resume: true },
    ],
    defaults: { metricIntervalMs: 1000, logsIntervalMs: 500 },
  },
  codex: {
    pkg: '@openai/codex',
    bin: 'codex',
    // Codex reads input_tokens_details.cache_write_tokens (its cache_write_input token type).
    mockOptions: { responsesCacheWrite: true },
    argv: () => ['exec', '--skip-git-repo-check', '--color', 'never', PROMPT],
    resumeArgv: () => ['exec', '--skip-git-repo-check', '--color', 'never', 'resume', '--last', PROMPT_AGAIN],
    env: () => ({ MOCK_OPENAI_KEY: 'sk-mock' }),
    // The provider block is the recording's, not init's: init prints only the [otel] table.
    files: (mock) => [
      {
        path: '~/.codex/config.toml',
        prepend: `model = "gpt-5.1-codex"
model_provider = "mock"
approval_policy = "never"
sandbox_mode = "read-only"

[model_providers.mock]
name = "mock"
base_url = "${mock.url}/v1"
env_key = "MOCK_OPENAI_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0

`,
      },
    ],
    runs: [
      { name: 'http-protobuf', protocol: 'http/protobuf' },
      { name: 'http-json', protocol: 'http/json' },
      { name: 'grpc', protocol: 'grpc' },
      { name: 'several-exports', protocol: 'http/protobuf', delayMs: 2500, metricIntervalMs: 1000 },
      { name: 'resume', protocol: 'http/protobuf', resume: true },
    ],
    defaults: { metricIntervalMs: 1000 },
  },
  'gemini-cli': {
    pkg: '@google/gemini-cli',
    bin: 'gemini',
    argv: () => ['-p', PROMPT, '-m', 'gemini-2.5-flash', '--output-format', 'json'],
    resumeArgv: () => ['--resume', 'latest', '-p', PROMPT_AGAIN, '-m', 'gemini-2.5-flash', '--output-format', 'json'],
    env: (mock) => ({ GEMINI_API_KEY: 'mock-key', GOOGLE_GEMINI_BASE_URL: mock.url, GEMINI_CLI_NO_RELAUNCH: 'true', GEMINI_CLI_TRUST_WORKSPACE: 'true' }),
    // The auth block is the recording's, not init's: init prints only the telemetry block.
    files: () => [{ path: '~/.gemini/settings.json', json: { security: { auth: { selectedType: 'gemini-api-key' } } } }],
    runs: [
      { name: 'http-json-cumulative', protocol: 'http/json' },
      { name: 'grpc-cumulative', protocol: 'grpc' },
      { name: 'http-json-delta', protocol: 'http/json', temporality: 'delta' },
      // Its metric interval is fixed at 10 s: answers 12 s apart put the first call's usage in a
      // periodic export and both calls' in the export at exit.
      { name: 'several-exports-cumulative', protocol: 'http/json', delayMs: 12000 },
      { name: 'resume-cumulative', protocol: 'http/json', resume: true },
    ],
    defaults: {},
  },
  'copilot-cli': {
    pkg: '@github/copilot',
    bin: 'copilot',
    argv: () => ['-p', PROMPT, '--allow-all-tools', '--no-color'],
    resumeArgv: () => ['--continue', '-p', PROMPT_AGAIN, '--allow-all-tools', '--no-color'],
    env: (mock, run) => ({
      COPILOT_PROVIDER_BASE_URL: run.provider === 'anthropic' ? mock.url : `${mock.url}/v1`,
      COPILOT_PROVIDER_API_KEY: 'mock-key',
      COPILOT_PROVIDER_TYPE: run.provider ?? 'openai',
      ...(run.wireApi ? { COPILOT_PROVIDER_WIRE_API: run.wireApi } : {}),
      COPILOT_MODEL: run.model ?? 'gpt-4.1',
      COPILOT_OFFLINE: 'true',
      COPILOT_AUTO_UPDATE: 'false',
    }),
    files: () => [],
    runs: [
      { name: 'chat-http-json', protocol: 'http/json' },
      { name: 'chat-http-protobuf', protocol: 'http/protobuf' },
      { name: 'responses-http-json', protocol: 'http/json', wireApi: 'responses', model: 'gpt-5.1' },
      { name: 'anthropic-http-json', protocol: 'http/json', provider: 'anthropic', model: 'claude-sonnet-4.5' },
      // No variable shortens its metric interval (OTEL_METRIC_EXPORT_INTERVAL is ignored). Answers
      // 35 s apart make a 76 s run: traces came in two exports, metrics still only once, at exit.
      { name: 'long-run', protocol: 'http/protobuf', delayMs: 35000 },
      { name: 'resume', protocol: 'http/protobuf', resume: true },
    ],
    defaults: {},
  },
};

function cliVersion(agent) {
  const r = spawnSync(BIN(agent.bin), ['--version'], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH, HOME: mkdtempSync(path.join(tmpdir(), 'ver-')) } });
  const pkg = JSON.parse(readFileSync(path.join(CLI_DIR, 'node_modules', agent.pkg, 'package.json'), 'utf8'));
  return { package: agent.pkg, packageVersion: pkg.version, versionOutput: (r.stdout || r.stderr || '').trim().split('\n')[0] };
}

const log = (s) => process.stderr.write(`${s}\n`);

async function record(agentId, agent, run, version) {
  const dir = path.join(OUT, agentId, run.name);
  log(`\n=== ${agentId} / ${run.name}`);
  const home = mkdtempSync(path.join(tmpdir(), `rec-home-${agentId}-`));
  const work = mkdtempSync(path.join(tmpdir(), `rec-work-${agentId}-`));
  writeFileSync(path.join(work, 'notes.txt'), NOTES);
  const mocks = await startMocks({ toolCalls: true, delayMs: run.delayMs, cwd: work, log, ...agent.mockOptions });
  const capture = await startCapture({ log });
  const otelOptions = {
    http: capture.httpUrl,
    grpc: capture.grpcUrl,
    protocol: run.protocol,
    temporality: run.temporality,
    traces: run.traces,
    metricIntervalMs: run.metricIntervalMs ?? agent.defaults.metricIntervalMs,
    logsIntervalMs: run.logsIntervalMs ?? agent.defaults.logsIntervalMs,
  };
  const setup = agentOtel(agentId, otelOptions);
  const files = [];
  const extra = agent.files(mocks, run);
  const byPath = new Map();
  for (const f of setup.files) byPath.set(f.path, { path: f.path, text: f.text });
  for (const f of extra) {
    const init = byPath.get(f.path)?.text ?? '';
    // JSON settings are merged (the recording's keys beside init's); TOML gets the recording's part first.
    const text = f.json ? `${JSON.stringify({ ...f.json, ...(init ? JSON.parse(init) : {}) }, null, 2)}\n` : `${f.prepend ?? ''}${init}`;
    byPath.set(f.path, { path: f.path, text });
  }
  for (const f of byPath.values()) {
    const abs = path.join(home, f.path.replace(/^~\//, ''));
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, f.text);
    files.push(f);
  }
  const env = { ...agent.env(mocks, run), ...setup.env };
  const argv = agent.argv(run);
  // A `resume` run starts the agent a second time on the same conversation: a new process, so
  // a new series (cumulative metrics restart from zero), with the same session where the agent
  // keeps it.
  const invocations = run.resume ? [argv, agent.resumeArgv(run)] : [argv];
  const started = Date.now();
  let exitCode = 0;
  let stdout = '';
  let stderr = '';
  for (const args of invocations) {
    const child = spawn(BIN(agent.bin), args, {
      cwd: work,
      env: { PATH: process.env.PATH, HOME: home, TERM: 'dumb', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? signal)));
    clearTimeout(timer);
    if (code !== 0 && exitCode === 0) exitCode = code;
  }
  const durationMs = Date.now() - started;
  // Exports still in flight when the process ended (gRPC calls answered after exit).
  await new Promise((r) => setTimeout(r, 1500));
  await mocks.close();
  await capture.close();
  log(`exit ${exitCode} after ${durationMs} ms; ${mocks.truth.length} model calls; ${capture.requests.length} OTLP requests`);

  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const requests = capture.requests.map((r) => {
    const ext = r.contentType.includes('json') ? 'json' : 'pb';
    // Large bodies (Codex's internal spans and histograms run to a megabyte) are kept exact but
    // gzipped; replay can send them as they are with Content-Encoding: gzip.
    const big = r.body.length > GZIP_ABOVE;
    const file = `${String(r.seq).padStart(3, '0')}-${r.signal}.${ext}${big ? '.gz' : ''}`;
    writeFileSync(path.join(dir, file), big ? gzipSync(r.body, { level: 9 }) : r.body);
    return { seq: r.seq, time: r.time, transport: r.transport, path: r.path, signal: r.signal, contentType: r.contentType, contentEncoding: r.contentEncoding, bytes: r.body.length, file, stored: big ? 'gzip' : 'raw' };
  });
  const totals = {};
  for (const t of mocks.truth) {
    const k = t.model;
    totals[k] ??= { calls: 0, input: 0, cacheRead: 0, cacheWrite: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0, reasoning: 0 };
    totals[k].calls++;
    for (const f of ['input', 'cacheRead', 'cacheWrite', 'cacheWrite5m', 'cacheWrite1h', 'output', 'reasoning']) totals[k][f] += t.normalized[f] ?? 0;
  }
  writeFileSync(path.join(dir, 'requests.json'), `${JSON.stringify(requests, null, 2)}\n`);
  writeFileSync(path.join(dir, 'truth.json'), `${JSON.stringify({ convention: 'input includes cache read and write; output includes reasoning', totalsByModel: totals, calls: mocks.truth, unhandledMockRoutes: mocks.unhandled }, null, 2)}\n`);
  const redact = (s) => s.split(mocks.url).join('<mock>').split(capture.httpUrl).join('<otlp-http>').split(capture.grpcUrl).join('<otlp-grpc>').split(home).join('<home>').split(work).join('<work>');
  const tail = (s) => redact(s.length > 4000 ? `…${s.slice(-4000)}` : s);
  writeFileSync(
    path.join(dir, 'run.json'),
    `${JSON.stringify(
      {
        agent: agentId,
        run: run.name,
        ...version,
        node: process.version,
        recordedAt: new Date(started).toISOString(),
        options: { protocol: setup.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? run.protocol, temporality: run.temporality ?? setup.temporalities[0], traces: Boolean(run.traces), mockDelayMs: run.delayMs ?? 0 },
        command: [agent.bin, ...argv],
        ...(invocations.length > 1 ? { commands: invocations.map((a) => [agent.bin, ...a]) } : {}),
        env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, redact(v)])),
        files: files.map((f) => ({ path: f.path, text: redact(f.text) })),
        exitCode,
        durationMs,
        stdout: tail(stdout),
        stderr: tail(stderr),
      },
      null,
      2,
    )}\n`,
  );
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  return { exitCode, calls: mocks.truth.length, requests: requests.length };
}

const summary = [];
for (const [agentId, agent] of Object.entries(AGENTS)) {
  if (ONLY && !ONLY.includes(agentId)) continue;
  const version = cliVersion(agent);
  log(`${agentId}: ${version.package}@${version.packageVersion} (${version.versionOutput})`);
  for (const run of agent.runs) {
    if (ONLY_RUN && !ONLY_RUN.includes(run.name)) continue;
    try {
      summary.push({ agent: agentId, run: run.name, ...(await record(agentId, agent, run, version)) });
    } catch (e) {
      log(`${agentId}/${run.name} failed: ${e?.stack ?? e}`);
      summary.push({ agent: agentId, run: run.name, error: String(e) });
    }
  }
}
log(`\n${JSON.stringify(summary, null, 1)}`);
