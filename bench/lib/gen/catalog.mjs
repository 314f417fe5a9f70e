/**
 * What the generated traces are made of: models (with the price-table entry `llmtrace cost`
 * should report them under), the instrumented apps (service, convention, resource, scope) and
 * tool names. Plain data; the trace shapes are in ./trace.mjs, the attributes in ./conventions.mjs.
 */

/**
 * request model → what the provider answers, and the `model` the cost report shows (the
 * matched price entry's name, or the raw id when unpriced). Token sizes are medians.
 * `requestEntry`: the entry a call without usage (a failed one) is reported under, when it
 * differs from `entry` — such a span names only the request model, and `gpt-4o` is an entry of
 * its own.
 */
export const MODELS = {
  'gpt-4o': { provider: 'openai', response: 'gpt-4o-2024-08-06', entry: 'gpt-4o-2024-08-06', requestEntry: 'gpt-4o', input: 1800, output: 350, cache: 0.45 },
  'gpt-4o-mini': { provider: 'openai', response: 'gpt-4o-mini-2024-07-18', entry: 'gpt-4o-mini', input: 1200, output: 220, cache: 0.35 },
  'gpt-4.1': { provider: 'openai', response: 'gpt-4.1-2025-04-14', entry: 'gpt-4.1', input: 2600, output: 500, cache: 0.5 },
  'o4-mini': { provider: 'openai', response: 'o4-mini-2025-04-16', entry: 'o4-mini', input: 1500, output: 900, cache: 0.3, reasoning: 0.6 },
  'gpt-3.5-turbo': { provider: 'openai', response: 'gpt-3.5-turbo-0125', entry: 'gpt-3.5-turbo', input: 900, output: 180, cache: 0 },
  'text-embedding-3-small': { provider: 'openai', response: 'text-embedding-3-small', entry: 'text-embedding-3-small', input: 60, output: 0, cache: 0, embedding: true },
  'claude-sonnet-4-5': { provider: 'anthropic', response: 'claude-sonnet-4-5-20250929', entry: 'claude-sonnet-4-5', input: 4200, output: 600, cache: 0.7, cacheWrite: 0.08 },
  'claude-haiku-4-5': { provider: 'anthropic', response: 'claude-haiku-4-5-20251001', entry: 'claude-haiku-4-5', input: 1600, output: 240, cache: 0.5, cacheWrite: 0.05 },
  'us.anthropic.claude-3-5-haiku-20241022-v1:0': { provider: 'aws.bedrock', response: 'us.anthropic.claude-3-5-haiku-20241022-v1:0', entry: 'claude-3-5-haiku', input: 2000, output: 300, cache: 0 },
  'gemini-2.5-flash': { provider: 'gcp.gemini', response: 'gemini-2.5-flash', entry: 'gemini-2.5-flash', input: 2200, output: 400, cache: 0.4, reasoning: 0.3 },
  'gemini-2.5-pro': { provider: 'gcp.gemini', response: 'gemini-2.5-pro', entry: 'gemini-2.5-pro', input: 5000, output: 800, cache: 0.5, reasoning: 0.4 },
  'mistral-large-latest': { provider: 'mistral_ai', response: 'mistral-large-2411', entry: 'mistral-large', input: 1400, output: 300, cache: 0 },
  // Self-hosted (vLLM): no price anywhere, reported by its raw id as unpriced.
  'meta-llama/Llama-3.1-70B-Instruct': { provider: 'vllm', response: 'meta-llama/Llama-3.1-70B-Instruct', entry: 'meta-llama/Llama-3.1-70B-Instruct', input: 1100, output: 260, cache: 0 },
};

export const TOOLS = ['search_docs', 'get_order', 'lookup_customer', 'run_sql', 'fetch_url', 'calculator', 'create_ticket', 'send_email', 'read_file', 'search_kb'];

const SDK_NODE = { 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.version': '2.12.0' };
const SDK_PY = { 'telemetry.sdk.language': 'python', 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.version': '1.38.0' };

/**
 * The instrumented apps. `weight`: share of traces whose root is in this app. Each has three
 * instances (service.instance.id), so a batch holds several resources as a Collector's does.
 */
export const APPS = {
  'support-bot': {
    weight: 22,
    convention: 'official', // @opentelemetry/instrumentation-openai 0.20: current usage keys, deprecated gen_ai.system
    resource: { ...SDK_NODE, 'service.version': '3.14.2', 'deployment.environment.name': 'production' },
    scope: { name: '@opentelemetry/instrumentation-openai', version: '0.20.0' },
    manualScope: { name: 'support-bot', version: '3.14.2' },
    features: ['support.answer', 'support.triage', 'support.refund'],
    models: [['gpt-4o', 4], ['gpt-4o-mini', 6], ['o4-mini', 1]],
    embedModel: 'text-embedding-3-small',
  },
  'research-agent': {
    weight: 20,
    convention: 'genai', // current gen_ai.* with provider.name, cache keys, invoke_agent totals
    resource: { ...SDK_PY, 'service.version': '0.9.0', 'deployment.environment.name': 'production', 'app.feature': 'research' },
    scope: { name: 'opentelemetry.instrumentation.anthropic', version: '0.47.1' },
    manualScope: { name: 'research_agent', version: '0.9.0' },
    features: [],
    models: [['claude-sonnet-4-5', 5], ['claude-haiku-4-5', 4], ['o4-mini', 1], ['gemini-2.5-pro', 1]],
    embedModel: 'text-embedding-3-small',
  },
  'legacy-summarizer': {
    weight: 12,
    convention: 'deprecated', // gen_ai.system + prompt_tokens / completion_tokens (semconv ≤ 1.26)
    resource: { ...SDK_PY, 'service.version': '1.2.0', 'deployment.environment': 'production' },
    scope: { name: 'opentelemetry.instrumentation.openai', version: '0.26b0' },
    manualScope: { name: 'summarizer', version: '1.2.0' },
    features: ['summaries.daily', 'summaries.ticket'],
    models: [['gpt-3.5-turbo', 4], ['gpt-4o-mini', 2], ['us.anthropic.claude-3-5-haiku-20241022-v1:0', 3]],
    embedModel: 'text-embedding-3-small',
  },
  'rag-api': {
    weight: 16,
    convention: 'openinference', // Arize OpenInference (Python): llm.*, openinference.span.kind
    resource: { ...SDK_PY, 'service.version': '2.0.5', 'deployment.environment.name': 'production' },
    scope: { name: 'openinference.instrumentation.openai', version: '0.1.30' },
    manualScope: { name: 'openinference.instrumentation.langchain', version: '0.1.51' },
    features: ['kb.search', 'kb.answer'],
    models: [['gpt-4o-mini', 5], ['gpt-4.1', 2], ['mistral-large-latest', 2]],
    embedModel: 'text-embedding-3-small',
  },
  'web-chat': {
    weight: 18,
    convention: 'vercel', // Vercel AI SDK v6 ai.* outer + inner spans
    resource: { ...SDK_NODE, 'service.version': '15.4.0', 'deployment.environment.name': 'production', 'cloud.provider': 'vercel' },
    scope: { name: 'ai', version: '' },
    manualScope: { name: 'next.js', version: '15.4.0' },
    features: ['chat', 'autocomplete', 'title'],
    models: [['gpt-4o', 3], ['gemini-2.5-flash', 3], ['claude-haiku-4-5', 2]],
    embedModel: 'text-embedding-3-small',
  },
  'workflow-runner': {
    weight: 8,
    convention: 'openllmetry', // Traceloop: traceloop.span.kind, llm.request.type, cache_read_input_tokens
    resource: { ...SDK_PY, 'service.version': '4.1.0', 'deployment.environment.name': 'staging' },
    scope: { name: 'opentelemetry.instrumentation.openai.v1', version: '0.47.3' },
    manualScope: { name: 'traceloop.tracer', version: '0.47.3' },
    features: [],
    models: [['gpt-4o', 3], ['gemini-2.5-pro', 1], ['o4-mini', 2]],
    embedModel: 'text-embedding-3-small',
  },
  'batch-eval': {
    weight: 4,
    convention: 'genai-selfhosted', // current gen_ai.* against a vLLM server: unpriced
    resource: { ...SDK_PY, 'service.version': '0.3.1', 'deployment.environment.name': 'staging' },
    scope: { name: 'opentelemetry.instrumentation.openai_v2', version: '2.1b0' },
    manualScope: { name: 'batch_eval', version: '0.3.1' },
    features: ['eval.nightly'],
    models: [['meta-llama/Llama-3.1-70B-Instruct', 1]],
    embedModel: 'text-embedding-3-small',
  },
};

export const INSTANCES_PER_APP = 3;

/** The keys `llmtrace cost` tries for the feature, in order (docs/architecture.md "`cost` and `stats` reports"). */
export const FEATURE_KEYS = [
  'app.feature',
  'feature',
  'ai.telemetry.functionId',
  'traceloop.workflow.name',
  'gen_ai.workflow.name',
  'gen_ai.agent.name',
  'langfuse.trace.name',
];

export const USERS = 4000;
export const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka'];
