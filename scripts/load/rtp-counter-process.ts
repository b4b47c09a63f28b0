/**
 * Takes bots' RTP counting out of Node into rtp-counter.c, one process per
 * batch of sockets: Node stops reading the sockets werift opened, the
 * counter inherits them, counts RTP headers with recvmmsg at a fraction of
 * Node's cost per packet, and passes every other datagram (STUN consent,
 * DTLS, RTCP) back here to werift. The counter is built with the system's C
 * compiler on first use (the mediasoup worker build needs one too) and
 * cached by the source's hash. It ends when its stdin closes, so it cannot
 * outlive this process.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { access, mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { withDeadline } from '../../server/testkit/wait.js';
import type { HandableSocket } from './rtp-header-tap.js';

const SOURCE = fileURLToPath(new URL('./rtp-counter.c', import.meta.url));
const BUILD_TIMEOUT_MS = 60_000;
const REPORT_TIMEOUT_MS = 10_000;
const RECORD_BYTES = 18;

/** Builds the counter if this version of its source has not been built yet; returns the binary's path. */
async function buildCounter(): Promise<string> {
  const source = await readFile(SOURCE);
  const binary = `${os.tmpdir()}/parley-rtp-counter-${createHash('sha256').update(source).digest('hex').slice(0, 16)}`;
  if (await access(binary).then(() => true, () => false)) return binary;
  await mkdir(os.tmpdir(), { recursive: true });
  await promisify(execFile)('cc', ['-O2', '-Wall', '-o', binary, SOURCE], { timeout: BUILD_TIMEOUT_MS }).catch((error: Error) => {
    throw new Error(`building the RTP counter (${SOURCE}) needs a C compiler, cc: ${error.message}`);
  });
  return binary;
}

/** Stops Node reading `socket` and returns its file descriptor. dgram offers no public way to do either. */
function takeOverReading(socket: Socket): number {
  const state = Object.getOwnPropertySymbols(socket)
    .map((symbol) => (socket as unknown as Record<symbol, unknown>)[symbol])
    .find((value): value is { handle: { fd: number; recvStop(): void }; receiving: boolean } => typeof (value as any)?.handle?.recvStop === 'function');
  if (!state || !(state.handle.fd > 2)) throw new Error("cannot reach a dgram socket's handle and descriptor: Node's dgram internals changed");
  state.handle.recvStop();
  state.receiving = false;
  return state.handle.fd;
}

export class RtpCounterProcess {
  private pending: Buffer = Buffer.alloc(0);
  private readonly reported = new Map<string, { packets: number; lost: number; bytes: number }>();
  private awaitingReport: ((records: Buffer) => void) | undefined;

  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly sockets: HandableSocket[],
  ) {
    child.stdout.on('data', (chunk: Buffer) => this.read(chunk));
  }

  /** Packets counted, as of the last report. */
  get packets(): number {
    let sum = 0;
    for (const counts of this.reported.values()) sum += counts.packets;
    return sum;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Hands `sockets` to a new counter process. */
  static async start(sockets: HandableSocket[]): Promise<RtpCounterProcess> {
    if (sockets.length === 0) throw new Error('no sockets to hand to an RTP counter');
    const binary = await buildCounter();
    const fds = sockets.map((tapped) => takeOverReading(tapped.socket));
    const child = spawn(binary, [String(fds.length)], { stdio: ['pipe', 'pipe', 'inherit', ...fds] }) as ChildProcessByStdio<Writable, Readable, null>;
    child.stdin.on('error', () => {}); // it died: report() says so
    return new RtpCounterProcess(child, sockets);
  }

  /** Asks for the counts so far and adds what is new to each bot's streams. */
  async report(): Promise<void> {
    const records = await withDeadline(
      new Promise<Buffer>((resolve) => {
        this.awaitingReport = resolve;
        this.child.stdin.write('r');
      }),
      REPORT_TIMEOUT_MS,
      `RTP counter ${this.pid} to report (exit code ${this.child.exitCode})`,
    );
    for (let at = 0; at + RECORD_BYTES <= records.length; at += RECORD_BYTES) {
      const socket = records.readUInt16LE(at);
      const ssrc = records.readUInt32LE(at + 2);
      const now = { packets: records.readUInt32LE(at + 6), lost: records.readUInt32LE(at + 10), bytes: records.readUInt32LE(at + 14) };
      const key = `${socket}:${ssrc}`;
      const before = this.reported.get(key) ?? { packets: 0, lost: 0, bytes: 0 };
      this.reported.set(key, now);
      this.sockets[socket]?.add({ ssrc, packets: now.packets - before.packets, lost: now.lost - before.lost, bytes: now.bytes - before.bytes });
    }
  }

  stop(): void {
    this.child.stdin.end();
  }

  private read(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 5) {
      const length = this.pending.readUInt32LE(1);
      if (this.pending.length < 5 + length) return;
      const type = String.fromCharCode(this.pending[0]!);
      const body = this.pending.subarray(5, 5 + length);
      this.pending = this.pending.subarray(5 + length);
      if (type === 'd') {
        const address = `${body[4]}.${body[5]}.${body[6]}.${body[7]}`;
        this.sockets[body.readUInt16LE(0)]?.deliver(Buffer.from(body.subarray(8)), [address, body.readUInt16BE(2)]);
      } else if (type === 's') {
        this.awaitingReport?.(Buffer.from(body));
        this.awaitingReport = undefined;
      }
    }
  }
}
