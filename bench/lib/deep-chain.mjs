/**
 * One trace as deep as it has spans, as OTLP JSON: span 0 → 1 → … → n−1, each the parent of the
 * next, written deepest first. With `cycle`, span 0 is the child of the last (a parent cycle,
 * which `tree` cuts at one span). For the `tree` figure and the e2e test of deep traces
 * (docs/architecture.md, "Tree rendering depth"). Not under lib/gen/: every file there is part of
 * the generator's version, and a new version makes the harness regenerate every dataset.
 */
import { writeFileSync } from 'node:fs';

export function writeDeepChain(file, n, { cycle = false } = {}) {
  const traceId = 'ab'.repeat(16);
  const spanId = (i) => (i + 1).toString(16).padStart(16, '0');
  const spans = [];
  for (let i = n - 1; i >= 0; i--) {
    spans.push({
      traceId,
      spanId: spanId(i),
      parentSpanId: i ? spanId(i - 1) : cycle ? spanId(n - 1) : '',
      name: `step ${i}`,
      kind: 1,
      startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i) * 1000n),
      endTimeUnixNano: String(1_700_000_000_000_000_000n + 200_000_000_000n - BigInt(i) * 1000n),
    });
  }
  writeFileSync(file, JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));
}
