/**
 * Nobody sends into a recorded meeting without having been told it is
 * recorded. Told means: the pre-join page said so, the meeting announced
 * the recording while this person was in it, or they were asked here and
 * chose to continue. Anyone else is asked once (`ask`), and their camera
 * and microphone wait for the answer; receiving does not. When the meeting
 * does not record, or they were told, `maySend` answers at once, without
 * a promise, so the usual join waits for nothing.
 */
export class RecordingNotice {
  private asking: Promise<boolean> | undefined;

  constructor(
    private told: boolean,
    /** Asks the person; true to continue, false to leave. */
    private readonly ask: () => Promise<boolean>,
  ) {}

  /** The person has seen that the meeting records. */
  markTold(): void {
    this.told = true;
  }

  /** Whether this person may send into a meeting that records (`recording`) or not: true at once, or once they chose; false if they chose to leave. */
  maySend(recording: boolean): true | Promise<boolean> {
    if (!recording || this.told) return true;
    this.asking ??= this.ask().then(
      (proceed) => {
        this.asking = undefined;
        if (proceed) this.told = true;
        return proceed;
      },
      () => {
        this.asking = undefined;
        return false;
      },
    );
    return this.asking;
  }
}
