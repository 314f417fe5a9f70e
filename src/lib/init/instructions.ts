/** How to point an app at `llmtrace tail`, per language (printed by `init`). */

export function instrumentationGuide(http = 'http://127.0.0.1:4318', grpc = 'http://127.0.0.1:4317'): string {
  return `Point your app at \`llmtrace tail\` (run it in another terminal: npx llmtrace tail)

Node.js (OTLP over HTTP/protobuf, the JS SDK's default):
  export OTEL_EXPORTER_OTLP_ENDPOINT=${http}
  export OTEL_SERVICE_NAME=my-app
  npm install @opentelemetry/sdk-node @opentelemetry/exporter-trace-otlp-proto @opentelemetry/instrumentation-openai
  node --import ./otel.mjs app.js     # otel.mjs starts NodeSDK with the OpenAI instrumentation

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
