/**
 * One phone call's audio, as the meeting does not see it: the RTP socket,
 * what the phone hears (prompts and the N−1 mix, encoded in its codec,
 * one packet every 20 ms), what the phone says (handed to `onSpeech` with
 * its audio level, for the meeting's producer), and its DTMF digits (RFC
 * 4733 in the RTP, or SIP INFO through `infoDigit`).
 */
import { EventEmitter } from 'node:events';
import { FrameClock } from '../audio/frame-clock.js';
import { createDecoder, createEncoder, frameSamples, type AudioDecoder, type AudioEncoder, type PhoneCodec } from '../audio/codecs.js';
import { DtmfReceiver, parseDtmfInfo } from '../audio/dtmf.js';
import { audioLevel, type AudioLevel } from '../audio/level.js';
import { Mixer } from '../audio/mixer.js';
import { parseRtp, RtpStream, type RtpFields } from '../audio/rtp.js';
import type { CallMedia } from './call-sdp.js';
import { PROMPT_RATE } from './prompts.js';
import type { RtpSocket } from './rtp-socket.js';


const SILENCE: AudioLevel = { level: 127, voice: false };

export interface PhoneCallEvents {
  /** A DTMF digit: 0-9, *, #. */
  digit: [digit: string];
  /** The phone said it sends, yet nothing came for the media timeout: it is gone without a BYE. */
  silent: [];
}

/** A packet of the phone's speech, parsed once, with its RFC 6464 audio level. */
export type SpeechHandler = (packet: RtpFields, level: AudioLevel) => void;

export class PhoneCall extends EventEmitter<PhoneCallEvents> {
  readonly mixer: Mixer;
  private readonly encoder: AudioEncoder;
  private readonly decoder: AudioDecoder;
  private readonly sender: RtpStream;
  private readonly dtmf = new DtmfReceiver();
  private readonly clock = new FrameClock((now) => this.tick(now));
  /** Who waits for the prompts to finish playing. */
  private drained: (() => void)[] = [];
  private onSpeech: SpeechHandler | undefined;
  /** When the phone's last packet came (or the call or its last offer began). */
  private heardAt = performance.now();
  private silenceReported = false;

  constructor(
    private readonly socket: RtpSocket,
    private media: CallMedia,
    /** How long a sending phone may be silent before it counts as gone. */
    private readonly mediaTimeoutMs: number,
  ) {
    super();
    this.mixer = new Mixer(media.codec.clockRate === 48000 ? 48000 : 8000);
    this.encoder = createEncoder(media.codec);
    this.decoder = createDecoder(media.codec);
    this.sender = new RtpStream({ ssrc: (Math.random() * 0x1_0000_0000) >>> 0, payloadType: media.payloadType, samplesPerFrame: frameSamples(media.codec.clockRate) });
    socket.on('packet', (packet) => this.onPacket(packet));
  }

  get codec(): PhoneCodec {
    return this.media.codec;
  }

  get payloadType(): number {
    return this.media.payloadType;
  }

  /** Starts the 20 ms clock: from now on the phone hears the mix. */
  start(): void {
    this.clock.start();
  }

  /** A new offer in the call, with the same codec and payload type: hold (stop sending), resume, media moved, DTMF changed. */
  update(media: CallMedia): void {
    if (media.address !== this.media.address || media.port !== this.media.port) this.socket.retarget(media);
    this.media = media;
    this.heardAt = performance.now();
  }

  /** Where the phone's speech goes once it is in the meeting (undefined: nowhere). */
  speakTo(handler: SpeechHandler | undefined): void {
    this.onSpeech = handler;
  }

  /** Plays a prompt after what is already queued; resolves when all of it has played. */
  async say(prompt: Int16Array): Promise<void> {
    if (prompt.length > 0) this.mixer.play(prompt, PROMPT_RATE);
    await this.drain();
  }

  /** Resolves once the prompts queued now have played (at once if the clock is not running). */
  drain(): Promise<void> {
    if (!this.mixer.promptPlaying || !this.clock.running) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** A SIP INFO with a DTMF body. */
  infoDigit(contentType: string, body: string): void {
    const digit = parseDtmfInfo(contentType, body);
    if (digit !== undefined) this.emit('digit', digit);
  }

  close(): void {
    this.clock.stop();
    for (const resolve of this.drained.splice(0)) resolve();
    this.socket.close();
    this.mixer.close();
    this.encoder.close();
    this.decoder.close();
    this.removeAllListeners();
  }

  private tick(now: number): void {
    if (this.media.sends && !this.silenceReported && now - this.heardAt > this.mediaTimeoutMs) {
      this.silenceReported = true;
      this.emit('silent');
    }
    const frame = this.mixer.tick();
    if (!this.mixer.promptPlaying) for (const resolve of this.drained.splice(0)) resolve();
    if (this.media.receives) this.socket.send(this.sender.next(this.encoder.encode(frame)));
    else this.sender.skip();
  }

  private onPacket(bytes: Buffer): void {
    const packet = parseRtp(bytes);
    if (!packet) return;
    this.heardAt = performance.now();
    if (packet.payloadType === this.media.dtmfPayloadType) {
      const digit = this.dtmf.push(packet);
      if (digit !== undefined) this.emit('digit', digit);
      return;
    }
    if (packet.payloadType !== this.media.payloadType || !this.onSpeech) return;
    const pcm = this.decoder.decode(packet.payload);
    this.onSpeech(packet, pcm ? audioLevel(pcm) : SILENCE);
  }
}
