import type { Attributes, Resource, Span } from '../../src/lib/span.js';

/** What a reader read of spans' attributes: span keys and resource keys apart. */
export interface ReadKeys {
  span: Set<string>;
  resource: Set<string>;
}

/**
 * The spans with every attribute read recorded in `read` (through a Proxy). Enumerating an
 * attribute map throws `enumerated`: a reader that lists keys cannot be covered by a list of keys.
 */
export function watchedSpans(spans: readonly Span[], read: ReadKeys, enumerated: string): Span[] {
  const watch = (a: Attributes, into: Set<string>) =>
    new Proxy(a, {
      get(t, k, r) {
        if (typeof k === 'string') into.add(k);
        return Reflect.get(t, k, r);
      },
      has(t, k) {
        if (typeof k === 'string') into.add(k);
        return Reflect.has(t, k);
      },
      ownKeys() {
        throw new Error(enumerated);
      },
    });
  const resources = new Map<Resource, Resource>();
  return spans.map((s) => {
    let r = resources.get(s.resource);
    if (r === undefined) resources.set(s.resource, (r = { ...s.resource, attributes: watch(s.resource.attributes, read.resource) }));
    return { ...s, attributes: watch(s.attributes, read.span), resource: r };
  });
}
