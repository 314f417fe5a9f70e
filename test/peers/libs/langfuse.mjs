// Langfuse JS SDK v5: @langfuse/openai's observeOpenAI over the openai client, agent and tool
// observations from @langfuse/tracing, exported by LangfuseSpanProcessor (its own OTLP exporter).
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { propagateAttributes, startActiveObservation } from '@langfuse/tracing';
import { observeOpenAI } from '@langfuse/openai';
import { AGENT, FEATURE, OTLP, TOOL, USER, openaiClient, openaiSteps } from './common.mjs';

const processor = new LangfuseSpanProcessor({ baseUrl: OTLP, publicKey: 'pk-lf-test', secretKey: 'sk-lf-test', exportMode: 'immediate' });
const provider = new NodeTracerProvider({ spanProcessors: [processor] });
provider.register();

const client = observeOpenAI(openaiClient());
await propagateAttributes({ traceName: FEATURE, userId: USER }, () =>
  startActiveObservation(
    AGENT,
    () =>
      openaiSteps(client, (callId, run) =>
        startActiveObservation(TOOL, (tool) => {
          const out = run();
          tool.update({ input: { callId }, output: out });
          return out;
        }, { asType: 'tool' }),
      ),
    { asType: 'agent' },
  ),
);
await provider.forceFlush();
await provider.shutdown();
