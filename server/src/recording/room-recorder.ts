/**
 * One recording while it runs: every stream the meeting's taps receive is
 * written to a capture file as it comes, and the timeline notes who is
 * there under which name and when each stream starts, pauses and ends.
 * Nothing is decoded or mixed while the meeting goes on; finish-recording.ts
 * makes the files afterwards from what is on disk, so a crash loses at most
 * the last moments.
 */
import { mkdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Meeting } from '../meeting/meeting.js';
import { CaptureWriter } from './capture-file.js';
import type { MediaTap } from './media-tap.js';
import { MeetingTaps } from './meeting-taps.js';
import { TIMELINE_FILE, TimelineWriter } from './timeline.js';

export const CAPTURE_DIR = 'capture';
/** The timeline's modification time is renewed this often while recording, so a quiet recording (everyone muted) never looks abandoned. */
export const HEARTBEAT_MS = 60_000;
/** Streams one person may add to one recording (each becomes an input of the composition): past it, new ones are left out. */
const TRACKS_PER_PERSON = 32;

export class RoomRecorder {
  private readonly writers = new Set<CaptureWriter>();
  private trackCount = 0;
  private readonly tracksOf = new Map<string, number>();
  private readonly heartbeat: NodeJS.Timeout;
  private stopped = false;
  private failed = false;
  private readonly timeline: TimelineWriter;
  private readonly taps: MeetingTaps;

  private constructor(
    readonly id: string,
    readonly dir: string,
    meeting: Meeting,
    private readonly logger: FastifyBaseLogger,
    private readonly onFailure: (reason: string) => void,
  ) {
    this.timeline = new TimelineWriter(path.join(dir, TIMELINE_FILE));
    this.taps = new MeetingTaps(meeting, logger);
    this.taps.on('person', (peerId, name) => this.timeline.add({ type: 'peer', at: Date.now(), peerId, name }));
    this.taps.on('left', (peerId) => this.timeline.add({ type: 'peerLeft', at: Date.now(), peerId }));
    this.taps.on('tap', (tap) => this.record(tap));
    this.heartbeat = setInterval(() => {
      const now = new Date();
      void utimes(path.join(dir, TIMELINE_FILE), now, now).catch(() => {});
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  static async start(
    meeting: Meeting,
    dir: string,
    { id, tracks, node }: { id: string; tracks: boolean; node: string },
    logger: FastifyBaseLogger,
    onFailure: (reason: string) => void,
  ): Promise<RoomRecorder> {
    await mkdir(path.join(dir, CAPTURE_DIR), { recursive: true });
    const recorder = new RoomRecorder(id, dir, meeting, logger, onFailure);
    recorder.timeline.add({ type: 'recording', at: Date.now(), id, roomId: meeting.id, tracks, node });
    recorder.taps.start();
    return recorder;
  }

  /** Stops taking media and closes the files; the timeline ends with `stopped`. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.heartbeat);
    this.taps.stop();
    await Promise.all([...this.writers].map((writer) => writer.close()));
    this.timeline.add({ type: 'stopped', at: Date.now() });
  }

  private record(tap: MediaTap): void {
    const { source } = tap;
    const count = (this.tracksOf.get(source.peerId) ?? 0) + 1;
    this.tracksOf.set(source.peerId, count);
    if (count > TRACKS_PER_PERSON) {
      if (count === TRACKS_PER_PERSON + 1) this.logger.warn({ peerId: source.peerId }, 'one person started too many streams; the recording leaves out their new ones');
      tap.close();
      return;
    }
    const trackId = `${++this.trackCount}-${source.source}`;
    const writer = new CaptureWriter(path.join(this.dir, CAPTURE_DIR, `${trackId}.rtp`));
    this.writers.add(writer);
    this.timeline.add({ type: 'track', at: Date.now(), trackId, peerId: source.peerId, source: source.source, kind: tap.kind, codec: tap.codec, paused: tap.paused });
    tap.on('packet', (packet, arrivalMs) => {
      writer.write(packet, arrivalMs);
      if (writer.error) this.fail('the recording could not be written to disk; what it holds is kept', writer.error);
    });
    tap.on('paused', (paused) => this.timeline.add({ type: 'paused', at: Date.now(), trackId, paused }));
    tap.once('closed', () => {
      if (this.stopped) return;
      this.writers.delete(writer);
      void writer.close();
      this.timeline.add({ type: 'trackEnded', at: Date.now(), trackId });
    });
  }

  /** `reason` is for the hosts, in Parley's words; the system's own error goes to the log only. */
  private fail(reason: string, cause: Error): void {
    if (this.stopped || this.failed) return;
    this.failed = true;
    this.logger.error({ recordingId: this.id, err: cause }, 'recording failed');
    this.onFailure(reason);
  }
}
