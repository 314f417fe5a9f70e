/**
 * Real spans from the OpenTelemetry JS SDK (sdk-trace-base + InMemorySpanExporter), serialized
 * by the official otlp-transformer serializers: the bytes real exporters send.
 */
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

export function makeSdkSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'sdk-test', 'service.version': '1.2.3', 'host.cores': 2 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('llmtrace-test', '0.0.1');
  const root = tracer.startSpan('agent.research', { kind: SpanKind.INTERNAL, attributes: { 'app.feature': 'research' } });
  const ctx = trace.setSpan(context.active(), root);
  const chat = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 23,
        'gen_ai.usage.output_tokens': 12,
        'gen_ai.usage.cache_read.input_tokens': 11,
        'gen_ai.request.temperature': 0.5,
        'gen_ai.request.stream': false,
        'gen_ai.response.finish_reasons': ['stop', 'length'],
        'big.int': 9007199254740993, // above 2^53: the SDK holds a double; it must survive as sent
        'neg.int': -42,
        'ints': [1, 2, 3],
        'unicode': 'héllo ✓ 世界',
      },
    },
    ctx,
  );
  chat.addEvent('gen_ai.choice', { index: 0 });
  chat.addLink({ context: root.spanContext(), attributes: { 'link.kind': 'root' } });
  chat.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
  chat.end();
  root.end();
  return exporter.getFinishedSpans();
}

export function sdkProtobuf(spans: ReadableSpan[]): Uint8Array {
  return ProtobufTraceSerializer.serializeRequest(spans)!;
}

export function sdkJson(spans: ReadableSpan[]): Uint8Array {
  return JsonTraceSerializer.serializeRequest(spans)!;
}
