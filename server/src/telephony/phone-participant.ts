/**
 * A phone call in a meeting: the `Connection` of its `Peer`. It hears the
 * meeting's notifications as a browser would and answers them the phone's
 * way: the welcome starts its producer and plays a prompt, each offered
 * audio stream joins its mix, a host's mute or removal is spoken, and the
 * end of the session hangs up. `*6` mutes and unmutes.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { types } from 'mediasoup';
import type { Meeting } from '../meeting/meeting.js';
import type { RtpParameters } from '../protocol/mediasoup-schemas.js';
import type { NotificationData, NotificationMethod } from '../protocol/messages.js';
import type { Connection, Peer } from '../roster/peer.js';
import { codecOfMimeType, type PhoneCodec } from '../audio/codecs.js';
import { rewriteRtp } from '../audio/rtp.js';
import type { PhoneCall } from './phone-call.js';
import type { Prompts } from './prompts.js';

/** What a phone can receive: browsers' Opus and other phones' G.711; no video. */
export const PHONE_CAPABILITIES: types.RtpCapabilities = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100, rtcpFeedback: [] },
    { kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, preferredPayloadType: 0, rtcpFeedback: [] },
    { kind: 'audio', mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, preferredPayloadType: 8, rtcpFeedback: [] },
  ],
  headerExtensions: [],
};

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const AUDIO_LEVEL_ID = 1;
const MUTE_SEQUENCE = '*6';

export class PhoneParticipant implements Connection {
  peer!: Peer;
  meeting: Meeting | undefined;
  private micId: string | undefined;
  private readonly ssrc = (Math.random() * 0xffffffff) >>> 0;
  private digits = '';
  private hungUp = false;

  constructor(
    private readonly call: PhoneCall,
    private readonly prompts: Prompts,
    /** Ends the call (BYE), once any goodbye has been said. */
    private readonly hangUp: () => void,
    private readonly logger: FastifyBaseLogger,
  ) {
    call.on('digit', (digit) => {
      this.onDigit(digit).catch((error: unknown) => this.logger.warn({ err: error }, 'a phone could not mute or unmute'));
    });
  }

  notify = <M extends NotificationMethod>(method: M, data: NotificationData<M>): void => {
    const run = async () => {
      switch (method) {
        case 'joined':
          await this.startSending();
          await this.call.say(this.prompts.joined);
          return;
        case 'newConsumer':
          return this.receive(data as NotificationData<'newConsumer'>);
        case 'consumerClosed':
          this.call.mixer.removeInput((data as NotificationData<'consumerClosed'>).consumerId);
          return;
        case 'mediaStoppedByHost':
          if ((data as NotificationData<'mediaStoppedByHost'>).source === 'mic') await this.call.say(this.prompts.muted);
          return;
        case 'unmuteRequested':
          await this.call.say(this.prompts['ask-unmute']);
          return;
        case 'denied':
          return this.goodbye(this.prompts.denied);
        case 'sessionClosed': {
          const { cause } = data as NotificationData<'sessionClosed'>;
          return this.goodbye(cause === 'removed' ? this.prompts.removed : this.prompts.ended);
        }
        case 'mediaReset':
          return this.restartMedia();
        default:
          return;
      }
    };
    run().catch((error: unknown) => this.logger.warn({ err: error, method }, 'a phone participant could not follow the meeting'));
  };

  disconnect(): void {
    if (this.hungUp) return;
    this.hungUp = true;
    // The goodbye, if any, was queued by the notification just before.
    void this.call.drain().then(this.hangUp);
  }

  /** The phone's microphone: a producer on its DirectTransport, fed with the phone's own packets. */
  private async startSending(): Promise<void> {
    const meeting = this.meeting!;
    const { send } = await meeting.media.openDirect(this.peer.id);
    const codec = this.call.codec;
    this.micId = await meeting.media.produce(this.peer.id, {
      transportId: send,
      kind: 'audio',
      source: 'mic',
      rtpParameters: producerParameters(codec, this.ssrc) as RtpParameters,
    });
    const producer = meeting.media.producer(this.peer.id, this.micId)!;
    const payloadType = PAYLOAD_TYPES[codec.name];
    this.call.speakTo((packet, audioLevel) => {
      if (producer.closed) return;
      const rewritten = rewriteRtp(packet, { ssrc: this.ssrc, payloadType, audioLevelExtensionId: AUDIO_LEVEL_ID, audioLevel });
      producer.send(Buffer.from(rewritten.buffer, rewritten.byteOffset, rewritten.byteLength));
    });
    // As after a browser's produce: everyone else starts receiving it.
    await meeting.media.consumeFromAll(this.peer.id, this.micId);
  }

  private async receive({ consumerId, kind }: NotificationData<'newConsumer'>): Promise<void> {
    if (kind !== 'audio' || !this.meeting) return;
    const consumer = this.meeting.media.consumersOf(this.peer.id).find((candidate) => candidate.id === consumerId);
    if (!consumer) return;
    const codec = consumer.rtpParameters.codecs[0]!;
    this.call.mixer.addInput(consumerId, codecOfMimeType(codec.mimeType), codec.payloadType);
    consumer.on('rtp', (packet) => this.call.mixer.push(consumerId, packet, performance.now()));
    consumer.observer.once('close', () => this.call.mixer.removeInput(consumerId));
    await this.meeting.media.setConsumerPaused(this.peer.id, consumerId, false);
  }

  /** The worker died: new transports, the producer again, and everything offered again. */
  private async restartMedia(): Promise<void> {
    // The old consumers closed with the worker, and took their mix inputs with them.
    this.call.speakTo(undefined);
    await this.startSending();
    await this.meeting!.media.consumeExisting(this.peer.id);
  }

  private async onDigit(digit: string): Promise<void> {
    this.digits = (this.digits + digit).slice(-MUTE_SEQUENCE.length);
    if (this.digits !== MUTE_SEQUENCE || !this.micId || !this.meeting) return;
    this.digits = '';
    const producer = this.meeting.media.producer(this.peer.id, this.micId);
    if (!producer) return;
    const muting = !producer.paused;
    await this.meeting.media.setProducerPaused(this.peer.id, this.micId, muting);
    await this.call.say(muting ? this.prompts.muted : this.prompts.unmuted);
  }

  private async goodbye(prompt: Int16Array): Promise<void> {
    this.call.speakTo(undefined);
    this.call.mixer.clearPrompts();
    await this.call.say(prompt);
  }
}

const PAYLOAD_TYPES: Record<PhoneCodec['name'], number> = { PCMU: 0, PCMA: 8, opus: 100 };

function producerParameters(codec: PhoneCodec, ssrc: number): types.RtpParameters {
  return {
    codecs: [
      {
        mimeType: codec.name === 'opus' ? 'audio/opus' : `audio/${codec.name}`,
        payloadType: PAYLOAD_TYPES[codec.name],
        clockRate: codec.clockRate,
        channels: codec.channels,
        ...(codec.name === 'opus' ? { parameters: { useinbandfec: 1 } } : {}),
      },
    ],
    headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: AUDIO_LEVEL_ID }],
    encodings: [{ ssrc }],
    rtcp: { cname: `phone-${ssrc}`, reducedSize: true },
  };
}
