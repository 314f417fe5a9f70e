/** Hand-built Spans for unit tests: only what a scenario needs, the rest defaulted. */
import { emptyResource, emptyScope, finishSpan, newAttributes, type AttrValue, type Resource, type Span } from '../../src/lib/span.js';

const resource: Resource = { ...emptyResource(), attributes: Object.assign(newAttributes(), { 'service.name': 'test-svc' }) };
const scope = emptyScope();

export interface SpanSpec {
  trace?: string;
  id: string;
  parent?: string;
  name?: string;
  /** Start and end in milliseconds from an arbitrary epoch. */
  start?: number;
  end?: number;
  attrs?: Record<string, AttrValue | number>;
  status?: 0 | 1 | 2;
  kind?: number;
}

export const T0 = 1_795_315_098_000_000_000n;

/** Hex id of the right length from a short label, e.g. id('a') → '000…0a'. */
export function hexId(label: string, bytes: 8 | 16 = 8): string {
  const hex = Buffer.from(label).toString('hex');
  return hex.padStart(bytes * 2, '0').slice(-bytes * 2);
}

/** A Span with the given fields; every other field empty or zero. */
export function spanWith(fields: Partial<Span> & Pick<Span, 'traceId' | 'spanId'>): Span {
  return finishSpan({
    parentSpanId: '',
    traceState: '',
    name: 'span',
    kind: 1,
    startTimeUnixNano: T0,
    endTimeUnixNano: T0,
    attributes: newAttributes(),
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
    flags: 0,
    resource,
    scope,
    ...fields,
  });
}

export function span(spec: SpanSpec): Span {
  const attributes = newAttributes();
  for (const [k, v] of Object.entries(spec.attrs ?? {})) {
    attributes[k] = typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : (v as AttrValue);
  }
  const start = spec.start ?? 0;
  const end = spec.end ?? start + 10;
  return spanWith({
    traceId: hexId(spec.trace ?? 't1', 16),
    spanId: hexId(spec.id),
    parentSpanId: spec.parent ? hexId(spec.parent) : '',
    name: spec.name ?? spec.id,
    kind: spec.kind ?? 1,
    startTimeUnixNano: T0 + BigInt(Math.round(start * 1e6)),
    endTimeUnixNano: T0 + BigInt(Math.round(end * 1e6)),
    attributes,
    status: { code: spec.status ?? 0, message: '' },
  });
}

export function llm(id: string, parent: string | undefined, model: string, input: number, output: number, extra: Record<string, AttrValue | number> = {}, start = 0): Span {
  return span({
    id,
    parent,
    name: `chat ${model}`,
    start,
    end: start + 20,
    kind: 3,
    attrs: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': model,
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': output,
      ...extra,
    },
  });
}
