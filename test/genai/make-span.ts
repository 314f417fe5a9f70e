import { emptyResource, emptyScope, newAttributes, StatusCode, type AttrValue, type Span } from '../../src/lib/span.js';
import { spanWith } from '../helpers/span-factory.js';

export interface SpanOptions {
  name?: string;
  kind?: number;
  status?: { code: number; message?: string };
  resource?: Record<string, AttrValue>;
  scopeName?: string;
}

/** A small hand-built span. Ints are bigint, doubles number, as the decoders produce them. */
export function makeSpan(attrs: Record<string, AttrValue> | Array<[string, AttrValue]>, opts: SpanOptions = {}): Span {
  const attributes = newAttributes();
  const entries = Array.isArray(attrs) ? attrs : Object.entries(attrs);
  for (const [k, v] of entries) attributes[k] = v;
  const resource = emptyResource();
  for (const [k, v] of Object.entries(opts.resource ?? {})) resource.attributes[k] = v;
  const scope = emptyScope();
  scope.name = opts.scopeName ?? '';
  return spanWith({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    name: opts.name ?? 'span',
    kind: opts.kind ?? 1,
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_000_250_000_000n,
    attributes,
    status: { code: opts.status?.code ?? StatusCode.UNSET, message: opts.status?.message ?? '' },
    resource,
    scope,
  });
}
