// LangSmith in OTel mode (LANGSMITH_TRACING_MODE=otel): wrapOpenAI and wrapGemini over the real
// clients, traceable() for the agent and the tool, exported by initializeOTEL's OTLP exporter.
process.env.LANGSMITH_TRACING = 'true';
process.env.LANGSMITH_TRACING_MODE = 'otel';
process.env.LANGSMITH_API_KEY = 'test';
const { AGENT, FEATURE, OTLP, TOOL, USER, geminiClient, geminiSteps, openaiClient, openaiSteps } = await import('./common.mjs');
const { initializeOTEL } = await import('langsmith/experimental/otel/setup');
const { traceable } = await import('langsmith/traceable');
const { wrapOpenAI } = await import('langsmith/wrappers/openai');
const { wrapGemini } = await import('langsmith/wrappers/gemini');

const { DEFAULT_LANGSMITH_SPAN_PROCESSOR: processor } = initializeOTEL({ exporterConfig: { url: `${OTLP}/otel/v1/traces` } });

const openai = wrapOpenAI(openaiClient());
const gemini = wrapGemini(geminiClient());
const runTool = traceable((callId, run) => run(), { name: TOOL, run_type: 'tool' });
const agent = traceable(
  async () => {
    await openaiSteps(openai, runTool);
    await geminiSteps(gemini);
  },
  { name: AGENT, run_type: 'chain', metadata: { 'app.feature': FEATURE, user_id: USER } },
);
await agent();
const { trace } = await import('@opentelemetry/api');
await processor?.forceFlush?.();
await trace.getTracerProvider().getDelegate?.().forceFlush?.();
await trace.getTracerProvider().getDelegate?.().shutdown?.();
