/**
 * Lobby changes told at a bounded rate: the first change goes out at once,
 * then at most one message per interval however fast people knock and
 * leave, and the latest state always goes out last.
 */
export class LobbyNotices {
  private pending: { timer: NodeJS.Timeout; again: boolean } | undefined;

  constructor(
    private readonly send: () => void,
    private readonly intervalMs: number,
  ) {}

  changed(): void {
    if (this.pending) {
      this.pending.again = true;
      return;
    }
    this.send();
    const timer = setTimeout(() => {
      const again = this.pending?.again;
      this.pending = undefined;
      if (again) this.changed();
    }, this.intervalMs);
    timer.unref();
    this.pending = { timer, again: false };
  }

  /** Nothing more goes out (the meeting closed). */
  stop(): void {
    clearTimeout(this.pending?.timer);
    this.pending = undefined;
  }
}
