// @sentry/node 10 (on the OpenTelemetry SDK): its OpenAI, Anthropic and Google GenAI
// integrations, with an OTLP span processor added through `openTelemetrySpanProcessors`.
import * as Sentry from '@sentry/node';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AGENT, FEATURE, OTLP, TOOL, USER, anthropicClient, anthropicSteps, geminiClient, geminiSteps, openaiClient, openaiSteps } from './common.mjs';

const port = new URL(OTLP).port;
Sentry.init({
  dsn: `http://public@127.0.0.1:${port}/1`, // envelopes go to the capture receiver, which drops them
  tracesSampleRate: 1,
  sendDefaultPii: false,
  integrations: [Sentry.openAIIntegration(), Sentry.anthropicAIIntegration(), Sentry.googleGenAIIntegration()],
  openTelemetrySpanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${OTLP}/v1/traces` }))],
});

await Sentry.startSpan({ name: AGENT, op: 'gen_ai.invoke_agent', attributes: { 'app.feature': FEATURE, 'user.id': USER, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': AGENT } }, async () => {
  await openaiSteps(openaiClient(), (callId, run) =>
    Sentry.startSpan({ name: `execute_tool ${TOOL}`, op: 'gen_ai.execute_tool', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': TOOL, 'gen_ai.tool.call.id': callId } }, () => run()),
  );
  await anthropicSteps(anthropicClient());
  await geminiSteps(geminiClient());
});
await Sentry.flush(5000);
await Sentry.close(5000);
