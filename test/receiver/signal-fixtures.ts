/** Logs and metrics requests built with our protobufjs types, covering every kind of field. */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type protobuf from 'protobufjs';
import { requestType } from '../../src/lib/otlp/signals.js';
import { storeFiles, type Signal } from '../../src/lib/store/layout.js';

const hex = (h: string) => Buffer.from(h, 'hex');
export const TRACE_ID = '5b8efff798038103d269b633813fc60c';
export const SPAN_ID = 'eee19b7ec3c1b174';
const kv = (key: string, value: Record<string, unknown>) => ({ key, value });
const resource = {
  attributes: [kv('service.name', { string_value: 'chat-svc' }), kv('host.cores', { int_value: 8 })],
  dropped_attributes_count: 1,
  entity_refs: [{ schema_url: 'https://x', type: 'service', id_keys: ['service.name'], description_keys: ['d'] }],
};
const scope = { name: 'gen-ai', version: '1.0', attributes: [kv('s', { bool_value: true })], dropped_attributes_count: 2 };

export function logsRequest(): protobuf.Message {
  return requestType('logs').fromObject({
    resource_logs: [
      {
        resource,
        schema_url: 'https://opentelemetry.io/schemas/1.30.0',
        scope_logs: [
          {
            scope,
            schema_url: 'https://scope',
            log_records: [
              {
                time_unix_nano: '1795315098123456789',
                observed_time_unix_nano: '1795315098123456999',
                severity_number: 9,
                severity_text: 'INFO',
                event_name: 'gen_ai.user.message',
                body: {
                  kvlist_value: {
                    values: [kv('content', { string_value: 'hi ✓' }), kv('n', { int_value: '-9223372036854775808' }), kv('e', {})],
                  },
                },
                attributes: [kv('gen_ai.system', { string_value: 'openai' }), kv('raw', { bytes_value: Buffer.from([0, 1, 255]) })],
                dropped_attributes_count: 3,
                flags: 1,
                trace_id: hex(TRACE_ID),
                span_id: hex(SPAN_ID),
              },
              {
                observed_time_unix_nano: '1795315098200000000',
                severity_number: 17,
                body: { array_value: { values: [{ double_value: 0.5 }, { double_value: Number.NaN }, { string_value: '' }, { double_value: -0 }] } },
                attributes: [kv('event.name', { string_value: 'gen_ai.choice' }), kv('index', { int_value: 0 })],
                trace_id: hex(TRACE_ID),
                span_id: hex(SPAN_ID),
              },
              { time_unix_nano: '1', body: { string_value: 'plain log line' } },
            ],
          },
        ],
      },
    ],
  });
}

export function metricsRequest(): protobuf.Message {
  const attrs = [kv('gen_ai.token.type', { string_value: 'input' })];
  const times = { start_time_unix_nano: '1795315090000000000', time_unix_nano: '1795315098000000000' };
  return requestType('metrics').fromObject({
    resource_metrics: [
      {
        resource,
        scope_metrics: [
          {
            scope,
            metrics: [
              { name: 'g', unit: '1', gauge: { data_points: [{ ...times, attributes: attrs, as_double: 1.5 }, { ...times, as_int: 0 }] } },
              {
                name: 'gen_ai.client.token.usage',
                description: 'tokens',
                unit: '{token}',
                sum: {
                  aggregation_temporality: 2,
                  is_monotonic: true,
                  data_points: [
                    { ...times, as_int: '9223372036854775807', flags: 1 },
                    { ...times, as_int: '-5' },
                  ],
                },
                metadata: [kv('m', { string_value: 'v' })],
              },
              {
                name: 'h',
                histogram: {
                  aggregation_temporality: 1,
                  data_points: [
                    {
                      ...times,
                      count: '6',
                      sum: 0,
                      min: -1,
                      max: 10,
                      bucket_counts: ['1', '0', '5'],
                      explicit_bounds: [0, 5],
                      exemplars: [{ time_unix_nano: '1795315097000000000', as_double: 2.5, trace_id: hex(TRACE_ID), span_id: hex(SPAN_ID), filtered_attributes: attrs }],
                    },
                  ],
                },
              },
              {
                name: 'eh',
                exponential_histogram: {
                  aggregation_temporality: 2,
                  data_points: [
                    {
                      ...times,
                      count: '7',
                      sum: 12.25,
                      scale: -3,
                      zero_count: '1',
                      zero_threshold: 1e-9,
                      positive: { offset: -2, bucket_counts: ['1', '2', '3'] },
                      negative: { offset: 0, bucket_counts: [] },
                    },
                  ],
                },
              },
              {
                name: 's',
                summary: {
                  data_points: [
                    { ...times, count: '3', sum: 9, quantile_values: [{ quantile: 0, value: 1 }, { quantile: 1, value: 5 }] },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

export async function readStoreLines(dir: string, signal: Signal): Promise<string[]> {
  const lines: string[] = [];
  for (const f of storeFiles(await readdir(dir), signal)) {
    const text = await readFile(path.join(dir, f.name), 'utf8');
    lines.push(...text.split('\n').filter((l) => l !== ''));
  }
  return lines;
}
