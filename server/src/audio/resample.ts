/**
 * Sample-rate conversion between 48 kHz (Opus) and 8 kHz (G.711, the phone
 * mix), a factor of 6 either way, kept stateful across 20 ms frames so that
 * frame boundaries leave no clicks.
 *
 * Down: a low-pass FIR then keep every 6th sample. Up: insert 5 zeros after
 * each sample then the same low-pass FIR (times 6), computed as 6 polyphase
 * branches so no multiplication by a stuffed zero is done. The filter is a
 * 192-tap windowed sinc (Kaiser window, beta 7: about 70 dB of stopband)
 * with its cutoff at 3.5 kHz, so the stopband begins near 4 kHz, the new
 * Nyquist frequency: a 6 kHz tone at 48 kHz does not fold back to 2 kHz.
 * The delay is 96 samples at 48 kHz, 2 ms.
 *
 * Written here rather than taken from npm: the pure-JS resamplers there are
 * unmaintained or tuned for other ratios, and the native or WASM ones
 * (libsamplerate, speexdsp builds) bring a build step for a few dozen lines
 * of arithmetic. The cost is about 30 000 multiply-adds per 20 ms frame.
 */

export type AudioRate = 8000 | 48000;

const FACTOR = 6;
const TAPS = 192;
const CUTOFF_HZ = 3500;
const KAISER_BETA = 7;

/** The zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/** The low-pass filter at 48 kHz, normalised to unit gain at DC. */
function lowPassTaps(): Float64Array {
  const taps = new Float64Array(TAPS);
  const centre = (TAPS - 1) / 2;
  const normalisedCutoff = (2 * CUTOFF_HZ) / 48000;
  let sum = 0;
  for (let k = 0; k < TAPS; k++) {
    const t = k - centre;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * normalisedCutoff * t) / (Math.PI * normalisedCutoff * t);
    const window = besselI0(KAISER_BETA * Math.sqrt(1 - (t / centre) ** 2)) / besselI0(KAISER_BETA);
    taps[k] = normalisedCutoff * sinc * window;
    sum += taps[k]!;
  }
  for (let k = 0; k < TAPS; k++) taps[k]! /= sum;
  return taps;
}

const LOW_PASS = lowPassTaps();

function toInt16(value: number): number {
  const rounded = Math.round(value);
  return rounded > 32767 ? 32767 : rounded < -32768 ? -32768 : rounded;
}

export interface Resampler {
  readonly fromRate: AudioRate;
  readonly toRate: AudioRate;
  /** Converts the next block; its length must be a multiple of 6 when going down. */
  process(input: Int16Array): Int16Array;
  /** Forgets the past, as after a pause in the stream. */
  reset(): void;
}

export function createResampler(fromRate: AudioRate, toRate: AudioRate): Resampler {
  if (fromRate === toRate) return { fromRate, toRate, process: (input) => input, reset: () => {} };
  return fromRate === 48000 ? new Decimator() : new Interpolator();
}

/** 48 kHz to 8 kHz. */
class Decimator implements Resampler {
  readonly fromRate = 48000;
  readonly toRate = 8000;
  /** The last TAPS - 1 input samples. */
  private history = new Float64Array(TAPS - 1);

  process(input: Int16Array): Int16Array {
    if (input.length % FACTOR !== 0) throw new RangeError(`input length ${input.length} is not a multiple of ${FACTOR}`);
    const work = new Float64Array(TAPS - 1 + input.length);
    work.set(this.history);
    work.set(input, TAPS - 1);
    const output = new Int16Array(input.length / FACTOR);
    for (let m = 0; m < output.length; m++) {
      const newest = TAPS - 1 + m * FACTOR + FACTOR - 1;
      let acc = 0;
      for (let k = 0; k < TAPS; k++) acc += LOW_PASS[k]! * work[newest - k]!;
      output[m] = toInt16(acc);
    }
    this.history = work.slice(input.length);
    return output;
  }

  reset(): void {
    this.history.fill(0);
  }
}

const BRANCH_TAPS = TAPS / FACTOR;
/** The polyphase branches, already scaled by 6 to make up for the stuffed zeros. */
const BRANCHES = Array.from({ length: FACTOR }, (_, phase) =>
  Float64Array.from({ length: BRANCH_TAPS }, (_, j) => FACTOR * LOW_PASS[phase + FACTOR * j]!),
);

/** 8 kHz to 48 kHz. */
class Interpolator implements Resampler {
  readonly fromRate = 8000;
  readonly toRate = 48000;
  /** The last BRANCH_TAPS - 1 input samples. */
  private history = new Float64Array(BRANCH_TAPS - 1);

  process(input: Int16Array): Int16Array {
    const work = new Float64Array(BRANCH_TAPS - 1 + input.length);
    work.set(this.history);
    work.set(input, BRANCH_TAPS - 1);
    const output = new Int16Array(input.length * FACTOR);
    for (let m = 0; m < input.length; m++) {
      const newest = BRANCH_TAPS - 1 + m;
      for (let phase = 0; phase < FACTOR; phase++) {
        const branch = BRANCHES[phase]!;
        let acc = 0;
        for (let j = 0; j < BRANCH_TAPS; j++) acc += branch[j]! * work[newest - j]!;
        output[m * FACTOR + phase] = toInt16(acc);
      }
    }
    this.history = work.slice(input.length);
    return output;
  }

  reset(): void {
    this.history.fill(0);
  }
}

/** Converts a whole clip (a prompt) at once, with the filter's tail flushed. */
export function resampleClip(clip: Int16Array, fromRate: AudioRate, toRate: AudioRate): Int16Array {
  if (fromRate === toRate) return clip;
  const resampler = createResampler(fromRate, toRate);
  const tail = fromRate === 48000 ? TAPS : BRANCH_TAPS;
  const padded = new Int16Array(Math.ceil((clip.length + tail) / FACTOR) * FACTOR);
  padded.set(clip);
  return resampler.process(padded);
}
