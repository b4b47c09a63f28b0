/**
 * Media for the recorder's tests: RTP packets and RTCP sender reports built
 * byte by byte (well-formed, or with a field that lies about its length),
 * capture files of them, real VP8 frames from a tiny IVF that ffmpeg
 * encodes, and a reader for IVF files.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CaptureWriter } from '../../src/recording/capture-file.js';
import { runTool } from '../../testkit/processes.js';

export interface RtpHeaderFields {
  sequenceNumber: number;
  timestamp: number;
  marker?: boolean;
  payloadType?: number;
  ssrc?: number;
  /** How many CSRCs the header says it has (each 4 bytes of zeros is written). */
  csrcCount?: number;
  /** An RFC 3550 header extension of this many 32-bit words. */
  extensionWords?: number;
  /** Written as the extension's length field instead of `extensionWords` (a lie). */
  extensionLengthField?: number;
  /** Padding bytes at the end; the last one says how many. */
  padding?: number;
  /** Written as the last byte instead of `padding` (a lie). */
  paddingCountByte?: number;
}

/** One RTP packet: header, CSRCs, extension, payload, padding, as the fields say. */
export function rtpPacket(fields: RtpHeaderFields, payload: Buffer = Buffer.alloc(0)): Buffer {
  const csrcCount = fields.csrcCount ?? 0;
  const padding = fields.padding ?? (fields.paddingCountByte !== undefined ? 1 : 0);
  const header = Buffer.alloc(12);
  header[0] = 0x80 | (padding > 0 ? 0x20 : 0) | (fields.extensionWords !== undefined ? 0x10 : 0) | (csrcCount & 0x0f);
  header[1] = (fields.marker ? 0x80 : 0) | ((fields.payloadType ?? 96) & 0x7f);
  header.writeUInt16BE(fields.sequenceNumber & 0xffff, 2);
  header.writeUInt32BE(fields.timestamp >>> 0, 4);
  header.writeUInt32BE(fields.ssrc ?? 0x1234_5678, 8);
  const parts: Buffer[] = [header, Buffer.alloc(4 * csrcCount)];
  if (fields.extensionWords !== undefined) {
    const extension = Buffer.alloc(4 + 4 * fields.extensionWords);
    extension.writeUInt16BE(0xbede, 0);
    extension.writeUInt16BE(fields.extensionLengthField ?? fields.extensionWords, 2);
    parts.push(extension);
  }
  parts.push(payload);
  if (padding > 0) {
    const tail = Buffer.alloc(padding);
    tail[padding - 1] = fields.paddingCountByte ?? padding;
    parts.push(tail);
  }
  return Buffer.concat(parts);
}

/** An RTCP sender report (no report blocks); `lengthField` overrides the length word (a lie). */
export function senderReportPacket(report: { ntpSeconds: number; ntpFraction?: number; rtpTimestamp: number; lengthField?: number }): Buffer {
  const packet = Buffer.alloc(28);
  packet[0] = 0x80;
  packet[1] = 200;
  packet.writeUInt16BE(report.lengthField ?? 6, 2);
  packet.writeUInt32BE(0x1234_5678, 4);
  packet.writeUInt32BE(report.ntpSeconds >>> 0, 8);
  packet.writeUInt32BE((report.ntpFraction ?? 0) >>> 0, 12);
  packet.writeUInt32BE(report.rtpTimestamp >>> 0, 16);
  packet.writeUInt32BE(100, 20);
  packet.writeUInt32BE(10_000, 24);
  return packet;
}

/** An RTCP SDES packet with one chunk holding a CNAME. */
export function sdesPacket(cname: string): Buffer {
  const item = Buffer.concat([Buffer.from([1, cname.length]), Buffer.from(cname, 'ascii'), Buffer.from([0])]);
  const chunk = Buffer.concat([Buffer.alloc(4), item, Buffer.alloc((4 - (item.length % 4)) % 4)]);
  chunk.writeUInt32BE(0x1234_5678, 0);
  const header = Buffer.from([0x81, 202, 0, 0]);
  header.writeUInt16BE(chunk.length / 4, 2);
  return Buffer.concat([header, chunk]);
}

/** A capture file of these packets, each with its arrival time (ms). */
export async function writeCapture(file: string, packets: { packet: Buffer; arrivalMs: number }[]): Promise<void> {
  const writer = new CaptureWriter(file);
  for (const { packet, arrivalMs } of packets) writer.write(packet, arrivalMs);
  await writer.close();
}

export interface IvfFile {
  fourcc: string;
  width: number;
  height: number;
  timebase: { rate: number; scale: number };
  /** The frame count in the header. */
  declaredFrames: number;
  frames: { pts: number; data: Buffer }[];
}

export async function readIvf(file: string): Promise<IvfFile> {
  const bytes = await readFile(file);
  if (bytes.toString('ascii', 0, 4) !== 'DKIF') throw new Error(`${file} is not IVF`);
  const frames: IvfFile['frames'] = [];
  for (let offset = bytes.readUInt16LE(6); offset + 12 <= bytes.length; ) {
    const size = bytes.readUInt32LE(offset);
    frames.push({ pts: Number(bytes.readBigUInt64LE(offset + 4)), data: bytes.subarray(offset + 12, offset + 12 + size) });
    offset += 12 + size;
  }
  return {
    fourcc: bytes.toString('ascii', 8, 12),
    width: bytes.readUInt16LE(12),
    height: bytes.readUInt16LE(14),
    timebase: { rate: bytes.readUInt32LE(16), scale: bytes.readUInt32LE(20) },
    declaredFrames: bytes.readUInt32LE(24),
    frames,
  };
}

/** Real VP8 frames (the first a keyframe), `seconds` of a 64×64 test picture at 10 frames a second, encoded by ffmpeg in `dir`. */
export async function vp8Frames(dir: string, seconds = 1): Promise<Buffer[]> {
  const file = path.join(dir, 'source.ivf');
  await runTool('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=s=64x64:r=10:d=${seconds}`, '-c:v', 'libvpx', '-g', '5', file], {
    timeoutMs: 20_000,
  });
  return (await readIvf(file)).frames.map((frame) => Buffer.from(frame.data));
}
