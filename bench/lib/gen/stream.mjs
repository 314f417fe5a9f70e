/**
 * Export order: spans leave each trace in end-time order (children before parents, as a
 * BatchSpanProcessor exports them), interleaved with the other traces running at the same time,
 * cut into batches of 50–200 spans, each batch shuffled, and nearby batches reordered (several
 * exporters and Collector workers). One trace's spans thus land in several shuffled batches.
 */
export function* exportBatches(rng, nextTrace, { concurrent = 24, minBatch = 50, maxBatch = 200, window = 6 } = {}) {
  const active = [];
  const refill = () => {
    while (active.length < concurrent) {
      const spans = nextTrace();
      if (!spans) return;
      spans.sort((a, b) => a.endUs - b.endUs);
      active.push({ spans, i: 0 });
    }
  };
  refill();
  let batch = [];
  let size = rng.int(minBatch, maxBatch);
  const pending = [];
  while (active.length) {
    const k = rng.int(0, active.length - 1);
    const a = active[k];
    const take = Math.min(rng.int(1, 4), a.spans.length - a.i);
    for (let j = 0; j < take; j++) batch.push(a.spans[a.i++]);
    if (a.i >= a.spans.length) {
      active[k] = active[active.length - 1];
      active.pop();
      refill();
    }
    if (batch.length >= size) {
      pending.push(rng.shuffle(batch));
      batch = [];
      size = rng.int(minBatch, maxBatch);
      if (pending.length >= window) yield pending.splice(rng.int(0, pending.length - 1), 1)[0];
    }
  }
  if (batch.length) pending.push(rng.shuffle(batch));
  rng.shuffle(pending);
  yield* pending;
}
