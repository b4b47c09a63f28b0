/**
 * What a media file holds, asked of ffprobe and ffmpeg themselves: its
 * streams and duration, one video frame as RGB, and its audio as samples,
 * so tests can check a recording or a stream as a viewer would. Brightness
 * is taken from RGB, not luma: Chromium's fake camera paints its green with
 * a luma of almost zero.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runTool } from './processes.js';

export interface Probe {
  durationSeconds: number;
  streams: { type: 'video' | 'audio' | string; codec: string; width?: number; height?: number }[];
}

export async function probe(file: string): Promise<Probe> {
  const { stdout } = await runTool('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height', '-of', 'json', file], { timeoutMs: 30_000 });
  const parsed = JSON.parse(stdout) as { format: { duration: string }; streams: { codec_type: string; codec_name: string; width?: number; height?: number }[] };
  return {
    durationSeconds: Number(parsed.format.duration),
    streams: parsed.streams.map((stream) => ({ type: stream.codec_type, codec: stream.codec_name, ...(stream.width ? { width: stream.width, height: stream.height! } : {}) })),
  };
}

export interface Frame {
  width: number;
  height: number;
  /** RGB, 3 bytes a pixel. */
  pixels: Buffer;
}

/** The frame shown at `seconds`, as RGB. */
export async function frameAt(file: string, seconds: number, width = 1280, height = 720): Promise<Frame> {
  const { stdout } = await promisify(execFile)(
    'ffmpeg',
    ['-v', 'error', '-ss', seconds.toFixed(3), '-i', file, '-frames:v', '1', '-vf', `scale=${width}:${height}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 16 * 2 ** 20, timeout: 30_000 },
  );
  if (stdout.length !== width * height * 3) throw new Error(`expected a ${width}×${height} frame at ${seconds} s, got ${stdout.length} bytes`);
  return { width, height, pixels: stdout };
}

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Mean brightness (0–255, the brightest channel of each pixel) of a region. */
export function brightness(frame: Frame, region: Region): number {
  let sum = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) {
      const at = (y * frame.width + x) * 3;
      sum += Math.max(frame.pixels[at]!, frame.pixels[at + 1]!, frame.pixels[at + 2]!);
    }
  }
  return sum / (region.width * region.height);
}

/** Mean absolute difference (0–255, over the three channels) of two frames in a region. */
export function difference(a: Frame, b: Frame, region: Region): number {
  let sum = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) {
      const at = (y * a.width + x) * 3;
      for (let channel = 0; channel < 3; channel++) sum += Math.abs(a.pixels[at + channel]! - b.pixels[at + channel]!);
    }
  }
  return sum / (region.width * region.height * 3);
}

/** The audio between `from` and `to` seconds, mono at 16 kHz, as samples in [-1, 1]. */
export async function audioSamples(file: string, from = 0, to?: number): Promise<Float32Array> {
  const range = ['-ss', from.toFixed(3), ...(to === undefined ? [] : ['-to', to.toFixed(3)])];
  const { stdout } = await promisify(execFile)('ffmpeg', ['-v', 'error', ...range, '-i', file, '-vn', '-ac', '1', '-ar', '16000', '-f', 's16le', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 256 * 2 ** 20,
    timeout: 60_000,
  });
  const samples = new Float32Array(stdout.length / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = stdout.readInt16LE(i * 2) / 32768;
  return samples;
}
