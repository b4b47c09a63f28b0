/**
 * The recorder's containers (recording/containers.ts) as ffmpeg reads them:
 * real VP8 frames re-written by IvfWriter at chosen millisecond timestamps
 * decode to that many frames at those times; WavWriter's writes and
 * silence padding give the right length and samples.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { IvfWriter, WavWriter } from '../../src/recording/containers.js';
import { readWav } from '../../testkit/audio-analysis.js';
import { probe } from '../../testkit/media-probe.js';
import { runTool } from '../../testkit/processes.js';
import { readIvf, vp8Frames } from '../helpers/recording-media.js';
import { QUICK } from '../helpers/timeouts.js';

let dir: string;
before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'parley-containers-'))), QUICK);
after(() => rm(dir, { recursive: true, force: true }), QUICK);

test('IvfWriter: VP8 frames at chosen times decode to those frames at those times', QUICK, async () => {
  const frames = (await vp8Frames(dir)).slice(0, 6);
  const times = [0, 40, 100, 250, 251, 1000];
  const file = path.join(dir, 'rewritten.ivf');
  const writer = await IvfWriter.create(file, 'VP80', 64, 64);
  for (const [index, frame] of frames.entries()) await writer.frame(frame, times[index]!);
  await writer.close();

  const ivf = await readIvf(file);
  assert.deepEqual(
    { fourcc: ivf.fourcc, width: ivf.width, height: ivf.height, timebase: ivf.timebase, declaredFrames: ivf.declaredFrames },
    { fourcc: 'VP80', width: 64, height: 64, timebase: { rate: 1000, scale: 1 }, declaredFrames: 6 },
  );
  assert.deepEqual(
    ivf.frames.map((frame) => frame.data),
    frames,
  );
  const { stdout } = await runTool('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames:frame=pts', '-of', 'json', file], { timeoutMs: 20_000 });
  const probed = JSON.parse(stdout) as { frames: { pts: number }[]; streams: { codec_name: string; nb_read_frames: string }[] };
  assert.equal(probed.streams[0]!.codec_name, 'vp8');
  assert.equal(Number(probed.streams[0]!.nb_read_frames), 6, 'every frame decodes');
  assert.deepEqual(
    probed.frames.map((frame) => frame.pts),
    times,
  );
});

test('IvfWriter: fractional times are rounded and negative ones clamped to 0', QUICK, async () => {
  const [key] = await vp8Frames(dir, 0.1);
  const file = path.join(dir, 'rounded.ivf');
  const writer = await IvfWriter.create(file, 'VP80', 64, 64);
  await writer.frame(key!, -3);
  await writer.frame(key!, 33.4);
  await writer.frame(key!, 66.6);
  await writer.close();
  assert.deepEqual(
    (await readIvf(file)).frames.map((frame) => frame.pts),
    [0, 33, 67],
  );
});

test('WavWriter: writes and silence padding make a WAV of the right length and samples', QUICK, async () => {
  const file = path.join(dir, 'padded.wav');
  const writer = await WavWriter.create(file, 8000);
  const ramp = Int16Array.from({ length: 100 }, (_, i) => i * 300 - 15_000);
  await writer.write(ramp);
  await writer.padTo(1000);
  await writer.write(new Int16Array(200).fill(16_384));
  // Padding to a place already written changes nothing; a long gap is written in chunks.
  await writer.padTo(500);
  assert.equal(writer.length, 1200);
  await writer.padTo(100_000);
  await writer.write(Int16Array.of(-32_768));
  await writer.close();

  const wav = await readWav(file);
  assert.equal(wav.sampleRate, 8000);
  assert.equal(wav.channels, 1);
  assert.equal(wav.samples.length, 100_001);
  assert.deepEqual(Array.from(wav.samples.subarray(0, 100), (sample) => Math.round(sample * 32768)), Array.from(ramp));
  assert.ok(wav.samples.subarray(100, 1000).every((sample) => sample === 0), 'the gap is silent');
  assert.ok(wav.samples.subarray(1000, 1200).every((sample) => sample === 0.5));
  assert.ok(wav.samples.subarray(1200, 100_000).every((sample) => sample === 0));
  assert.equal(wav.samples[100_000], -1);
  const probed = await probe(file);
  assert.deepEqual(probed.streams, [{ type: 'audio', codec: 'pcm_s16le' }]);
  assert.ok(Math.abs(probed.durationSeconds - 100_001 / 8000) < 0.001, `${probed.durationSeconds} s`);
});
