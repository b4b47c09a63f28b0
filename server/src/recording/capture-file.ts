/**
 * A tapped stream's packets on disk, as they arrived: the raw material of a
 * recording. The file only ever grows, one self-contained record at a time
 * (kind, length, arrival time, packet), so a process killed mid-write leaves
 * every earlier record readable; the reader stops at a torn last record.
 *
 *   record := kind:u8 (1 RTP, 2 RTCP) · length:u16be · arrivalMs:f64be · packet
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { isRtcp } from './media-tap.js';

const HEADER_BYTES = 11;
const READ_CHUNK_BYTES = 1 << 20;
/** Past this much waiting for the disk (a stalled volume), the capture fails rather than holding the media in memory. */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;

export interface CapturedPacket {
  rtcp: boolean;
  arrivalMs: number;
  packet: Buffer;
}

/** How long closing waits for the disk. */
const CLOSE_TIMEOUT_MS = 10_000;

export class CaptureWriter {
  private readonly stream: WriteStream;
  private failure: Error | undefined;
  bytes = 0;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  /** The first write error, if any: the recording then says it failed rather than losing media silently. */
  get error(): Error | undefined {
    return this.failure;
  }

  write(packet: Buffer, arrivalMs: number): void {
    if (this.failure || packet.length > 0xffff) return;
    if (this.stream.writableLength > MAX_PENDING_BYTES) {
      this.failure = new Error('the disk did not keep up with the media');
      return;
    }
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header.writeUInt8(isRtcp(packet) ? 2 : 1, 0);
    header.writeUInt16BE(packet.length, 1);
    header.writeDoubleBE(arrivalMs, 3);
    this.stream.write(Buffer.concat([header, packet]));
    this.bytes += HEADER_BYTES + packet.length;
  }

  /** Flushes and closes; a disk that takes no more for CLOSE_TIMEOUT_MS is given up on (the error says so), so stopping never hangs. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.failure ??= new Error('the disk did not take the end of the recording');
        this.stream.destroy();
        resolve();
      }, CLOSE_TIMEOUT_MS);
      this.stream.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Every complete record of a capture file, in order. */
export async function* readCapture(path: string): AsyncGenerator<CapturedPacket> {
  const file = await open(path, 'r');
  try {
    let pending = Buffer.alloc(0);
    for (;;) {
      const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      const { bytesRead } = await file.read(chunk, 0, READ_CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      pending = pending.length ? Buffer.concat([pending, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let offset = 0;
      while (offset + HEADER_BYTES <= pending.length) {
        const kind = pending.readUInt8(offset);
        const length = pending.readUInt16BE(offset + 1);
        if ((kind !== 1 && kind !== 2) || offset + HEADER_BYTES + length > pending.length) break;
        const arrivalMs = pending.readDoubleBE(offset + 3);
        yield { rtcp: kind === 2, arrivalMs, packet: Buffer.from(pending.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length)) };
        offset += HEADER_BYTES + length;
      }
      // A record of an unknown kind means the rest is not ours to read.
      if (offset + HEADER_BYTES <= pending.length && pending.readUInt8(offset) !== 1 && pending.readUInt8(offset) !== 2) return;
      pending = pending.subarray(offset);
    }
  } finally {
    await file.close();
  }
}
