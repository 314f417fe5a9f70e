#!/usr/bin/env node
// The official OpenAI instrumentation's GenAI client metrics, for real: a MeterProvider with a
// collecting reader, the instrumentation registered with it, the real `openai` client against the
// mock server (three chat calls, one answered with HTTP 429, one streamed), serialized by the
// official OTLP/JSON metrics serializer — the request body an app's exporter would send.
//
//   node test/peers/emit-metrics.mjs --url <baseURL> --out <file> [--temporality cumulative|delta]
// One run per process: the instrumentation patches `openai` globally.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { FAIL_429_MODEL } from './openai-server.mjs';

const require = createRequire(import.meta.url);
const { values } = parseArgs({ options: { url: { type: 'string' }, out: { type: 'string' }, temporality: { type: 'string', default: 'cumulative' } } });

/** A reader that exports only when asked (collect()), with the temporality asked for. */
class CollectingReader extends MetricReader {
  constructor(temporality) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  async onForceFlush() {}
  async onShutdown() {}
}

const reader = new CollectingReader(values.temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE);
const meterProvider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'peer-official-metrics' }), readers: [reader] });
const { OpenAIInstrumentation } = await import('@opentelemetry/instrumentation-openai');
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()], meterProvider });

const { OpenAI } = require('openai'); // after registering: the require hook patches it
const client = new OpenAI({ baseURL: values.url, apiKey: 'test', maxRetries: 0 });
const messages = [{ role: 'user', content: 'How do I trace LLM calls?' }];
await client.chat.completions.create({ model: 'gpt-4o', messages });
await client.chat.completions.create({ model: 'gpt-4o', messages });
await client.chat.completions.create({ model: FAIL_429_MODEL, messages }).then(
  () => { throw new Error('expected HTTP 429'); },
  (err) => { if (err?.status !== 429) throw err; },
);
const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
for await (const _chunk of stream) {
  // drain
}
await new Promise((r) => setTimeout(r, 20)); // let the stream wrapper record
const { resourceMetrics, errors } = await reader.collect();
if (errors.length) throw errors[0];
writeFileSync(values.out, JsonMetricsSerializer.serializeRequest(resourceMetrics));
await meterProvider.shutdown();
