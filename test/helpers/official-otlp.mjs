/**
 * The official OTLP trace messages, from opentelemetry-proto's own .proto files as
 * @elastic/mockotlpserver (a devDependency) ships them. Tests, the bench generator and the
 * recording scripts encode and decode trace requests with these, so what they check llmtrace's
 * reader against does not come from llmtrace's own schema (src/lib/otlp/schema.ts keeps only
 * what the receivers answer with, and logs and metrics: docs/architecture.md, "One OTLP reader
 * and writer"). keepCase: snake_case field names, as llmtrace's schema uses them.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';

const PROTO_ROOT = path.dirname(createRequire(import.meta.url).resolve('@elastic/mockotlpserver/package.json'));

let cached;

/** `{ ExportTraceServiceRequest, ExportTraceServiceResponse }` as protobufjs Types. */
export function officialTraceTypes() {
  if (cached) return cached;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(PROTO_ROOT, target);
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: true });
  // This copy predates Resource.entity_refs (field 3, added to opentelemetry-proto later), which
  // llmtrace's reader reads as protobufjs reads a declared message field: added as the current
  // files have it.
  const entityRef = new protobuf.Type('EntityRef')
    .add(new protobuf.Field('schema_url', 1, 'string'))
    .add(new protobuf.Field('type', 2, 'string'))
    .add(new protobuf.Field('id_keys', 3, 'string', 'repeated'))
    .add(new protobuf.Field('description_keys', 4, 'string', 'repeated'));
  root.lookup('opentelemetry.proto.common.v1').add(entityRef);
  root.lookupType('opentelemetry.proto.resource.v1.Resource').add(new protobuf.Field('entity_refs', 3, 'opentelemetry.proto.common.v1.EntityRef', 'repeated'));
  root.resolveAll();
  const type = (name) => root.lookupType(`opentelemetry.proto.collector.trace.v1.${name}`);
  cached = { ExportTraceServiceRequest: type('ExportTraceServiceRequest'), ExportTraceServiceResponse: type('ExportTraceServiceResponse') };
  return cached;
}
