/**
 * The connection to the RTMP(S) server, kept open for the whole stream: one
 * ffmpeg that copies an MPEG-TS fed on its stdin (H.264 and AAC, already
 * encoded) into FLV over RTMP. The picture's composer may restart when the
 * layout changes without the viewers' connection noticing. When the server
 * drops the connection, ffmpeg exits and is started again after 1 s, then
 * 2, 4, up to 15 s (back to 1 s after a minute connected); what the composer
 * sends meanwhile is dropped, and the new connection starts at the next
 * keyframe (every 2 s), whose headers come with it. A server that stops
 * answering counts as dropped. RTMPS checks the server's certificate (ffmpeg
 * does not by default), so the stream key goes only to the real server; nor
 * does the key reach the log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { FastifyBaseLogger } from 'fastify';
import { redactStreamTarget } from '../webhooks/events.js';

const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 15_000;
const STABLE_MS = 60_000;
/** Past this much waiting in ffmpeg's pipe (a stalled connection), chunks are dropped rather than queued. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** A connection that takes or gives nothing this long (a server that went silent) is dropped. */
const SILENT_SERVER_MS = 10_000;

export class RtmpPublisher {
  private child: ChildProcess | undefined;
  private startedAt = 0;
  private backoffMs = FIRST_BACKOFF_MS;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly logger: FastifyBaseLogger,
  ) {}

  start(): void {
    if (this.stopped) return;
    const args = ['-hide_banner', '-loglevel', 'error', '-nostats', '-f', 'mpegts', '-i', 'pipe:0', '-c', 'copy'];
    args.push('-tls_verify', '1', '-rw_timeout', String(SILENT_SERVER_MS * 1000), '-f', 'flv', '-flvflags', 'no_duration_filesize', this.url);
    const child = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child = child;
    this.startedAt = performance.now();
    child.stdin!.on('error', () => {});
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
    child.once('close', (code) => {
      if (this.child === child) this.child = undefined;
      if (this.stopped) return;
      if (performance.now() - this.startedAt > STABLE_MS) this.backoffMs = FIRST_BACKOFF_MS;
      // ffmpeg names the URL in its errors; the log gets it without its key.
      const error = errors.trim().split('\n').at(-1)?.replaceAll(this.url, redactStreamTarget(this.url));
      this.logger.warn({ code, error, retryInMs: this.backoffMs }, 'the live stream lost its server; connecting again');
      this.retry = setTimeout(() => this.start(), this.backoffMs);
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    });
  }

  /** Encoded MPEG-TS from the composer. */
  write(chunk: Buffer): void {
    const stdin = this.child?.stdin;
    if (stdin && !stdin.destroyed && stdin.writableLength < MAX_QUEUED_BYTES) stdin.write(chunk);
  }

  /** Ends the stream: ffmpeg finishes what it has and closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const child = this.child;
    if (!child) return;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await closed;
    clearTimeout(timer);
  }
}
