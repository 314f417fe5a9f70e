/**
 * OTLP/JSON metrics requests for `stats` over metrics: one GenAI client histogram point a
 * request, built from counts given by hand so the tests can compute the expected figures
 * themselves.
 */
export const T0 = Date.UTC(2026, 4, 1); // 2026-05-01T00:00:00Z
export const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);

export const DELTA = 1;
export const CUMULATIVE = 2;

export interface PointSpec {
  metric?: string;
  service?: string;
  model?: string;
  provider?: string;
  operation?: string;
  errorType?: string;
  tokenType?: string;
  temporality?: number;
  startMs?: number;
  timeMs: number;
  /** The point has no `timeUnixNano` (an exporter that never set it); `timeMs` still dates its start. */
  noTime?: boolean;
  bounds: number[];
  counts: number[];
  sum?: number;
  min?: number;
  max?: number;
  /** Further point attributes (key → string value). */
  extra?: Record<string, string>;
}

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });

export function metricsRequest(p: PointSpec): Record<string, unknown> {
  const attributes = [
    str('gen_ai.operation.name', p.operation ?? 'chat'),
    str('gen_ai.provider.name', p.provider ?? 'openai'),
    str('gen_ai.request.model', p.model ?? 'gpt-4o'),
    ...(p.errorType !== undefined ? [str('error.type', p.errorType)] : []),
    ...(p.tokenType !== undefined ? [str('gen_ai.token.type', p.tokenType)] : []),
    ...Object.entries(p.extra ?? {}).map(([k, v]) => str(k, v)),
  ];
  const metric = p.metric ?? 'gen_ai.client.operation.duration';
  return {
    resourceMetrics: [
      {
        resource: { attributes: [str('service.name', p.service ?? 'metrics-svc')] },
        scopeMetrics: [
          {
            scope: { name: 'test' },
            metrics: [
              {
                name: metric,
                unit: metric === 'gen_ai.client.token.usage' ? '{token}' : 's',
                histogram: {
                  aggregationTemporality: p.temporality ?? DELTA,
                  dataPoints: [
                    {
                      attributes,
                      startTimeUnixNano: ns(p.startMs ?? p.timeMs - 60_000),
                      ...(p.noTime ? {} : { timeUnixNano: ns(p.timeMs) }),
                      count: String(p.counts.reduce((a, b) => a + b, 0)),
                      sum: p.sum ?? 0,
                      bucketCounts: p.counts.map(String),
                      explicitBounds: p.bounds,
                      ...(p.min !== undefined ? { min: p.min } : {}),
                      ...(p.max !== undefined ? { max: p.max } : {}),
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

export const jsonl = (points: PointSpec[]) => points.map((p) => JSON.stringify(metricsRequest(p))).join('\n') + '\n';
