/**
 * Requests under way in the receivers: their promises, so that close() can wait for them, and the
 * bytes of their bodies held in memory — being received, decoded, stored, or still read by the
 * view thread — under one cap (`tail --max-in-flight`; docs/architecture.md, "Bytes in flight").
 * A tail session shares one between its HTTP and gRPC receivers: the cap is on the process.
 */

/**
 * 40 MiB: two bodies of the default --max-body (20 MiB) at once, so the largest always fits. 60
 * concurrent 19 MB exports then peak at 520–524 MB RSS, against 525–625 MB with 64 MiB (three
 * bodies), at 52–60 s instead of 33–52 s for the burst (docs/architecture.md, "Bytes in flight",
 * 2026-12-07). One store worker writes the requests one after the other, so a third body in
 * flight mostly waits there, held in memory; the burst's goal is a bounded peak, not its speed.
 */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 40 * 1024 * 1024;

export class InFlight {
  private readonly running = new Set<Promise<unknown>>();
  private heldBytes = 0;

  constructor(readonly maxBytes: number = DEFAULT_MAX_IN_FLIGHT_BYTES) {}

  /** Bytes held by all requests now (0 once every request is answered and released). */
  get bytes(): number {
    return this.heldBytes;
  }

  track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    const forget = () => this.running.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Resolves once every tracked ingest settled (they always do: stores and workers answer). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /**
   * A hold on `bytes` for a new request (the body's declared length, or 0 when it is sent
   * chunked), or undefined when that would pass the cap.
   */
  reserve(bytes: number): BodyHold | undefined {
    if (this.heldBytes + bytes > this.maxBytes) return undefined;
    this.heldBytes += bytes;
    return new BodyHold(bytes, (delta) => {
      if (delta > 0 && this.heldBytes + delta > this.maxBytes) return false;
      this.heldBytes += delta;
      return true;
    });
  }
}

/** One request's share of the bytes in flight. */
export class BodyHold {
  private released = false;

  constructor(
    private held: number,
    private readonly change: (delta: number) => boolean,
  ) {}

  /**
   * Grows the hold to `bytes` when it holds less (a body arriving chunked, or inflating); false,
   * holding what it held, when that would pass the cap.
   */
  growTo(bytes: number): boolean {
    if (this.released || bytes <= this.held) return !this.released;
    if (!this.change(bytes - this.held)) return false;
    this.held = bytes;
    return true;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  /** Gives the bytes back; once only, so every path may call it. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.change(-this.held);
  }
}
