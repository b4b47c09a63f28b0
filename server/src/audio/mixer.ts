/**
 * The mix a phone hears: every other participant's audio, each arriving as
 * RTP in its own codec, summed into one 20 ms frame at the phone's rate per
 * tick, with any queued prompt (an announcement) on top.
 *
 * Each input has its own jitter buffer, decoder (concealing lost frames) and
 * resampler to the output rate. The mix is summed in floating point and
 * passed through a soft limiter, so several loud talkers saturate smoothly
 * instead of wrapping or clipping hard. Which inputs to add (everyone but the
 * phone itself, for an N-1 mix) is the caller's choice.
 *
 * The caller calls tick() every 20 ms from its own clock and encodes the
 * result in the phone's codec. Packets whose payload type is not the one
 * given for the input (telephone-event, comfort noise) are ignored here.
 */
import { createDecoder, frameSamples, type AudioDecoder, type PhoneCodec } from './codecs.js';
import { JitterBuffer, type JitterStats } from './jitter-buffer.js';
import { createResampler, resampleClip, type AudioRate, type Resampler } from './resample.js';
import { parseRtp } from './rtp.js';

export interface MixerInputStats extends JitterStats {
  /** Frames made by concealment: lost, stretched, undecodable or of the wrong duration. */
  concealed: number;
  /** Payloads the decoder refused. */
  invalid: number;
  /** Frames not 20 ms long (see jitter-buffer.ts). */
  wrongDuration: number;
  /** Packets that were not RTP, or carried another payload type. */
  ignored: number;
  /** Times the sender's SSRC changed (each restarts the jitter buffer). */
  ssrcChanges: number;
}

interface Input {
  codec: PhoneCodec;
  payloadType: number;
  ssrc: number | undefined;
  jitter: JitterBuffer;
  decoder: AudioDecoder;
  resampler: Resampler;
  playing: boolean;
  counters: { concealed: number; invalid: number; wrongDuration: number; ignored: number; ssrcChanges: number };
}

/** The soft limiter is linear below this level and bends smoothly towards full scale above it. */
const LIMITER_KNEE = 24_000;
const FULL_SCALE = 32_767;

function softLimit(value: number): number {
  const magnitude = Math.abs(value);
  if (magnitude <= LIMITER_KNEE) return Math.round(value);
  const headroom = FULL_SCALE - LIMITER_KNEE;
  const limited = LIMITER_KNEE + headroom * Math.tanh((magnitude - LIMITER_KNEE) / headroom);
  return Math.sign(value) * Math.round(limited);
}

export class Mixer {
  private readonly inputs = new Map<string, Input>();
  private readonly prompts: Int16Array[] = [];
  private promptOffset = 0;
  private readonly frameLength: number;

  constructor(readonly outputRate: AudioRate) {
    this.frameLength = frameSamples(outputRate);
  }

  /** Adds (or replaces) an input; only RTP with `payloadType` is mixed from it. */
  addInput(id: string, codec: PhoneCodec, payloadType: number): void {
    this.removeInput(id);
    this.inputs.set(id, {
      codec,
      payloadType,
      ssrc: undefined,
      jitter: new JitterBuffer({ clockRate: codec.clockRate }),
      // Opus decodes straight at the output rate; G.711 is 8 kHz and resampled when the output is not.
      decoder: createDecoder(codec, this.outputRate),
      resampler: createResampler(codec.name === 'opus' ? this.outputRate : codec.clockRate, this.outputRate),
      playing: false,
      counters: { concealed: 0, invalid: 0, wrongDuration: 0, ignored: 0, ssrcChanges: 0 },
    });
  }

  removeInput(id: string): void {
    this.inputs.get(id)?.decoder.close();
    this.inputs.delete(id);
  }

  hasInput(id: string): boolean {
    return this.inputs.has(id);
  }

  /** Feeds one received RTP packet; false if it was not taken (unknown input, not RTP, other payload type). */
  push(id: string, packet: Uint8Array, nowMs: number): boolean {
    const input = this.inputs.get(id);
    if (input === undefined) return false;
    const fields = parseRtp(packet);
    if (fields === undefined || fields.payloadType !== input.payloadType) {
      input.counters.ignored++;
      return false;
    }
    if (input.ssrc !== fields.ssrc) {
      if (input.ssrc !== undefined) {
        input.counters.ssrcChanges++;
        input.jitter.reset();
      }
      input.ssrc = fields.ssrc;
    }
    input.jitter.push(fields, nowMs);
    return true;
  }

  /** Queues a prompt after any already queued; `rate` is the clip's sample rate. */
  play(pcm: Int16Array, rate: AudioRate): void {
    this.prompts.push(resampleClip(pcm, rate, this.outputRate));
  }

  clearPrompts(): void {
    this.prompts.length = 0;
    this.promptOffset = 0;
  }

  get promptPlaying(): boolean {
    return this.prompts.length > 0;
  }

  /** The next 20 ms of the mix at the output rate. */
  tick(): Int16Array {
    const sum = new Float64Array(this.frameLength);
    for (const input of this.inputs.values()) {
      const frame = this.nextFrame(input);
      if (frame === undefined) continue;
      for (let i = 0; i < sum.length; i++) sum[i]! += frame[i]!;
    }
    this.addPrompt(sum);
    const output = new Int16Array(this.frameLength);
    for (let i = 0; i < output.length; i++) output[i] = softLimit(sum[i]!);
    return output;
  }

  stats(id: string): MixerInputStats | undefined {
    const input = this.inputs.get(id);
    return input && { ...input.jitter.stats(), ...input.counters };
  }

  /** Frees every decoder. */
  close(): void {
    for (const id of [...this.inputs.keys()]) this.removeInput(id);
    this.clearPrompts();
  }

  /** The input's next frame at the output rate, or undefined while it has nothing to play. */
  private nextFrame(input: Input): Int16Array | undefined {
    const pulled = input.jitter.pull();
    if (pulled === 'empty') {
      if (input.playing) input.resampler.reset();
      input.playing = false;
      return undefined;
    }
    input.playing = true;
    let pcm: Int16Array | undefined;
    if (pulled !== 'lost') {
      pcm = input.decoder.decode(pulled);
      if (pcm === undefined) input.counters.invalid++;
      else if (pcm.length !== frameSamples(input.decoder.sampleRate)) {
        input.counters.wrongDuration++;
        pcm = undefined;
      }
    }
    if (pcm === undefined) {
      input.counters.concealed++;
      pcm = input.decoder.conceal();
    }
    return input.resampler.process(pcm);
  }

  private addPrompt(sum: Float64Array): void {
    let written = 0;
    while (written < sum.length && this.prompts.length > 0) {
      const prompt = this.prompts[0]!;
      const count = Math.min(sum.length - written, prompt.length - this.promptOffset);
      for (let i = 0; i < count; i++) sum[written + i]! += prompt[this.promptOffset + i]!;
      written += count;
      this.promptOffset += count;
      if (this.promptOffset >= prompt.length) {
        this.prompts.shift();
        this.promptOffset = 0;
      }
    }
  }
}
