/**
 * libopus through opusscript's WASM build, driven directly instead of through
 * opusscript's JavaScript wrapper. The wrapper (0.1.1) builds its PCM views
 * with a byte address used as a 16-bit index, so every encode and decode
 * writes at twice the malloc'd address: outside its own allocation, into
 * whatever a later instance put there once a few instances exist. Its views
 * are also made once, so they go dead when the WASM memory grows. Here each
 * OpusHandle writes only inside its own allocations and reads the module's
 * current heap on every call.
 *
 * The native handler (one libopus encoder and one decoder) exchanges PCM in
 * its own layout: each byte of little-endian PCM sits in one 16-bit cell.
 * `_encode(pcm, samples, packet, frameSize)` packs the cells in place before
 * encoding; `_decode(packet, bytes, pcm)` unpacks its output the same way and
 * always decodes into a 60 ms (or larger) buffer, so a loss (0 bytes) yields
 * that much concealment at once.
 */
import { createRequire } from 'node:module';

interface NativeHandler {
  _encode(pcm: number, samples: number, packet: number, frameSize: number): number;
  _decode(packet: number, bytes: number, pcm: number): number;
  _encoder_ctl(ctl: number, value: number): number;
}

interface NativeModule {
  HEAPU8: Uint8Array;
  HEAPU16: Uint16Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  OpusScriptHandler: { new (sampleRate: number, channels: number, application: number): NativeHandler; destroy_handler(handler: NativeHandler): void };
}

/** libopus application constants. */
export const OPUS_APPLICATION_VOIP = 2048;
const OPUS_SET_BITRATE = 4002;

/** The most samples per channel the native decode may write (120 ms at 48 kHz). */
const MAX_FRAME_SAMPLES = 5760;
/** The native code's packet buffer size. */
export const MAX_OPUS_PACKET_BYTES = 3828;

let native: NativeModule | undefined;
function nativeModule(): NativeModule {
  native ??= (createRequire(import.meta.url)('opusscript/build/opusscript_native_wasm.js') as () => NativeModule)();
  return native;
}

export class OpusHandle {
  private readonly module = nativeModule();
  private readonly handler: NativeHandler;
  private readonly pcmPointer: number;
  private readonly packetPointer: number;
  private closed = false;

  constructor(
    readonly sampleRate: 8000 | 12000 | 16000 | 24000 | 48000,
    readonly channels: 1 | 2,
    application = OPUS_APPLICATION_VOIP,
  ) {
    this.handler = new this.module.OpusScriptHandler(sampleRate, channels, application);
    // Two 16-bit cells per sample, as the native layout wants.
    this.pcmPointer = this.module._malloc(MAX_FRAME_SAMPLES * channels * 4);
    this.packetPointer = this.module._malloc(MAX_OPUS_PACKET_BYTES);
  }

  setBitrate(bitsPerSecond: number): void {
    this.handler._encoder_ctl(OPUS_SET_BITRATE, bitsPerSecond);
  }

  /** Encodes `frameSize` samples per channel (interleaved if stereo). Throws on a libopus error. */
  encode(pcm: Int16Array, frameSize: number): Uint8Array {
    this.assertOpen();
    const samples = frameSize * this.channels;
    if (pcm.length !== samples || frameSize > MAX_FRAME_SAMPLES) throw new RangeError(`expected ${samples} samples, got ${pcm.length}`);
    const cells = this.module.HEAPU16;
    const base = this.pcmPointer >> 1;
    for (let i = 0; i < samples; i++) {
      const sample = pcm[i]! & 0xffff;
      cells[base + 2 * i] = sample & 0xff;
      cells[base + 2 * i + 1] = sample >> 8;
    }
    const length = this.handler._encode(this.pcmPointer, samples, this.packetPointer, frameSize);
    if (length < 0) throw new Error(`opus encode failed (${length})`);
    return this.module.HEAPU8.slice(this.packetPointer, this.packetPointer + length);
  }

  /**
   * Decodes one packet to interleaved PCM, or conceals a lost one when
   * `packet` is empty. Returns undefined for a packet libopus refuses.
   */
  decode(packet: Uint8Array): Int16Array | undefined {
    this.assertOpen();
    if (packet.length > MAX_OPUS_PACKET_BYTES) return undefined;
    this.module.HEAPU8.set(packet, this.packetPointer);
    const frameSize = this.handler._decode(this.packetPointer, packet.length, this.pcmPointer);
    if (frameSize < 0) return undefined;
    const samples = Math.min(frameSize, MAX_FRAME_SAMPLES) * this.channels;
    const cells = this.module.HEAPU16;
    const base = this.pcmPointer >> 1;
    const pcm = new Int16Array(samples);
    for (let i = 0; i < samples; i++) pcm[i] = cells[base + 2 * i]! | (cells[base + 2 * i + 1]! << 8);
    return pcm;
  }

  /** Frees the native state; further calls throw. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.module.OpusScriptHandler.destroy_handler(this.handler);
    this.module._free(this.pcmPointer);
    this.module._free(this.packetPointer);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('opus handle closed');
  }
}
