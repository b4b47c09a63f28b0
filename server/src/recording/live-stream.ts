/**
 * A meeting streamed live to an RTMP(S) server: the same composite as a
 * recording, rendered by an ffmpeg "composer" while the meeting goes on and
 * handed as MPEG-TS to the RtmpPublisher, which keeps the connection.
 *
 * The sound never stops: this process decodes and mixes everyone's audio
 * (audio/Mixer, with jitter buffers) on a steady 20 ms clock and pipes the
 * PCM to ffmpeg, so muting and unmuting change nothing. Each camera or
 * screen that sends reaches ffmpeg as whole frames in IVF over its own pipe.
 * ffmpeg's overlay waits for every picture input, so the picture's inputs
 * are fixed per run: when someone joins or leaves, turns a camera on or off
 * (or a picture stops coming for 3 s), the composer is started again with the
 * new layout a moment later, its timestamps going on from the last run's
 * (viewers see the picture pause for about a second, the connection stays).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { Mixer } from '../audio/mixer.js';
import type { Meeting } from '../meeting/meeting.js';
import { BACKGROUND, FRAME_RATE, pictureFilters } from './compose.js';
import { ivfFrame, ivfHeader } from './containers.js';
import { depacketizerFor, type FrameAssembler } from './depacketize.js';
import { CANVAS, layoutSegments } from './layout.js';
import { isRtcp, type MediaTap } from './media-tap.js';
import { redactStreamTarget } from '../webhooks/events.js';
import { MeetingTaps } from './meeting-taps.js';
import { RtmpPublisher } from './rtmp-publisher.js';
import { audioCodec, rtpView } from './rtp-payload.js';

const TICK_MS = 20;
const RELAYOUT_DELAY_MS = 1_500;
/** A picture silent this long is left out (its input would hold ffmpeg's overlay back). */
const PICTURE_SILENT_MS = 3_000;
/** A composer that fails (it should not) is started again after this long. */
const COMPOSER_RETRY_MS = 2_000;
/** Past this much audio waiting in ffmpeg's pipe, frames are dropped rather than queued. */
const MAX_QUEUED_AUDIO_BYTES = 48_000 * 2;
const FOREVER_MS = 1e12;

/** A camera or screen in the current run: its pipe and its frames' clock (from its first keyframe). */
interface PictureInput {
  pipe: Writable;
  firstTimestamp?: number;
  firstAtMs?: number;
  /** Frames are being dropped (ffmpeg fell behind) until a keyframe finds room again. */
  skipping?: boolean;
}

/** Past this much of one picture waiting in ffmpeg's pipe, its frames are dropped until a keyframe, rather than queued. */
const MAX_QUEUED_PICTURE_BYTES = 8 * 1024 * 1024;

export class LiveStream {
  readonly id = randomUUID();
  private readonly taps: MeetingTaps;
  private readonly mixer = new Mixer(48000);
  /** When each picture tap last gave a frame (ms). */
  private readonly lastFrame = new Map<MediaTap, number>();
  private pictures = new Map<MediaTap, PictureInput>();
  private child: ChildProcess | undefined;
  private runStartedAt = 0;
  private streamStartedAt = 0;
  private readonly publisher: RtmpPublisher;
  private relayoutTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private nextTickAt = 0;
  private ticks = 0;
  private workDir: string | undefined;
  /** The current ffmpeg is being ended on purpose (a new layout): the next starts at once. */
  private ending = false;
  private stopped = false;

  constructor(
    meeting: Meeting,
    private readonly url: string,
    private readonly logger: FastifyBaseLogger,
    private readonly hooks: { started: (streamId: string, target: string) => void },
  ) {
    this.publisher = new RtmpPublisher(url, logger);
    this.taps = new MeetingTaps(meeting, logger);
    this.taps.on('person', () => this.relayout());
    this.taps.on('left', () => this.relayout());
    this.taps.on('tap', (tap) => this.follow(tap));
  }

  start(): void {
    this.taps.start();
    this.publisher.start();
    this.streamStartedAt = performance.now();
    this.nextTickAt = performance.now();
    this.tick();
    void this.run();
    this.hooks.started(this.id, redactStreamTarget(this.url));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.relayoutTimer);
    clearTimeout(this.restartTimer);
    clearTimeout(this.tickTimer);
    this.taps.stop();
    await this.endRun();
    await this.publisher.stop();
    this.mixer.close();
    if (this.workDir) await rm(this.workDir, { recursive: true, force: true });
  }

  private follow(tap: MediaTap): void {
    if (tap.kind === 'audio') {
      const codec = audioCodec(tap.codec.mimeType);
      if (!codec) return;
      this.mixer.addInput(tap.source.producerId, codec, tap.codec.payloadType);
      tap.on('packet', (packet) => this.mixer.push(tap.source.producerId, packet, performance.now()));
      tap.once('closed', () => this.mixer.removeInput(tap.source.producerId));
      return;
    }
    // Frames are assembled even while the picture is not shown, so one that comes back is noticed.
    const assembler = depacketizerFor(tap.codec.mimeType);
    if (!assembler) return;
    tap.on('packet', (packet) => this.picture(tap, assembler, packet));
    tap.on('paused', () => this.relayout());
    tap.once('closed', () => {
      this.lastFrame.delete(tap);
      this.relayout();
    });
  }

  /** A video packet: now and then it completes a frame, which goes to ffmpeg if the picture is in this run. */
  private picture(tap: MediaTap, assembler: FrameAssembler, packet: Buffer): void {
    if (isRtcp(packet)) return;
    const view = rtpView(packet);
    const frame = view && assembler.push(view);
    if (!frame) return;
    if (!this.showing(tap)) this.relayout();
    this.lastFrame.set(tap, performance.now());
    const input = this.pictures.get(tap);
    // Each run's input starts at a keyframe (asked for when the run starts).
    if (!input || (input.firstTimestamp === undefined && !frame.keyframe)) return;
    input.firstTimestamp ??= frame.timestamp;
    input.firstAtMs ??= performance.now() - this.runStartedAt;
    if (input.pipe.writableLength > MAX_QUEUED_PICTURE_BYTES) {
      if (!input.skipping) tap.requestKeyFrame();
      input.skipping = true;
      return;
    }
    if (input.skipping && !frame.keyframe) return;
    input.skipping = false;
    const elapsed = ((frame.timestamp - input.firstTimestamp) >>> 0) / tap.codec.clockRate;
    input.pipe.write(ivfFrame(frame.data, input.firstAtMs + elapsed * 1000));
  }

  /** A picture is shown when its producer sends and a frame came lately. */
  private showing(tap: MediaTap): boolean {
    const last = this.lastFrame.get(tap);
    return !tap.closed && !tap.paused && last !== undefined && performance.now() - last < PICTURE_SILENT_MS;
  }

  /** The layout changed: ffmpeg starts again with the new one shortly (changes in between join the same restart). */
  private relayout(): void {
    if (this.stopped || this.relayoutTimer) return;
    this.relayoutTimer = setTimeout(() => {
      this.relayoutTimer = undefined;
      void this.endRun();
    }, RELAYOUT_DELAY_MS);
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    this.workDir ??= await mkdtemp(path.join(os.tmpdir(), 'parley-live-'));
    const shown = this.taps.open().filter((tap) => tap.kind === 'video' && this.showing(tap));
    const everyone: [number, number][] = [[0, FOREVER_MS]];
    const people = [...this.taps.names].map(([peerId, name]) => ({ peerId, name, intervals: everyone }));
    const videos = shown.map((tap) => ({ trackId: tap.source.producerId, peerId: tap.source.peerId, source: tap.source.source, intervals: everyone }));
    const segments = layoutSegments(people, videos, FOREVER_MS);
    const inputs = new Map(shown.map((tap, index) => [tap.source.producerId, `${index + 2}:v`]));
    const { lines, picture } = await pictureFilters(segments, inputs, '0:v', this.workDir);
    const script = path.join(this.workDir, 'graph.txt');
    await writeFile(script, lines.join(';\n'));
    if (this.stopped) return;
    const args = ['-hide_banner', '-loglevel', 'error', '-nostats'];
    args.push('-re', '-f', 'lavfi', '-i', `color=c=${BACKGROUND}:s=${CANVAS.width}x${CANVAS.height}:r=${FRAME_RATE}`);
    // Inputs wait while ffmpeg opens the others (each picture's first keyframe): their queues hold that long.
    args.push('-thread_queue_size', '512', '-f', 's16le', '-ar', '48000', '-ac', '1', '-i', 'pipe:0');
    shown.forEach((_, index) => args.push('-thread_queue_size', '512', '-f', 'ivf', '-i', `pipe:${index + 3}`));
    args.push('-filter_complex_script', script, '-map', `[${picture}]`, '-map', '1:a');
    args.push('-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', String(FRAME_RATE * 2), '-b:v', '2500k', '-maxrate', '2500k', '-bufsize', '5000k');
    args.push('-c:a', 'aac', '-b:a', '128k', '-ar', '44100');
    // This run's timestamps go on from where the stream is, so the publisher's output never goes back in time.
    args.push('-output_ts_offset', ((performance.now() - this.streamStartedAt) / 1000).toFixed(3), '-f', 'mpegts', 'pipe:1');
    const child = spawn('ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe', ...shown.map(() => 'pipe' as const)] });
    child.stdout!.on('data', (chunk: Buffer) => this.publisher.write(chunk));
    this.child = child;
    this.runStartedAt = performance.now();
    this.pictures = new Map(
      shown.map((tap, index) => {
        const pipe = child.stdio[index + 3] as Writable;
        pipe.on('error', () => {});
        pipe.write(ivfHeader(tap.codec.mimeType.toLowerCase() === 'video/vp8' ? 'VP80' : 'H264', CANVAS.width, CANVAS.height));
        tap.requestKeyFrame();
        return [tap, { pipe }];
      }),
    );
    child.stdin!.on('error', () => {});
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
    child.once('close', (code) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.pictures = new Map();
      const wanted = this.ending;
      this.ending = false;
      if (this.stopped) return;
      if (!wanted) this.logger.error({ code, error: errors.trim().split('\n').at(-1) }, 'the live stream\'s composer failed; starting it again');
      const delay = wanted ? 0 : COMPOSER_RETRY_MS;
      this.restartTimer = setTimeout(() => void this.run().catch((error: unknown) => this.logger.error({ err: error }, 'the live stream could not start')), delay);
    });
  }

  /** Ends the current ffmpeg (it finishes its output), which starts the next run unless stopped. */
  private async endRun(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    this.ending = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await closed;
    clearTimeout(timer);
  }

  /** The mixed sound, 20 ms at a time on a drift-free clock, to the running ffmpeg. */
  private tick(): void {
    if (this.stopped) return;
    this.nextTickAt += TICK_MS;
    const now = performance.now();
    if (now - this.nextTickAt > 5 * TICK_MS) this.nextTickAt = now;
    // Once a second: a shown picture that stopped coming holds ffmpeg back, so it leaves the layout.
    if (++this.ticks % (1000 / TICK_MS) === 0 && [...this.pictures.keys()].some((tap) => !this.showing(tap))) this.relayout();
    const frame = this.mixer.tick();
    const stdin = this.child?.stdin;
    if (stdin && stdin.writableLength < MAX_QUEUED_AUDIO_BYTES) stdin.write(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
    this.tickTimer = setTimeout(() => this.tick(), Math.max(0, this.nextTickAt - performance.now()));
  }
}

