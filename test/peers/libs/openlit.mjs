// openlit: Openlit.init builds its own tracer provider (the global one here has no
// addSpanProcessor) exporting OTLP/HTTP to the capture receiver, and patches openai and
// @anthropic-ai/sdk; the agent and tool spans come from the OpenTelemetry API.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { AGENT, FEATURE, OTLP, TOOL, USER, anthropicClient, anthropicSteps, openaiClient, openaiSteps, require } from './common.mjs';

const openlit = require('openlit').default;
openlit.init({ otlpEndpoint: OTLP, disableBatch: true, disableMetrics: true, disableEvents: true, applicationName: 'peer-openlit', pricingJson: {} });

const tracer = trace.getTracer('peer-openlit');
await tracer.startActiveSpan(AGENT, { attributes: { 'app.feature': FEATURE, 'user.id': USER } }, async (root) => {
  try {
    await openaiSteps(openaiClient(), (callId, run) =>
      tracer.startActiveSpan(`execute_tool ${TOOL}`, { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': TOOL, 'gen_ai.tool.call.id': callId } }, (span) => {
        const out = run();
        span.end();
        return out;
      }),
    );
    await anthropicSteps(anthropicClient());
  } catch (err) {
    root.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
    throw err;
  } finally {
    root.end();
  }
});
await new Promise((r) => setTimeout(r, 50));
const provider = trace.getTracerProvider().getDelegate?.() ?? trace.getTracerProvider();
await provider.forceFlush?.();
await provider.shutdown?.();
