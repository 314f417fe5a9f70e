/**
 * Trace shapes: an agent run of one app (root agent/workflow span, 3–12 model calls, tool calls,
 * embeddings, errors with retries, nested sub-agents, and sometimes a call into another service
 * that uses another convention), and one very large run (a deep and wide agent tree) for `tree`.
 */
import { APPS, INSTANCES_PER_APP, MODELS, TENANTS, TOOLS, USERS } from './catalog.mjs';
import { TraceBuilder } from './builder.mjs';
import { WRITERS } from './conventions.mjs';

const APP_WEIGHTS = Object.entries(APPS).map(([name, a]) => [name, a.weight]);
const AGENT_NAMES = { 'support-bot': 'support', 'research-agent': 'deep_research', 'legacy-summarizer': 'summarizer', 'rag-api': 'kb', 'web-chat': 'chat', 'workflow-runner': 'reports', 'batch-eval': 'eval' };
const SUB_AGENTS = ['planner', 'critic', 'web_researcher', 'coder', 'summarizer', 'router'];
const WORKFLOWS = ['report_generation', 'lead_scoring', 'contract_review'];
const CONTENT_SHARE = { official: 0.1, genai: 0.1, 'genai-selfhosted': 0, deprecated: 0.2, openinference: 1, vercel: 0.3, openllmetry: 1 };

/** The per-run context a writer needs: where its spans go and the business dimensions. */
export function makeContext(rng, appName, inherit = {}) {
  const app = APPS[appName];
  const features = app.features;
  const feature = features.length ? rng.pick(features) : undefined;
  return {
    appName,
    app,
    res: `${appName}#${rng.int(0, INSTANCES_PER_APP - 1)}`,
    libScope: app.scope,
    manualScope: app.manualScope,
    feature,
    functionId: feature,
    workflow: rng.pick(WORKFLOWS),
    agentName: AGENT_NAMES[appName],
    provider: MODELS[app.models[0][0]].provider,
    user: inherit.user ?? `user-${rng.int(1, USERS)}`,
    session: inherit.session ?? `sess-${rng.hex(6)}`,
    tenant: inherit.tenant ?? rng.pick(TENANTS),
    captureContent: rng.chance(CONTENT_SHARE[app.convention]),
  };
}

/** Provider counts for one call: input includes cached tokens, output includes reasoning. */
export function makeUsage(rng, model) {
  const m = MODELS[model];
  const input = rng.around(m.input, 0.45, 8, 180_000);
  if (m.embedding) return { input, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
  const cacheRead = m.cache && rng.chance(0.7) ? Math.floor(input * m.cache * (0.5 + rng.next() / 2)) : 0;
  const cacheWrite = m.cacheWrite && rng.chance(0.3) ? Math.min(input - cacheRead, Math.floor(input * m.cacheWrite)) : 0;
  const output = rng.around(m.output, 0.55, 1, 32_000);
  const reasoning = m.reasoning ? Math.floor(output * m.reasoning * rng.next()) : 0;
  return { input, output, cacheRead, cacheWrite, reasoning };
}

const gap = (rng) => rng.int(1_000, 60_000);

/**
 * The agent loop: model calls, some answered with a tool call; a tool may run a sub-agent, or
 * (support-bot's search_kb) call the rag-api service. Returns the time the loop ends.
 */
export function agentLoop(tb, ctx, parent, t, nCalls, depth, opts = {}) {
  const { rng } = tb;
  const w = WRITERS[ctx.app.convention];
  for (let i = 0; i < nCalls; i++) {
    if (rng.chance(0.12)) t = w.embed(tb, parent, ctx, t, { model: ctx.app.embedModel, usage: makeUsage(rng, ctx.app.embedModel) }) + gap(rng);
    const model = rng.weighted(ctx.app.models);
    const wantsTool = i < nCalls - 1 && rng.chance(0.45);
    const call = { model, usage: makeUsage(rng, model), wantsTool, error: rng.chance(0.03), stream: rng.chance(0.3), rng };
    let r = w.llm(tb, parent, ctx, t, call);
    t = r.end + gap(rng);
    if (call.error) {
      // The app retries after a back-off; the retry succeeds.
      tb.failedCalls++;
      t += rng.int(200_000, 2_000_000);
      r = w.llm(tb, parent, ctx, t, { ...call, error: false, usage: makeUsage(rng, model) });
      t = r.end + gap(rng);
    }
    if (!wantsTool) continue;
    const tool = rng.pick(TOOLS);
    let body;
    const subAgent = depth < (opts.maxDepth ?? 2) && rng.chance(opts.subAgentChance ?? 0.15);
    if (subAgent) {
      const name = rng.pick(SUB_AGENTS);
      const n = rng.int(2, 4);
      body = w === WRITERS.vercel
        ? (span, ts) => agentLoop(tb, ctx, span, ts, n, depth + 1, opts)
        : (span, ts) => {
            const a = w.agent(tb, span, ctx, ts, name);
            return w.endAgent(tb, a, agentLoop(tb, ctx, a, ts + rng.int(100, 2_000), n, depth + 1, opts) + 500);
          };
    } else if (tool === 'search_kb' && ctx.appName === 'support-bot' && rng.chance(0.6)) {
      body = (span, ts) => ragCall(tb, ctx, span, ts);
    }
    const te = w.tool(tb, r.toolParent ?? parent, ctx, t, tool, body);
    r.extend?.(te);
    t = te + gap(rng);
  }
  return t;
}

/** A call over HTTP into the rag-api service: its spans are OpenInference's. */
function ragCall(tb, from, toolSpan, t) {
  const { rng } = tb;
  const client = tb.open(toolSpan, from.res, from.manualScope, 'POST', 3, t, [['http.request.method', 'POST'], ['server.address', 'rag-api.internal'], ['url.full', 'http://rag-api.internal/query']]);
  const ctx = makeContext(rng, 'rag-api', from);
  const server = tb.open(client, ctx.res, ctx.manualScope, 'POST /query', 2, t + 800, [['http.request.method', 'POST'], ['http.route', '/query']]);
  const te = ragRun(tb, ctx, server, t + 1_500, rng.int(1, 2));
  tb.close(server, te + 300);
  server.attrs.push(['http.response.status_code', 200]);
  client.attrs.push(['http.response.status_code', 200]);
  return tb.close(client, te + 900);
}

/** rag-api's pipeline under `parent` (null: it is the root): retrieve, embed, then the calls. */
function ragRun(tb, ctx, parent, t0, nCalls) {
  const w = WRITERS.openinference;
  const chain = w.root(tb, ctx, t0, parent);
  let t = t0 + 200;
  t = w.embed(tb, chain, ctx, t, { model: ctx.app.embedModel, usage: makeUsage(tb.rng, ctx.app.embedModel) }) + 500;
  t = w.retrieval(tb, chain, ctx, t) + 500;
  t = agentLoop(tb, ctx, chain, t, nCalls, 1);
  chain.status = 1;
  return tb.close(chain, t + 200);
}

/** One agent run of a randomly chosen app. */
export function buildTrace(rng, resources, t0) {
  const tb = new TraceBuilder(rng, rng.hex(16), resources);
  const ctx = makeContext(rng, rng.weighted(APP_WEIGHTS));
  const nCalls = rng.int(3, 9);
  let end;
  if (ctx.app.convention === 'openinference') {
    end = ragRun(tb, ctx, null, t0, nCalls);
  } else {
    const w = WRITERS[ctx.app.convention];
    const root = w.root(tb, ctx, t0);
    let t = t0 + rng.int(500, 20_000);
    if (rng.chance(0.3)) t = w.retrieval(tb, root, ctx, t) + gap(rng);
    t = agentLoop(tb, ctx, root, t, nCalls, 0);
    if (rng.chance(0.01)) tb.fail(root, 'agent run failed: max iterations reached');
    end = tb.close(root, t + rng.int(200, 5_000));
  }
  return { tb, end };
}

/**
 * One trace of about `target` spans: an orchestrator fanning out to many workers (each an
 * agent run of some app, so conventions mix inside the trace), some nesting sub-agents deeply,
 * plus one recursive chain `chainDepth` agents deep.
 */
export function buildBigTrace(rng, resources, t0, target, chainDepth = 120) {
  const tb = new TraceBuilder(rng, rng.hex(16), resources);
  const ctx = makeContext(rng, 'research-agent');
  const w = WRITERS.genai;
  const root = w.root(tb, ctx, t0);
  let last = t0;
  // The deep chain: each level one call, then the next level.
  let parent = root;
  let t = t0 + 1_000;
  const chain = [];
  for (let d = 0; d < chainDepth; d++) {
    const a = w.agent(tb, parent, ctx, t, `recursive_planner_${d}`);
    chain.push(a);
    t = w.llm(tb, a, ctx, t + 100, { model: 'claude-haiku-4-5', usage: makeUsage(rng, 'claude-haiku-4-5'), wantsTool: false, rng }).end + 100;
    parent = a;
  }
  for (let d = chain.length - 1; d >= 0; d--) t = w.endAgent(tb, chain[d], t + 50);
  last = t;
  // Workers until the target: concurrent, so they overlap in time.
  const apps = Object.keys(APPS);
  let k = 0;
  while (tb.spans.length < target) {
    const wctx = makeContext(rng, rng.pick(apps), ctx);
    const ts = t0 + rng.int(0, 3_600_000_000);
    const a = WRITERS.genai.agent(tb, root, ctx, ts, `worker_${k++}`);
    const te = wctx.app.convention === 'openinference'
      ? ragRun(tb, wctx, a, ts + 100, rng.int(2, 6))
      : agentLoop(tb, wctx, a, ts + 100, rng.int(3, 10), 0, { maxDepth: 6, subAgentChance: 0.3 });
    last = Math.max(last, WRITERS.genai.endAgent(tb, a, te + 100));
  }
  return { tb, end: tb.close(root, last + 1_000) };
}
