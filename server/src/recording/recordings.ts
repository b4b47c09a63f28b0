/**
 * Recording and live streaming for this node's meetings (the meeting
 * layer's `Egress`), and the store of finished recordings: one directory
 * per recording under `<dir>/<room>/<recording>/`, finished one at a time
 * after it stops, listed with signed links that expire, and deleted after
 * the retention period.
 *
 * Nodes may share the directory (so any node lists and serves every
 * recording). A recording a crash interrupted is repaired by its own node
 * when it starts again (same PARLEY_NODE_ID), or by any node once its files
 * have not changed for STALE_MS (its node is gone for good); a lock file
 * makes sure only one node finishes it.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, rmdir, stat, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { signPath } from '../auth/signed-links.js';
import type { Egress, EgressKind } from '../meeting/egress.js';
import type { Meeting } from '../meeting/meeting.js';
import { SignallingError } from '../protocol/errors.js';
import type { RecordingInfo } from '../protocol/messages.js';
import type { WebhookEvent } from '../webhooks/events.js';
import { finishRecording, INFO_FILE, MANIFEST_FILE, OUTPUT_FILE, type Manifest, type RecordingSummary } from './finish-recording.js';
import { LiveStream } from './live-stream.js';
import { CAPTURE_DIR, HEARTBEAT_MS, RoomRecorder } from './room-recorder.js';
import { checkStreamTarget } from './stream-target.js';
import { TIMELINE_FILE } from './timeline.js';

export interface RecordingsOptions {
  dir: string;
  /** This node's id, written into each recording so that it repairs its own after a crash. */
  nodeId: string;
  /** Signs download links. */
  secret: string;
  /** The base of absolute links (webhooks), e.g. https://meet.example.com */
  publicBase: () => string;
  retentionDays: number;
  linkTtlHours: number;
  /** Below this much free space, no recording starts. */
  minFreeBytes: number;
  /** How many meetings this node records, and streams, at once. */
  maxRecordings: number;
  maxStreams: number;
  /** Hosts may stream to private and loopback addresses. */
  privateStreamTargets: boolean;
  logger: FastifyBaseLogger;
  /** Operators hear of recordings and streams through webhooks. */
  report: (event: WebhookEvent) => void;
}

const SWEEP_INTERVAL_MS = 3_600_000;
/** A recording nobody has written to for this long (its timeline is renewed every minute while it runs), and not finished, was abandoned by its node. */
const STALE_MS = 5 * HEARTBEAT_MS;
/** Held while a node finishes a recording. */
const LOCK_FILE = 'finishing.lock';
/** Written when a recording cannot be finished: its raw files are kept (until retention) and it is not tried again. */
const FAILED_FILE = 'failed.txt';
/** A lock older than this belonged to a node that died finishing. */
const STALE_LOCK_MS = 60 * 60_000;

interface Running {
  meeting: Meeting;
  recorder?: RoomRecorder;
  stream?: LiveStream;
  /** Stops following the meeting (nothing runs for it any more). */
  release: () => void;
}

/** A recording or stream of a meeting everyone has left ends after this long (someone may be reconnecting). */
const EMPTY_MEETING_MS = 30_000;
const EMPTY_CHECK_MS = 5_000;

export class Recordings implements Egress<Meeting> {
  private readonly running = new Map<string, Running>();
  /** Finishing runs one recording at a time: it is ffmpeg's heaviest work. */
  private finishing: Promise<void> = Promise.resolve();
  private waitingToFinish = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: RecordingsOptions) {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** Whether ffmpeg, which composes and streams, can be run. */
  static toolsPresent(): Promise<boolean> {
    return new Promise((resolve) => execFile('ffmpeg', ['-hide_banner', '-version'], (error) => resolve(!error)));
  }

  /** Finishes the recordings a crash interrupted, and deletes those past retention; then again every hour. In the background. */
  recover(): void {
    void this.sweep();
  }

  async startRecording(meeting: Meeting, { tracks }: { tracks: boolean }): Promise<void> {
    this.assertRoom('recorder', this.options.maxRecordings);
    await this.assertSpace();
    const id = randomUUID();
    const dir = path.join(this.options.dir, meeting.id, id);
    const entry = this.entry(meeting);
    try {
      entry.recorder = await RoomRecorder.start(meeting, dir, { id, tracks, node: this.options.nodeId }, this.options.logger.child({ recordingId: id }), (reason) => {
        void this.stopRecording(meeting.id, reason);
      });
    } catch (error) {
      this.forgetIfIdle(meeting.id, entry);
      this.options.logger.error({ err: error, dir }, 'a recording could not start');
      throw new SignallingError('unavailable', 'the recording could not start: the server cannot write to its recordings directory');
    }
    this.options.report({ type: 'recording.started', data: { roomId: meeting.id, recordingId: id, layout: tracks ? 'composite+tracks' : 'composite' } });
    this.options.logger.info({ roomId: meeting.id, recordingId: id }, 'recording started');
  }

  async startStreaming(meeting: Meeting, url: string): Promise<void> {
    this.assertRoom('stream', this.options.maxStreams);
    await checkStreamTarget(url, this.options.privateStreamTargets);
    const entry = this.entry(meeting);
    const stream = new LiveStream(meeting, url, this.options.logger.child({ stream: 'rtmp' }), {
      started: (streamId, target) => this.options.report({ type: 'stream.started', data: { roomId: meeting.id, streamId, target } }),
    });
    entry.stream = stream;
    stream.start();
  }

  async stop(roomId: string, kind: EgressKind): Promise<void> {
    if (kind === 'recording') await this.stopRecording(roomId);
    else await this.stopStreaming(roomId);
  }

  /** What runs here now, for /metrics. */
  counts(): { recordings: number; streams: number; recordingsFinishing: number } {
    const entries = [...this.running.values()];
    return {
      recordings: entries.filter((entry) => entry.recorder).length,
      streams: entries.filter((entry) => entry.stream).length,
      recordingsFinishing: this.waitingToFinish,
    };
  }

  async recordings(roomId: string): Promise<RecordingInfo[]> {
    const roomDir = path.join(this.options.dir, roomId);
    const ids = await readdir(roomDir).catch(() => []);
    const summaries = await Promise.all(ids.map((id) => this.summary(path.join(roomDir, id))));
    return summaries
      .filter((summary): summary is RecordingSummary => summary !== undefined)
      .sort((a, b) => b.startedAt - a.startedAt)
      .slice(0, 100)
      .map((summary) => this.describe(summary, false))
      .reduce<Promise<RecordingInfo[]>>(async (all, next) => [...(await all), await next], Promise.resolve([]));
  }

  /** Stops everything, waiting for captures to close (finishing goes on in the background of a next start). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.running.keys()].map((roomId) => Promise.all([this.stopRecording(roomId), this.stopStreaming(roomId)])));
  }

  private entry(meeting: Meeting): Running {
    let entry = this.running.get(meeting.id);
    if (!entry) {
      const stopAll = () => {
        void this.stopRecording(meeting.id);
        void this.stopStreaming(meeting.id);
      };
      // A meeting that closes on this node takes its recording and stream with it.
      const onEvent = (event: { type: string }) => event.type === 'closed' && stopAll();
      meeting.on('event', onEvent);
      // So does one that everyone, on every node, has left.
      let emptySince: number | undefined;
      const watchdog = setInterval(() => {
        if (meeting.roster.headcount() > 0) emptySince = undefined;
        else if (Date.now() - (emptySince ??= Date.now()) >= EMPTY_MEETING_MS) stopAll();
        // A disk filling up ends the recording while what it holds can still be finished.
        void this.freeBytes().then((free) => {
          if (free !== undefined && free < this.options.minFreeBytes) void this.stopRecording(meeting.id, 'the server ran low on disk space; the recording stopped, and what it holds is kept');
        });
      }, EMPTY_CHECK_MS);
      watchdog.unref();
      entry = {
        meeting,
        release: () => {
          meeting.off('event', onEvent);
          clearInterval(watchdog);
        },
      };
      this.running.set(meeting.id, entry);
    }
    return entry;
  }

  private async stopRecording(roomId: string, failure?: string): Promise<void> {
    const entry = this.running.get(roomId);
    const recorder = entry?.recorder;
    if (!entry || !recorder) return;
    delete entry.recorder;
    this.forgetIfIdle(roomId, entry);
    await recorder.stop();
    await entry.meeting.egressEnded('recording', failure);
    this.options.logger.info({ roomId, recordingId: recorder.id }, 'recording stopped; finishing it');
    this.finish(recorder.dir, entry.meeting);
  }

  private async stopStreaming(roomId: string): Promise<void> {
    const entry = this.running.get(roomId);
    const stream = entry?.stream;
    if (!entry || !stream) return;
    delete entry.stream;
    this.forgetIfIdle(roomId, entry);
    await stream.stop();
    this.options.report({ type: 'stream.stopped', data: { roomId, streamId: stream.id, reason: 'stopped' } });
    await entry.meeting.egressEnded('streaming');
  }

  private forgetIfIdle(roomId: string, entry: Running): void {
    if (entry.recorder || entry.stream) return;
    this.running.delete(roomId);
    entry.release();
  }

  /** Queues a stopped (or interrupted) recording for finishing; its hosts and the operator hear how it went. */
  private finish(dir: string, meeting: Meeting | undefined): void {
    const { logger, report } = this.options;
    this.waitingToFinish++;
    this.finishing = this.finishing.then(async () => {
      let lastLogged = 0;
      const lock = path.join(dir, LOCK_FILE);
      // Another node sharing the directory is on it.
      if (!(await writeFile(lock, this.options.nodeId, { flag: 'wx' }).then(() => true, () => false))) return;
      try {
        const summary = await finishRecording(dir, (fraction) => {
          if (fraction - lastLogged < 0.25) return;
          lastLogged = fraction;
          logger.info({ dir, done: `${Math.round(fraction * 100)} %` }, 'finishing a recording');
        });
        const info = await this.describe(summary, true);
        report({
          type: 'recording.finished',
          data: { roomId: summary.roomId, recordingId: summary.id, url: info.url, durationSeconds: summary.durationSeconds, sizeBytes: summary.sizeBytes, expiresAt: new Date(info.expiresAt).toISOString() },
        });
        if (meeting && !meeting.closed) meeting.recordingReady(await this.describe(summary, false));
        logger.info({ dir, seconds: summary.durationSeconds, bytes: summary.sizeBytes, repaired: summary.repaired }, 'recording ready');
      } catch (error) {
        logger.error({ err: error, dir }, 'a recording could not be finished');
        const id = path.basename(dir);
        const roomId = path.basename(path.dirname(dir));
        report({ type: 'recording.failed', data: { roomId, recordingId: id, reason: 'the recording could not be finished; its raw files are kept on the server' } });
        if (meeting && !meeting.closed) meeting.recordingFailed('the recording could not be finished; its raw files are kept on the server');
        await writeFile(path.join(dir, FAILED_FILE), error instanceof Error ? error.message : String(error)).catch(() => {});
      } finally {
        await rm(lock, { force: true });
      }
    }).finally(() => this.waitingToFinish--);
  }

  /** A recording as hosts see it, with its per-track files if it kept them: `absolute` links for webhooks, root-relative ones for the page. */
  private async describe(summary: RecordingSummary, absolute: boolean): Promise<RecordingInfo> {
    const expiresAt = Date.now() + this.options.linkTtlHours * 3_600_000;
    const link = (file: string) => {
      const signed = signPath(this.options.secret, `/recordings/${summary.roomId}/${summary.id}/${file}`, expiresAt);
      return absolute ? new URL(signed, this.options.publicBase()).toString() : signed;
    };
    const dir = path.join(this.options.dir, summary.roomId, summary.id);
    const manifest = await readFile(path.join(dir, MANIFEST_FILE), 'utf8').then((text) => JSON.parse(text) as Manifest, () => undefined);
    return {
      id: summary.id,
      startedAt: summary.startedAt,
      durationSeconds: summary.durationSeconds,
      sizeBytes: summary.sizeBytes,
      url: link(OUTPUT_FILE),
      expiresAt: Math.floor(expiresAt / 1000) * 1000,
      ...(manifest ? { tracks: manifest.tracks.map((track) => ({ name: track.name, source: track.source, startSeconds: Math.max(0, track.startSeconds), url: link(track.file) })) } : {}),
    };
  }

  private async summary(dir: string): Promise<RecordingSummary | undefined> {
    try {
      return JSON.parse(await readFile(path.join(dir, INFO_FILE), 'utf8')) as RecordingSummary;
    } catch {
      return undefined;
    }
  }

  /**
   * Whether a recording directory holds an interrupted recording this node
   * should finish: not running here, not finished, and either this node's
   * own (it restarted) or abandoned (nothing written for STALE_MS).
   */
  private async interrupted(dir: string): Promise<boolean> {
    if ([...this.running.values()].some((entry) => entry.recorder?.dir === dir)) return false;
    if (existsSync(path.join(dir, INFO_FILE)) || existsSync(path.join(dir, FAILED_FILE))) return false;
    const lock = await stat(path.join(dir, LOCK_FILE)).catch(() => undefined);
    if (lock && Date.now() - lock.mtimeMs < STALE_LOCK_MS) return false;
    if (lock) await rm(path.join(dir, LOCK_FILE), { force: true });
    const header = await readFile(path.join(dir, TIMELINE_FILE), 'utf8').then((text) => text.slice(0, text.indexOf('\n')), () => undefined);
    if (header === undefined) return false;
    if ((JSON.parse(header) as { node?: string }).node === this.options.nodeId) return true;
    const written = await stat(path.join(dir, TIMELINE_FILE)).then((info) => info.mtimeMs);
    const captures = await readdir(path.join(dir, CAPTURE_DIR)).catch(() => []);
    const times = await Promise.all(captures.map((file) => stat(path.join(dir, CAPTURE_DIR, file)).then((info) => info.mtimeMs, () => 0)));
    return Date.now() - Math.max(written, ...times) > STALE_MS;
  }

  /** Repairs what crashes interrupted and deletes what is past retention. */
  private async sweep(): Promise<void> {
    const cutoff = this.options.retentionDays > 0 ? Date.now() - this.options.retentionDays * 86_400_000 : -Infinity;
    for (const room of await readdir(this.options.dir).catch(() => [])) {
      for (const id of await readdir(path.join(this.options.dir, room)).catch(() => [])) {
        const dir = path.join(this.options.dir, room, id);
        const summary = await this.summary(dir);
        const failedAt = summary ? undefined : await stat(path.join(dir, FAILED_FILE)).then((info) => info.mtimeMs, () => undefined);
        if ((summary && summary.startedAt < cutoff) || (failedAt !== undefined && failedAt < cutoff)) {
          await rm(dir, { recursive: true, force: true });
          this.options.logger.info({ roomId: room, recordingId: id }, 'recording deleted after the retention period');
        } else if (!summary && (await this.interrupted(dir).catch(() => false))) {
          this.options.logger.warn({ dir }, 'repairing a recording that a crash interrupted');
          this.finish(dir, undefined);
        }
      }
      // The room's directory goes with its last recording.
      await rmdir(path.join(this.options.dir, room)).catch(() => {});
    }
  }

  /** Free space where recordings go, if the file system says. */
  private freeBytes(): Promise<number | undefined> {
    return statfs(this.options.dir).then((info) => info.bavail * info.bsize, () => undefined);
  }

  /** Refuses a start past this node's limit of recordings or streams. */
  private assertRoom(kind: 'recorder' | 'stream', limit: number): void {
    const running = [...this.running.values()].filter((entry) => entry[kind] !== undefined).length;
    if (running >= limit) {
      throw new SignallingError('unavailable', `this server is ${kind === 'recorder' ? 'recording' : 'streaming'} as many meetings as it can; try again later`);
    }
  }

  private async assertSpace(): Promise<void> {
    const { dir, minFreeBytes } = this.options;
    await mkdir(dir, { recursive: true });
    const free = await this.freeBytes();
    if (free !== undefined && free < minFreeBytes) {
      throw new SignallingError('unavailable', 'the server is low on disk space for recordings; ask its operator to free some');
    }
  }
}
