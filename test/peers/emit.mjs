#!/usr/bin/env node
// Run the agent scenario under ONE real LLM instrumentation library (one library per process) and
// write the finished spans as OTLP request bodies made by the official serializers.
//
//   node test/peers/emit.mjs <official|openllmetry|openinference|vercel> --url <baseURL>
//        [--json <file>] [--proto <file>] [--export <OTLP/HTTP traces URL>] [--scenario agent|error]
// --export also sends the spans with the official OTLP/HTTP protobuf exporter, as an app would.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { runScenario } from './run-instrumented.mjs';
import { MORE_LIBS, runLib } from './run-libs.mjs';
import { LIBS } from './scenario.mjs';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    json: { type: 'string' },
    proto: { type: 'string' },
    export: { type: 'string' },
    scenario: { type: 'string', default: 'agent' },
  },
});
const lib = positionals[0];
if (!(LIBS.includes(lib) || MORE_LIBS.includes(lib)) || !values.url || !['agent', 'error'].includes(values.scenario)) {
  console.error(`usage: emit.mjs <${[...LIBS, ...MORE_LIBS].join('|')}> --url <baseURL> [--json f] [--proto f] [--scenario agent|error]`);
  process.exit(2);
}
try {
  const run = MORE_LIBS.includes(lib) ? runLib : runScenario;
  const spans = await run(lib, { baseURL: values.url, scenario: values.scenario });
  if (values.json) writeFileSync(values.json, JsonTraceSerializer.serializeRequest(spans));
  if (values.proto) writeFileSync(values.proto, ProtobufTraceSerializer.serializeRequest(spans));
  if (values.export) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    const exporter = new OTLPTraceExporter({ url: values.export });
    await new Promise((resolve, reject) =>
      exporter.export(spans, (r) => (r.code === 0 ? resolve(undefined) : reject(r.error ?? new Error('export failed')))),
    );
    await exporter.shutdown();
  }
} catch (err) {
  console.error(err?.stack ?? err);
  process.exit(1);
}
