/**
 * Captures turned into files (recording/extract.ts): VP8 over RTP becomes
 * an IVF that starts at its first keyframe, even when clock sync puts that
 * frame a few milliseconds before the recording began; audio is placed by
 * its timestamps, and a sender whose timestamps jump hours away cannot make
 * the recorder write hours of silence.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { extractAudio, extractVideo } from '../../src/recording/extract.js';
import type { TapCodec } from '../../src/recording/media-tap.js';
import { readWav } from '../../testkit/audio-analysis.js';
import { readIvf, rtpPacket, vp8Frames, writeCapture } from '../helpers/recording-media.js';
import { QUICK } from '../helpers/timeouts.js';

const VP8: TapCodec = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90_000, channels: 1 };
const PCMU: TapCodec = { mimeType: 'audio/PCMU', payloadType: 0, clockRate: 8000, channels: 1 };

let dir: string;
before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'parley-extract-'))), QUICK);
after(() => rm(dir, { recursive: true, force: true }), QUICK);

/** Each frame in two VP8 packets (S bit on the first), 100 ms apart from RTP timestamp 0. */
function vp8Capture(frames: Buffer[]) {
  let sequenceNumber = 0;
  return frames.flatMap((frame, index) => {
    const half = Math.ceil(frame.length / 2);
    return [frame.subarray(0, half), frame.subarray(half)].map((piece, part) => ({
      packet: rtpPacket({ sequenceNumber: sequenceNumber++, timestamp: index * 9000, marker: part === 1 }, Buffer.concat([Buffer.from([part === 0 ? 0x10 : 0]), piece])),
      arrivalMs: index * 100,
    }));
  });
}

test('VP8 over RTP becomes an IVF of every frame at its time, the keyframe first', QUICK, async () => {
  const frames = await vp8Frames(dir);
  const capture = path.join(dir, 'camera.rtp');
  await writeCapture(capture, vp8Capture(frames));
  const file = path.join(dir, 'camera.ivf');
  const track = await extractVideo(capture, VP8, 250, 0, 5000, file);
  assert.deepEqual(track, { path: file, startMs: 250, durationMs: 900 });
  const ivf = await readIvf(file);
  assert.deepEqual([ivf.width, ivf.height], [64, 64]);
  assert.deepEqual(
    ivf.frames.map((frame) => frame.pts),
    frames.map((_, index) => index * 100),
  );
  assert.deepEqual(
    ivf.frames.map((frame) => frame.data),
    frames,
  );
});

test('a first keyframe that clock sync places just before the recording began is kept', QUICK, async () => {
  const frames = await vp8Frames(dir);
  const capture = path.join(dir, 'early.rtp');
  await writeCapture(capture, vp8Capture(frames));
  const file = path.join(dir, 'early.ivf');
  const track = await extractVideo(capture, VP8, 0, 12, 5000, file);
  assert.equal(track?.startMs, -12);
  const ivf = await readIvf(file);
  assert.deepEqual(ivf.frames[0]!.data, frames[0], 'the IVF starts with the keyframe');
  assert.equal(ivf.frames.length, frames.length);
});

/** 20 ms of PCMU (160 bytes); 0xff is silence, 0x80 the loudest positive sample. */
const pcmu = (byte: number) => Buffer.alloc(160, byte);

test('audio timestamps that jump far before or after the recording are dropped, not padded with silence', QUICK, async () => {
  const TEN_MINUTES = 8000 * 600;
  let sequenceNumber = 0;
  const packet = (timestamp: number, byte = 0xff) => ({ packet: rtpPacket({ sequenceNumber: sequenceNumber++, timestamp, payloadType: 0 }, pcmu(byte)), arrivalMs: 0 });
  const records = [
    // Ten minutes before the others (it unwraps to 2^32 - 10 min, the rest to 2^32 and on).
    packet(2 ** 32 - TEN_MINUTES, 0x80),
    ...Array.from({ length: 50 }, (_, i) => packet(i * 160)),
    packet(50 * 160 + TEN_MINUTES, 0x80),
    ...Array.from({ length: 50 }, (_, i) => packet((50 + i) * 160)),
  ];
  const capture = path.join(dir, 'voice.rtp');
  await writeCapture(capture, records);
  const file = path.join(dir, 'voice.wav');
  // The media clock's 2^32 falls at the recording's start; the recording lasts 2 s.
  const offsetMs = -(2 ** 32 * 1000) / 8000;
  const track = await extractAudio(capture, PCMU, offsetMs, 0, 2000, file);
  assert.ok((await stat(file)).size < 100_000, `the WAV holds ${(await stat(file)).size} bytes`);
  assert.deepEqual(track, { path: file, startMs: 0, durationMs: 2000 });
  const wav = await readWav(file);
  assert.equal(wav.samples.length, 16_000);
  assert.ok(
    wav.samples.every((sample) => Math.abs(sample) < 0.01),
    'the jumped packets are nowhere in it',
  );
});
