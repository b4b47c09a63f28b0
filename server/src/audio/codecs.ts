/**
 * The codecs a phone call may use (G.711 µ-law and A-law at 8 kHz, Opus at
 * 48 kHz) behind one decoder and one encoder interface, all in 20 ms mono
 * frames. G.711 comes from `alawmulaw`; Opus from opusscript's WASM libopus
 * (see opus-wasm.ts).
 *
 * Decoders turn a payload into mono PCM at the codec's clock rate, and
 * conceal a lost frame: Opus with libopus's own loss concealment, G.711 by
 * repeating the last frame while fading it to silence over three frames. A
 * decoder for Opus is mono even when the stream is stereo (browsers signal
 * opus/48000/2): libopus downmixes a stereo packet itself when it decodes to
 * one channel. Encoders take 20 ms of mono PCM at the codec's rate.
 */
import alawmulaw from 'alawmulaw';
import { OpusHandle } from './opus-wasm.js';

export interface PhoneCodec {
  name: 'PCMU' | 'PCMA' | 'opus';
  clockRate: 8000 | 48000;
  channels: 1 | 2;
}

export const PCMU: PhoneCodec = { name: 'PCMU', clockRate: 8000, channels: 1 };
export const PCMA: PhoneCodec = { name: 'PCMA', clockRate: 8000, channels: 1 };
export const OPUS: PhoneCodec = { name: 'opus', clockRate: 48000, channels: 2 };

export const FRAME_MS = 20;

/** The codec of a mediasoup consumer's audio: G.711 by name, else Opus (all a router has). */
export function codecOfMimeType(mimeType: string): PhoneCodec {
  switch (mimeType.toLowerCase()) {
    case 'audio/pcmu':
      return PCMU;
    case 'audio/pcma':
      return PCMA;
    default:
      return OPUS;
  }
}

/** Samples in one 20 ms frame at `sampleRate`. */
export function frameSamples(sampleRate: number): number {
  return (sampleRate * FRAME_MS) / 1000;
}

export interface AudioDecoder {
  readonly sampleRate: 8000 | 48000;
  /** Mono PCM at `sampleRate`, or undefined for a payload the codec refuses. */
  decode(payload: Uint8Array): Int16Array | undefined;
  /** One 20 ms frame standing in for a lost packet. */
  conceal(): Int16Array;
  close(): void;
}

export interface AudioEncoder {
  readonly sampleRate: 8000 | 48000;
  /** Encodes exactly 20 ms of mono PCM at `sampleRate`. */
  encode(pcm: Int16Array): Uint8Array;
  close(): void;
}

/**
 * A decoder of `codec`. Opus decodes at `opusRate`: libopus renders 8 kHz
 * itself for far less than decoding at 48 kHz and filtering down after.
 */
export function createDecoder(codec: PhoneCodec, opusRate: 8000 | 48000 = 48000): AudioDecoder {
  return codec.name === 'opus' ? new OpusDecoder(opusRate) : new G711Decoder(codec.name);
}

export function createEncoder(codec: PhoneCodec): AudioEncoder {
  return codec.name === 'opus' ? new OpusEncoder() : new G711Encoder(codec.name);
}

const G711_FRAME = frameSamples(8000);
/** Lost frames over which G.711 concealment fades the last frame to silence. */
const FADE_FRAMES = 3;

class G711Decoder implements AudioDecoder {
  readonly sampleRate = 8000;
  private last: Int16Array | undefined;
  private concealedInARow = 0;

  constructor(private readonly law: 'PCMU' | 'PCMA') {}

  decode(payload: Uint8Array): Int16Array | undefined {
    if (payload.length === 0) return undefined;
    const pcm = this.law === 'PCMU' ? alawmulaw.mulaw.decode(payload) : alawmulaw.alaw.decode(payload);
    this.last = pcm;
    this.concealedInARow = 0;
    return pcm;
  }

  conceal(): Int16Array {
    const out = new Int16Array(G711_FRAME);
    const last = this.last;
    if (last === undefined || this.concealedInARow >= FADE_FRAMES) return out;
    // A linear fade across the whole run of lost frames, so no frame boundary steps in level.
    const total = FADE_FRAMES * G711_FRAME;
    const start = this.concealedInARow * G711_FRAME;
    for (let i = 0; i < G711_FRAME; i++) out[i] = Math.round((last[i % last.length]! * (total - start - i)) / total);
    this.concealedInARow++;
    return out;
  }

  close(): void {
    this.last = undefined;
  }
}

class G711Encoder implements AudioEncoder {
  readonly sampleRate = 8000;
  constructor(private readonly law: 'PCMU' | 'PCMA') {}

  encode(pcm: Int16Array): Uint8Array {
    return this.law === 'PCMU' ? alawmulaw.mulaw.encode(pcm) : alawmulaw.alaw.encode(pcm);
  }

  close(): void {}
}

class OpusDecoder implements AudioDecoder {
  private readonly opus: OpusHandle;
  private readonly frame: number;
  /** The last packet's table-of-contents byte: its mode, bandwidth and frame duration. */
  private lastToc: number | undefined;

  constructor(readonly sampleRate: 8000 | 48000) {
    this.opus = new OpusHandle(sampleRate, 1);
    this.frame = frameSamples(sampleRate);
  }

  decode(payload: Uint8Array): Int16Array | undefined {
    // An empty payload would ask libopus for concealment; it is not a packet.
    if (payload.length === 0) return undefined;
    const pcm = this.opus.decode(payload);
    if (pcm !== undefined) this.lastToc = payload[0]!;
    return pcm;
  }

  conceal(): Int16Array {
    if (this.lastToc === undefined) return new Int16Array(this.frame);
    // A packet of just a table-of-contents byte (one frame, of zero bytes) makes libopus conceal
    // exactly that frame's duration; a 0-byte decode would conceal its whole 60 ms or more buffer,
    // from which the decoder's gain takes several frames to recover.
    const pcm = this.opus.decode(Uint8Array.of(this.lastToc & 0xfc));
    const out = new Int16Array(this.frame);
    if (pcm !== undefined) out.set(pcm.subarray(0, this.frame));
    return out;
  }

  close(): void {
    this.opus.close();
  }
}

/** Speech bitrate for the phone leg: plenty for mono wideband voice. */
const OPUS_BITRATE = 32_000;

class OpusEncoder implements AudioEncoder {
  readonly sampleRate = 48000;
  private readonly opus = new OpusHandle(48000, 1);

  constructor() {
    this.opus.setBitrate(OPUS_BITRATE);
  }

  encode(pcm: Int16Array): Uint8Array {
    return this.opus.encode(pcm, frameSamples(48000));
  }

  close(): void {
    this.opus.close();
  }
}
