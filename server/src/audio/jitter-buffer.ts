/**
 * The jitter buffer of one incoming audio stream: packets go in as they
 * arrive, in any order; one 20 ms frame comes out per pull, in sequence
 * order, after a playout delay that absorbs the network's jitter.
 *
 * - Order: RTP sequence numbers, unwrapped past 65535 into a running count.
 *   Every packet is taken to carry 20 ms (what SIP phones and browsers send);
 *   a stream of 10, 30 or 60 ms packets plays at the wrong speed here, so
 *   the mixer refuses frames of another duration (see mixer.ts).
 * - Playout delay: playback starts once the buffer spans the target delay.
 *   The target starts at 60 ms and follows the interarrival jitter (RFC 3550,
 *   from arrival times against RTP timestamps), plus one frame for each
 *   recent packet that came too late to play, from 40 ms up to 200 ms. A
 *   late packet also grows the actual delay at once: the next pull returns
 *   'lost' without moving on (the caller conceals one extra frame).
 * - Late or duplicate packets are dropped, and counted.
 * - Clock drift: a sender whose clock runs fast fills the buffer beyond its
 *   target. When the depth stays more than one frame above the target for a
 *   second, one frame is dropped (and counted). A slow sender empties it;
 *   the pulls that find the next frame missing return 'lost' (concealed).
 * - Underrun: after 100 ms with nothing to play the buffer starts over and
 *   buffers up to the target again, returning 'empty' meanwhile (a paused
 *   stream, or one that stopped).
 * - Memory: at most `capacity` frames (50, one second); a packet further
 *   ahead than that moves playback forward, dropping the oldest frames.
 */

export interface JitterPacket {
  sequenceNumber: number;
  timestamp: number;
  payload: Uint8Array;
}

export type PullResult = Uint8Array | 'lost' | 'empty';

export interface JitterStats {
  /** Packets accepted into the buffer. */
  received: number;
  /** Packets dropped because their frame had already played, or was already buffered. */
  late: number;
  duplicate: number;
  /** Pulls that found their frame missing (the caller conceals these). */
  lost: number;
  /** Pulls that returned 'lost' to add a frame of delay after a late packet (not counted in `lost`). */
  stretched: number;
  /** Frames dropped to keep up with a sender whose clock runs fast. */
  droppedForDrift: number;
  /** Frames dropped because a packet arrived more than `capacity` frames ahead. */
  droppedForOverflow: number;
  /** Times playback started over after an underrun or a sequence jump. */
  rebuffers: number;
  /** Frames buffered ahead of playback now, and the target. */
  depth: number;
  targetDelayMs: number;
  /** RFC 3550 interarrival jitter, in ms. */
  jitterMs: number;
}

export interface JitterBufferOptions {
  clockRate: number;
  capacity?: number;
}

const FRAME_MS = 20;
const MIN_TARGET_FRAMES = 2;
const MAX_TARGET_FRAMES = 10;
/** The jitter estimate that makes the initial target 3 frames (60 ms). */
const INITIAL_JITTER_MS = 5;
/** Target = MIN + ceil(JITTER_MARGIN * jitter / 20 ms) + late boost. */
const JITTER_MARGIN = 4;
/** A late packet raises the target by a frame; each quiet 10 s lowers it by one again. */
const LATE_BOOST_DECAY_PULLS = 500;
const DRIFT_PATIENCE_PULLS = 50;
const UNDERRUN_PULLS = 5;
/** A sequence jump this large, either way, is a restarted stream rather than reordering. */
const RESTART_JUMP = 1000;

export class JitterBuffer {
  readonly capacity: number;
  private readonly clockRate: number;
  private readonly frames = new Map<number, Uint8Array>();
  /** Unwrapped sequence number of the next frame to play, once a packet has arrived. */
  private next: number | undefined;
  private highest = 0;
  private playing = false;
  private jitterMs = INITIAL_JITTER_MS;
  private lastTransitMs: number | undefined;
  private lateBoost = 0;
  private pullsSinceLate = 0;
  private pullsAboveTarget = 0;
  private emptyPulls = 0;
  private stretchPending = 0;
  private readonly counters = { received: 0, late: 0, duplicate: 0, lost: 0, stretched: 0, droppedForDrift: 0, droppedForOverflow: 0, rebuffers: 0 };

  constructor(options: JitterBufferOptions) {
    this.clockRate = options.clockRate;
    this.capacity = options.capacity ?? 50;
  }

  push(packet: JitterPacket, nowMs: number): void {
    const sequence = this.unwrap(packet.sequenceNumber);
    if (this.next === undefined || Math.abs(sequence - this.highest) > RESTART_JUMP) {
      if (this.next !== undefined) this.restart();
      this.next = sequence;
      this.highest = sequence;
    }
    if (sequence < this.next) {
      if (this.playing) return this.dropLate();
      // Before playback, an earlier packet extends the buffer backwards if it fits.
      if (this.highest - sequence >= this.capacity) return void this.counters.late++;
      this.next = sequence;
    }
    if (this.frames.has(sequence)) return void this.counters.duplicate++;
    if (sequence - this.next >= this.capacity) this.advanceTo(sequence - this.capacity + 1);
    this.frames.set(sequence, packet.payload);
    this.highest = Math.max(this.highest, sequence);
    this.counters.received++;
    this.updateJitter(packet.timestamp, nowMs);
  }

  /** The next frame's payload, 'lost' for a gap, or 'empty' while not playing. */
  pull(): PullResult {
    if (this.next === undefined) return 'empty';
    this.decayLateBoost();
    if (!this.playing) {
      if (this.depth() < this.targetFrames()) return 'empty';
      this.playing = true;
      this.emptyPulls = 0;
    }
    if (this.frames.size === 0) {
      if (++this.emptyPulls > UNDERRUN_PULLS) {
        this.restart();
        return 'empty';
      }
    } else {
      this.emptyPulls = 0;
      if (this.stretchPending > 0) {
        this.stretchPending--;
        this.counters.stretched++;
        return 'lost';
      }
    }
    const frame = this.take();
    this.correctDrift();
    if (frame !== undefined) return frame;
    this.counters.lost++;
    return 'lost';
  }

  stats(): JitterStats {
    return {
      ...this.counters,
      depth: this.depth(),
      targetDelayMs: this.targetFrames() * FRAME_MS,
      jitterMs: this.jitterMs,
    };
  }

  /** Frames buffered, for tests of the bound. */
  get size(): number {
    return this.frames.size;
  }

  /** Frames from the next to play to the newest received, gaps included. */
  private depth(): number {
    return this.next === undefined ? 0 : Math.max(0, this.highest - this.next + 1);
  }

  private targetFrames(): number {
    const fromJitter = MIN_TARGET_FRAMES + Math.ceil((JITTER_MARGIN * this.jitterMs) / FRAME_MS) + this.lateBoost;
    return Math.min(MAX_TARGET_FRAMES, Math.max(MIN_TARGET_FRAMES, fromJitter));
  }

  private take(): Uint8Array | undefined {
    const sequence = this.next!;
    const frame = this.frames.get(sequence);
    this.frames.delete(sequence);
    this.next = sequence + 1;
    return frame;
  }

  private correctDrift(): void {
    if (this.depth() > this.targetFrames() + 1) {
      if (++this.pullsAboveTarget < DRIFT_PATIENCE_PULLS) return;
      this.take();
      this.counters.droppedForDrift++;
    }
    this.pullsAboveTarget = 0;
  }

  private dropLate(): void {
    this.counters.late++;
    if (this.depth() + this.stretchPending < MAX_TARGET_FRAMES) this.stretchPending++;
    this.lateBoost = Math.min(MAX_TARGET_FRAMES, this.lateBoost + 1);
    this.pullsSinceLate = 0;
  }

  private decayLateBoost(): void {
    if (++this.pullsSinceLate < LATE_BOOST_DECAY_PULLS) return;
    this.pullsSinceLate = 0;
    this.lateBoost = Math.max(0, this.lateBoost - 1);
  }

  private advanceTo(sequence: number): void {
    for (let skipped = this.next!; skipped < sequence; skipped++) {
      if (this.frames.delete(skipped)) this.counters.droppedForOverflow++;
    }
    this.next = sequence;
  }

  /** Drops everything and buffers afresh from the next packet, as for a new SSRC. */
  reset(): void {
    if (this.next !== undefined) this.restart();
  }

  private restart(): void {
    this.frames.clear();
    this.next = undefined;
    this.playing = false;
    this.emptyPulls = 0;
    this.stretchPending = 0;
    this.pullsAboveTarget = 0;
    this.lastTransitMs = undefined;
    this.counters.rebuffers++;
  }

  /** The running sequence number nearest to the last one seen. */
  private unwrap(sequenceNumber: number): number {
    if (this.next === undefined) return sequenceNumber;
    const delta = ((sequenceNumber - (this.highest & 0xffff) + 0x18000) % 0x10000) - 0x8000;
    return this.highest + delta;
  }

  private updateJitter(timestamp: number, nowMs: number): void {
    const transitMs = nowMs - (timestamp / this.clockRate) * 1000;
    if (this.lastTransitMs !== undefined) {
      // Timestamps wrap at 2^32: fold the difference back into a sane range.
      const period = (2 ** 32 / this.clockRate) * 1000;
      let difference = transitMs - this.lastTransitMs;
      difference -= Math.round(difference / period) * period;
      this.jitterMs += (Math.abs(difference) - this.jitterMs) / 16;
    }
    this.lastTransitMs = transitMs;
  }
}
