// Logfire (@pydantic/logfire-node): configure() builds its NodeSDK with the pending-span
// processor and its OTLP/protobuf exporter; the OpenAI calls are traced by the official OpenAI
// instrumentation handed to it, the agent and tool by logfire.span.
import * as logfire from '@pydantic/logfire-node';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { AGENT, FEATURE, OTLP, TOOL, USER, openaiClient, openaiSteps } from './common.mjs';

logfire.configure({
  token: 'test-token',
  sendToLogfire: true,
  serviceName: 'peer-logfire',
  advanced: { baseUrl: OTLP },
  metrics: false,
  instrumentations: [new OpenAIInstrumentation()],
});

const client = openaiClient();
await logfire.span(AGENT, {
  attributes: { 'app.feature': FEATURE, 'user.id': USER },
  callback: () =>
    openaiSteps(client, (callId, run) =>
      logfire.span(TOOL, {
        attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': TOOL, 'gen_ai.tool.call.id': callId },
        callback: () => run(),
      }),
    ),
});
await logfire.forceFlush();
await logfire.shutdown();
