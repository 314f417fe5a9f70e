/** How to point an app at `llmtrace tail`, per language (printed by `init`). */

/**
 * The Node setup printed by init, complete and as it runs (test/e2e/init-guide.test.ts runs it
 * against tail): ESM apps need the loader hook registered before anything imports openai. No
 * blank line inside it: the printed block ends at the first one.
 */
export const OTEL_MJS = `// otel.mjs
import { register } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url); // for ESM apps
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'my-app' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())], // OTEL_EXPORTER_OTLP_ENDPOINT
});
provider.register();
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });
// Send what is buffered before the process ends.
process.once('beforeExit', () => provider.shutdown());
`;

export function instrumentationGuide(http = 'http://127.0.0.1:4318', grpc = 'http://127.0.0.1:4317'): string {
  return `Point your app at \`llmtrace tail\` (run it in another terminal: npx llmtrace tail)

Node.js (OTLP over HTTP/protobuf, the JS SDK's default):
  npm install @opentelemetry/api @opentelemetry/sdk-trace-node @opentelemetry/resources \\
    @opentelemetry/exporter-trace-otlp-proto @opentelemetry/instrumentation @opentelemetry/instrumentation-openai
  export OTEL_EXPORTER_OTLP_ENDPOINT=${http}
  export OTEL_SERVICE_NAME=my-app
  node --import ./otel.mjs app.js     # app.js (or .mjs) uses the openai package as usual

${OTEL_MJS}
Python (OTLP over gRPC, the Python SDK's default):
  export OTEL_EXPORTER_OTLP_ENDPOINT=${grpc}
  export OTEL_EXPORTER_OTLP_PROTOCOL=grpc
  export OTEL_SERVICE_NAME=my-app
  pip install opentelemetry-distro opentelemetry-exporter-otlp opentelemetry-instrumentation-openai-v2
  opentelemetry-instrument python app.py

Go (choose the exporter package; the HTTP one defaults to https, so say insecure):
  export OTEL_EXPORTER_OTLP_ENDPOINT=${http}
  export OTEL_EXPORTER_OTLP_INSECURE=true
  export OTEL_SERVICE_NAME=my-app
  # otlptracehttp.New(ctx) — or, for gRPC, otlptracegrpc.New(ctx) with ${grpc}

Any language: add app.feature=<name> to the span that starts a feature, so cost groups by it.
Prompts are sensitive: tail listens on 127.0.0.1 only and never prints them unless --show-content.
`;
}
