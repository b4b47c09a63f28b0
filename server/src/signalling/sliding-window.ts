/**
 * Counts events over a sliding time window: `hit()` is true once more than
 * `limit` events happened within the last `windowMs`. It keeps the times of
 * the last `limit` events (a ring, allocated on the first event), so the
 * answer is exact whatever the spacing of the events.
 */
export class SlidingWindowCounter {
  private times: Float64Array | undefined;
  private next = 0;
  private count = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  hit(): boolean {
    const now = this.now();
    this.times ??= new Float64Array(this.limit);
    // The slot about to be overwritten holds the time of the event `limit` events ago.
    const oldest = this.times[this.next]!;
    const full = this.count === this.limit;
    this.times[this.next] = now;
    this.next = (this.next + 1) % this.limit;
    if (!full) this.count++;
    // This event and the `limit` before it: more than `limit` within the window.
    return full && now - oldest < this.windowMs;
  }
}
