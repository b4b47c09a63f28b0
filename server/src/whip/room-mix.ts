/**
 * The sound WHEP players hear: everyone in the meeting, mixed into one Opus
 * stream on this node. One mix per meeting per node, whatever the number of
 * players: it consumes every audio producer (this node's people's and those
 * piped in) through a DirectTransport like a phone does, mixes them with
 * `audio/Mixer` every 20 ms, and produces the result for viewers only
 * (MediaRoom.produceForViewers), so nobody in the meeting receives it and no
 * other node or recording sees it. It runs while a player watches.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { types } from 'mediasoup';
import { codecOfMimeType, createEncoder, frameSamples, OPUS, type AudioEncoder } from '../audio/codecs.js';
import { FrameClock } from '../audio/frame-clock.js';
import { Mixer } from '../audio/mixer.js';
import { RtpStream } from '../audio/rtp.js';
import type { MediaRoom } from '../media/media-room.js';
import type { NotificationData, NotificationMethod } from '../protocol/messages.js';

const OPUS_PAYLOAD_TYPE = 100;

/** What the mix takes in: the codecs a router can send as audio. */
const MIX_CAPABILITIES: types.RtpCapabilities = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: OPUS_PAYLOAD_TYPE, rtcpFeedback: [] },
    { kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, preferredPayloadType: 0, rtcpFeedback: [] },
    { kind: 'audio', mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, preferredPayloadType: 8, rtcpFeedback: [] },
  ],
  headerExtensions: [],
};

export class RoomMix {
  private readonly mixer = new Mixer(48000);
  private readonly encoder: AudioEncoder = createEncoder(OPUS);
  private readonly ssrc = (Math.random() * 0xffffffff) >>> 0;
  private readonly sender = new RtpStream({ ssrc: this.ssrc, payloadType: OPUS_PAYLOAD_TYPE, samplesPerFrame: frameSamples(48000) });
  private readonly clock = new FrameClock(() => this.tick());
  private readonly id = `mix-${randomUUID()}`;
  private producer: types.Producer | undefined;
  private isClosed = false;
  private readonly lostHandlers = new Set<() => void>();

  private constructor(
    private readonly media: MediaRoom,
    private readonly logger: FastifyBaseLogger,
  ) {}

  /** A running mix of `media`'s sound; its producer is what viewers consume. */
  static async start(media: MediaRoom, logger: FastifyBaseLogger): Promise<RoomMix> {
    const mix = new RoomMix(media, logger);
    try {
      await mix.open();
    } catch (error) {
      mix.close();
      throw error;
    }
    return mix;
  }

  get producerId(): string {
    return this.producer!.id;
  }

  /** Runs `handler` if the mix dies with its worker; the returned function forgets it. */
  onLost(handler: () => void): () => void {
    this.lostHandlers.add(handler);
    return () => this.lostHandlers.delete(handler);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.clock.stop();
    this.media.remove(this.id);
    this.mixer.close();
    this.encoder.close();
  }

  private async open(): Promise<void> {
    this.media.add(this.id, MIX_CAPABILITIES, this.notify, 'direct');
    await this.media.openDirect(this.id);
    this.producer = await this.media.produceForViewers(this.id, 'audio', {
      codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PAYLOAD_TYPE, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
      headerExtensions: [],
      encodings: [{ ssrc: this.ssrc }],
      rtcp: { cname: this.id, reducedSize: true },
    });
    this.clock.start();
    await this.media.consumeExisting(this.id);
  }

  /** The mix hears the meeting as a participant would: each new audio consumer becomes an input. */
  private readonly notify = <M extends NotificationMethod>(method: M, data: NotificationData<M>): void => {
    if (method === 'newConsumer') {
      this.listen(data as NotificationData<'newConsumer'>).catch((error: unknown) => this.logger.warn({ err: error }, 'the viewers’ mix could not take a stream'));
    } else if (method === 'consumerClosed') {
      this.mixer.removeInput((data as NotificationData<'consumerClosed'>).consumerId);
    } else if (method === 'mediaReset') {
      // Its worker died and took the producer with it: the mix ends, and its players with it.
      this.close();
      for (const handler of [...this.lostHandlers]) handler();
    }
  };

  private async listen({ consumerId, kind }: NotificationData<'newConsumer'>): Promise<void> {
    if (kind !== 'audio' || this.isClosed) return;
    const consumer = this.media.consumersOf(this.id).find((candidate) => candidate.id === consumerId);
    if (!consumer) return;
    const codec = consumer.rtpParameters.codecs[0]!;
    this.mixer.addInput(consumerId, codecOfMimeType(codec.mimeType), codec.payloadType);
    consumer.on('rtp', (packet) => this.mixer.push(consumerId, packet, performance.now()));
    consumer.observer.once('close', () => this.mixer.removeInput(consumerId));
    await this.media.setConsumerPaused(this.id, consumerId, false);
  }

  private tick(): void {
    const packet = this.sender.next(this.encoder.encode(this.mixer.tick()));
    if (this.producer && !this.producer.closed) this.producer.send(Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength));
  }
}
