/**
 * collectGarbageSoon (runtime/heap.ts): a full collection after the current task, at most one
 * per interval however often it is asked for. Observed through a FinalizationRegistry, which
 * only runs once the collector has found its target unreachable.
 */
import { describe, expect, it } from 'vitest';
import { collectGarbageSoon } from '../../src/lib/runtime/heap.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with how many registered objects were finalized within `ms`. */
async function finalizedWithin(count: number, ms: number, ask: () => void): Promise<number> {
  let finalized = 0;
  const registry = new FinalizationRegistry(() => finalized++);
  // Old enough to be out of the young generation's quick reach: many allocations after them.
  for (let i = 0; i < count; i++) registry.register({ payload: new Array(1000).fill(i) }, i);
  ask();
  const until = Date.now() + ms;
  while (finalized < count && Date.now() < until) await sleep(20);
  return finalized;
}

describe('collectGarbageSoon', () => {
  it('collects unreachable objects once the current task is done', async () => {
    expect(await finalizedWithin(50, 2_000, () => collectGarbageSoon())).toBe(50);
  });

  it('coalesces requests: many calls, one collection per interval', async () => {
    let gcs = 0;
    const registry = new FinalizationRegistry(() => gcs++);
    const probe = () => registry.register({}, 0); // one fresh garbage object per collection to observe
    await sleep(300); // past the interval of the test above
    probe();
    for (let i = 0; i < 100; i++) collectGarbageSoon();
    await sleep(100);
    expect(gcs).toBe(1);
    probe();
    collectGarbageSoon(); // within the interval: waits for it
    await sleep(50);
    expect(gcs).toBe(1);
    await sleep(400);
    expect(gcs).toBe(2);
  });
});
