import type protobuf from 'protobufjs';
export function officialTraceTypes(): { ExportTraceServiceRequest: protobuf.Type; ExportTraceServiceResponse: protobuf.Type };
