/**
 * The two simplest containers ffmpeg reads with exact timing: IVF for video
 * frames (each with its own timestamp, here in milliseconds) and WAV for PCM.
 * Both are written as they go and their sizes patched in at the end.
 */
import { open, type FileHandle } from 'node:fs/promises';

const IVF_HEADER_BYTES = 32;

/** An IVF file header, its timebase 1/1000: frame timestamps are milliseconds. */
export function ivfHeader(fourcc: 'VP80' | 'H264', width: number, height: number, frames = 0): Buffer {
  const header = Buffer.alloc(IVF_HEADER_BYTES);
  header.write('DKIF', 0, 'ascii');
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(IVF_HEADER_BYTES, 6);
  header.write(fourcc, 8, 'ascii');
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(1000, 16);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(frames, 24);
  return header;
}

/** One IVF frame record: its size, its timestamp (ms) and the frame. */
export function ivfFrame(data: Buffer, milliseconds: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt32LE(data.length, 0);
  header.writeBigUInt64LE(BigInt(Math.max(0, Math.round(milliseconds))), 4);
  return Buffer.concat([header, data]);
}

export class IvfWriter {
  private frames = 0;
  private position = IVF_HEADER_BYTES;

  private constructor(private readonly file: FileHandle) {}

  /** `fourcc` is VP80 or H264; the size is a hint (decoders read the real one from the stream). */
  static async create(path: string, fourcc: 'VP80' | 'H264', width: number, height: number): Promise<IvfWriter> {
    const file = await open(path, 'w');
    await file.write(ivfHeader(fourcc, width, height), 0, IVF_HEADER_BYTES, 0);
    return new IvfWriter(file);
  }

  async frame(data: Buffer, milliseconds: number): Promise<void> {
    const record = ivfFrame(data, milliseconds);
    await this.file.write(record, 0, record.length, this.position);
    this.position += record.length;
    this.frames++;
  }

  async close(): Promise<void> {
    const count = Buffer.alloc(4);
    count.writeUInt32LE(this.frames, 0);
    await this.file.write(count, 0, 4, 24);
    await this.file.close();
  }
}

const WAV_HEADER_BYTES = 44;

/** 16-bit mono PCM. */
export class WavWriter {
  private samples = 0;

  private constructor(
    private readonly file: FileHandle,
    private readonly sampleRate: number,
  ) {}

  static async create(path: string, sampleRate: number): Promise<WavWriter> {
    const file = await open(path, 'w');
    await file.write(Buffer.alloc(WAV_HEADER_BYTES), 0, WAV_HEADER_BYTES, 0);
    return new WavWriter(file, sampleRate);
  }

  get length(): number {
    return this.samples;
  }

  async write(pcm: Int16Array): Promise<void> {
    if (pcm.length === 0) return;
    const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    await this.file.write(bytes, 0, bytes.length, WAV_HEADER_BYTES + this.samples * 2);
    this.samples += pcm.length;
  }

  /** Silence up to sample `position`. */
  async padTo(position: number): Promise<void> {
    const CHUNK = 48_000;
    while (this.samples < position) await this.write(new Int16Array(Math.min(CHUNK, position - this.samples)));
  }

  async close(): Promise<void> {
    const header = Buffer.alloc(WAV_HEADER_BYTES);
    const dataBytes = this.samples * 2;
    header.write('RIFF', 0, 'ascii');
    header.writeUInt32LE(36 + dataBytes, 4);
    header.write('WAVEfmt ', 8, 'ascii');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(this.sampleRate, 24);
    header.writeUInt32LE(this.sampleRate * 2, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36, 'ascii');
    header.writeUInt32LE(dataBytes, 40);
    await this.file.write(header, 0, WAV_HEADER_BYTES, 0);
    await this.file.close();
  }
}
