/**
 * The view thread of `tail --quiet` fed stored exports (show): it may lag behind the answers by
 * at most MAX_SHOW_BACKLOG exports, and counts every one. The worker runs the sources
 * (test/setup/ts-hooks.mjs).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { MAX_SHOW_BACKLOG, ViewThread } from '../../src/lib/live/view-thread.js';

describe('view thread: shows of stored exports', () => {
  it('lag behind by at most MAX_SHOW_BACKLOG, and every export is counted', async () => {
    const view = new ViewThread({ filters: {} });
    const body = new Uint8Array(readFileSync('fixtures/shared/captures/manual-agent-http-proto.bin'));
    const req = { signal: 'traces', protocol: 'http', encoding: 'protobuf', body, contentType: 'application/x-protobuf', receivedAt: new Date(0) } as const;
    const n = MAX_SHOW_BACKLOG * 3;
    let answered = 0;
    const shows = Array.from({ length: n }, () => view.show(req).then(() => answered++));
    expect(view.backlog).toBe(MAX_SHOW_BACKLOG);
    await Promise.resolve();
    expect(answered).toBeLessThanOrEqual(MAX_SHOW_BACKLOG); // the rest wait for a place
    await Promise.all(shows);
    expect(answered).toBe(n);
    await view.finish(); // queued behind every show
    expect(view.totals.requests.traces).toBe(n);
    expect(view.totals.spans).toBeGreaterThan(0);
    expect(view.backlog).toBe(0);
  });
});
