/**
 * What telephony tests need to judge audio: reading 16-bit PCM WAV files
 * (as baresip's sndfile module and ffmpeg write them), the dominant
 * frequency of a stretch of samples, its loudness, and tone WAVs to play
 * into a call.
 */
import { readFile, writeFile } from 'node:fs/promises';
import FFT from 'fft.js';

export interface Wav {
  sampleRate: number;
  channels: number;
  /** The first channel, scaled to -1..1. */
  samples: Float32Array;
}

/** A stretch of a recording, in seconds from its start. */
export interface Window {
  startSeconds: number;
  seconds: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

export async function readWav(path: string): Promise<Wav> {
  try {
    return parseWav(await readFile(path));
  } catch (error) {
    (error as Error).message = `${path}: ${(error as Error).message}`;
    throw error;
  }
}

/**
 * Walks the RIFF chunks for `fmt ` and `data`. A data chunk whose size is
 * 0 or runs past the end (a writer killed before it finished the header)
 * is read to the end of the file.
 */
export function parseWav(bytes: Buffer): Wav {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let format: { channels: number; sampleRate: number } | undefined;
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = bytes.toString('latin1', offset, offset + 4);
    const declared = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      const code = bytes.readUInt16LE(body);
      const bits = bytes.readUInt16LE(body + 14);
      const pcm = code === WAVE_FORMAT_PCM || (code === WAVE_FORMAT_EXTENSIBLE && bytes.readUInt16LE(body + 24) === WAVE_FORMAT_PCM);
      if (!pcm || bits !== 16) throw new Error(`only 16-bit PCM is read (format ${code}, ${bits} bits)`);
      format = { channels: bytes.readUInt16LE(body + 2), sampleRate: bytes.readUInt32LE(body + 4) };
    } else if (id === 'data') {
      if (!format) throw new Error('data chunk before the fmt chunk');
      const size = declared === 0 || body + declared > bytes.length ? bytes.length - body : declared;
      return { ...format, samples: firstChannel(bytes.subarray(body, body + size), format.channels) };
    }
    offset = body + declared + (declared % 2);
  }
  throw new Error('no data chunk');
}

function firstChannel(data: Buffer, channels: number): Float32Array {
  const frameBytes = 2 * channels;
  const samples = new Float32Array(Math.floor(data.length / frameBytes));
  for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * frameBytes) / 32768;
  return samples;
}

/** Root mean square of `samples` (0 for silence, about 0.707 × amplitude for a tone). */
export function rms(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / samples.length);
}

/** The RMS of each consecutive `windowMs` of `samples` (a trailing partial window is left out). */
export function rmsPerWindow(samples: Float32Array, sampleRate: number, windowMs = 100): number[] {
  const size = Math.max(1, Math.round((sampleRate * windowMs) / 1000));
  const levels: number[] = [];
  for (let start = 0; start + size <= samples.length; start += size) levels.push(rms(samples.subarray(start, start + size)));
  return levels;
}

/** The `seconds`-long stretch with the most energy, in 100 ms steps; the whole of a shorter recording. */
export function loudestWindow(samples: Float32Array, sampleRate: number, seconds = 1): Window {
  const step = sampleRate / 10;
  const levels = rmsPerWindow(samples, sampleRate, 100).map((level) => level * level);
  const span = Math.round(seconds * 10);
  if (levels.length <= span) return { startSeconds: 0, seconds: samples.length / sampleRate };
  let energy = levels.slice(0, span).reduce((sum, level) => sum + level, 0);
  let best = { energy, index: 0 };
  for (let index = 1; index + span <= levels.length; index++) {
    energy += levels[index + span - 1]! - levels[index - 1]!;
    if (energy > best.energy) best = { energy, index };
  }
  return { startSeconds: (best.index * step) / sampleRate, seconds };
}

/**
 * The frequency (Hz) with the most energy in `window` (by default the
 * loudest second), from a Hann-windowed FFT zero-padded to a power of two;
 * the bin is refined by parabolic interpolation, so a pure tone comes out
 * within about 1 Hz. DC is ignored.
 */
export function peakFrequency(samples: Float32Array, sampleRate: number, window?: Window): number {
  const chosen = window ?? loudestWindow(samples, sampleRate);
  const start = Math.max(0, Math.round(chosen.startSeconds * sampleRate));
  const stretch = samples.subarray(start, Math.min(samples.length, start + Math.round(chosen.seconds * sampleRate)));
  if (stretch.length < 64) throw new Error(`too few samples (${stretch.length}) for a frequency`);
  const size = 2 ** Math.ceil(Math.log2(stretch.length));
  const input = new Array<number>(size).fill(0);
  for (let i = 0; i < stretch.length; i++) input[i] = stretch[i]! * 0.5 * (1 - Math.cos((2 * Math.PI * i) / (stretch.length - 1)));
  const fft = new FFT(size);
  const spectrum: number[] = fft.createComplexArray();
  fft.realTransform(spectrum, input);
  const magnitude = (bin: number) => Math.hypot(spectrum[2 * bin]!, spectrum[2 * bin + 1]!);
  let peak = 1;
  for (let bin = 2; bin < size / 2; bin++) if (magnitude(bin) > magnitude(peak)) peak = bin;
  const [left, centre, right] = [magnitude(peak - 1), magnitude(peak), magnitude(peak + 1)];
  const curvature = left - 2 * centre + right;
  const offset = curvature === 0 ? 0 : (0.5 * (left - right)) / curvature;
  return ((peak + offset) * sampleRate) / size;
}

export interface ToneOptions {
  /** Summed sines; none gives silence. */
  frequencies: number[];
  seconds: number;
  sampleRate?: number;
  /** Peak of the sum, 0..1 (default 0.5). */
  amplitude?: number;
  /** The same tone in each (default 1; baresip's aufile wants 2 for an Opus call). */
  channels?: 1 | 2;
}

/** Writes a 16-bit PCM WAV of the given tones (mono, 8 kHz unless told), what baresip's aufile source plays. */
export async function writeToneWav(path: string, { frequencies, seconds, sampleRate = 8000, amplitude = 0.5, channels = 1 }: ToneOptions): Promise<void> {
  const count = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(2 * channels * count);
  const each = frequencies.length ? amplitude / frequencies.length : 0;
  for (let i = 0; i < count; i++) {
    let value = 0;
    for (const frequency of frequencies) value += each * Math.sin((2 * Math.PI * frequency * i) / sampleRate);
    for (let channel = 0; channel < channels; channel++) data.writeInt16LE(Math.round(value * 32767), 2 * (i * channels + channel));
  }
  await writeFile(path, Buffer.concat([wavHeader(data.length, sampleRate, channels), data]));
}

function wavHeader(dataBytes: number, sampleRate: number, channels: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(2 * channels * sampleRate, 28);
  header.writeUInt16LE(2 * channels, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}
