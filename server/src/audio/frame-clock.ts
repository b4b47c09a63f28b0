/**
 * A 20 ms clock for audio that Parley makes itself (a phone's mix, the
 * mix WHEP players hear): it ticks on a drift-free grid, and a late timer
 * catches up at once rather than slowing the stream; far behind (a stalled
 * process), it skips ahead rather than burst.
 */
import { FRAME_MS } from './codecs.js';

export class FrameClock {
  private timer: NodeJS.Timeout | undefined;
  private nextTickAt = 0;

  constructor(private readonly onTick: (now: number) => void) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer) return;
    this.nextTickAt = performance.now();
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.nextTickAt += FRAME_MS;
    this.timer = setTimeout(() => {
      const now = performance.now();
      if (now - this.nextTickAt > 5 * FRAME_MS) this.nextTickAt = now;
      this.onTick(now);
      if (this.timer) this.schedule();
    }, Math.max(0, this.nextTickAt - performance.now()));
  }
}
