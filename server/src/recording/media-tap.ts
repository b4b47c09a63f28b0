/**
 * One producer of a meeting, received by this process: a mediasoup
 * PlainTransport on the room's first router sends a consumer's RTP and RTCP
 * (multiplexed) to a UDP socket on the loopback, and every packet from that
 * transport is handed to the listeners as it comes. The recorder writes them
 * down; the live stream relays them to ffmpeg. Keyframes are asked for when
 * the tap opens, when a listener asks, and (at most once a second) after a
 * lost packet or when a picture that is not paused stops coming (a simulcast
 * sender that dropped the layer we take: mediasoup moves to another from a
 * keyframe).
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { MediaSource } from '../protocol/messages.js';

/** What taps accept: what every router offers, without RTX, FEC or header extensions (nothing here repairs or reads them). */
const TAP_CAPABILITIES: types.RtpCapabilities = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 111, rtcpFeedback: [] },
    { kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, preferredPayloadType: 0, rtcpFeedback: [] },
    { kind: 'audio', mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, preferredPayloadType: 8, rtcpFeedback: [] },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 96, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] },
    {
      kind: 'video',
      mimeType: 'video/H264',
      clockRate: 90000,
      preferredPayloadType: 102,
      parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
      rtcpFeedback: [{ type: 'nack', parameter: 'pli' }],
    },
  ],
  headerExtensions: [],
};

/** The codec of a tapped stream, as the consumer sends it. */
export interface TapCodec {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels: number;
}

export interface TapSource {
  producerId: string;
  peerId: string;
  source: MediaSource;
}

const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
const KEYFRAME_AFTER_LOSS_MS = 1_000;
/** A picture silent this long (and not paused) is asked for a keyframe. */
const STALL_MS = 500;

/** RTCP packet types 200–204 (SR, RR, SDES, BYE, APP) share the second byte's range with no RTP payload type we use. */
export const isRtcp = (packet: Buffer) => packet.length >= 8 && packet[1]! >= 200 && packet[1]! <= 204;

export class MediaTap extends EventEmitter<{ packet: [packet: Buffer, arrivalMs: number]; paused: [paused: boolean]; closed: [] }> {
  private lastSequence: number | undefined;
  private lastKeyFrameRequest = 0;
  private lastPacketAt = performance.now();
  private readonly stallCheck: NodeJS.Timeout | undefined;
  private isClosed = false;

  private constructor(
    readonly source: TapSource,
    readonly kind: 'audio' | 'video',
    readonly codec: TapCodec,
    private readonly transport: types.PlainTransport,
    private readonly consumer: types.Consumer,
    private readonly socket: dgram.Socket,
  ) {
    super();
    // Any local process may send to a loopback port: only the PlainTransport's packets are the producer's.
    const { localAddress, localPort } = transport.tuple;
    socket.on('message', (packet, from) => {
      if (from.port === localPort && from.address === localAddress) this.receive(packet);
    });
    consumer.on('producerpause', () => this.emit('paused', true));
    consumer.on('producerresume', () => {
      this.emit('paused', false);
      this.requestKeyFrame();
    });
    consumer.observer.once('close', () => this.close());
    if (kind === 'video') {
      this.stallCheck = setInterval(() => {
        if (!this.paused && performance.now() - this.lastPacketAt > STALL_MS && performance.now() - this.lastKeyFrameRequest > KEYFRAME_AFTER_LOSS_MS) {
          this.requestKeyFrame();
        }
      }, STALL_MS);
      this.stallCheck.unref();
    }
  }

  static async open(router: types.Router, producer: types.Producer, source: TapSource): Promise<MediaTap | undefined> {
    if (!router.canConsume({ producerId: producer.id, rtpCapabilities: TAP_CAPABILITIES })) return undefined;
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // A socket error (a closed port's ICMP, say) must not end the process; packets simply stop.
    socket.on('error', () => {});
    let transport: types.PlainTransport | undefined;
    try {
      transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
      await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: TAP_CAPABILITIES, paused: true });
      const codec = consumer.rtpParameters.codecs[0]!;
      const tap = new MediaTap(
        source,
        consumer.kind,
        { mimeType: codec.mimeType, payloadType: codec.payloadType, clockRate: codec.clockRate, channels: codec.channels ?? 1 },
        transport,
        consumer,
        socket,
      );
      await consumer.resume();
      tap.requestKeyFrame();
      return tap;
    } catch (error) {
      transport?.close();
      socket.close();
      throw error;
    }
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Whether the producer is paused (a camera or microphone turned off). */
  get paused(): boolean {
    return this.consumer.producerPaused;
  }

  requestKeyFrame(): void {
    if (this.kind !== 'video' || this.isClosed) return;
    this.lastKeyFrameRequest = performance.now();
    this.consumer.requestKeyFrame().catch(() => {});
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    clearInterval(this.stallCheck);
    this.transport.close();
    this.socket.close();
    this.emit('closed');
  }

  private receive(packet: Buffer): void {
    const arrivalMs = Date.now();
    if (!isRtcp(packet) && packet.length >= 12) {
      this.lastPacketAt = performance.now();
      this.watchLoss(packet.readUInt16BE(2));
    }
    this.emit('packet', packet, arrivalMs);
  }

  /** A gap in the sequence breaks a video frame: a keyframe repairs it sooner than waiting for the next. */
  private watchLoss(sequence: number): void {
    const expected = this.lastSequence === undefined ? sequence : (this.lastSequence + 1) & 0xffff;
    this.lastSequence = sequence;
    if (sequence !== expected && performance.now() - this.lastKeyFrameRequest > KEYFRAME_AFTER_LOSS_MS) this.requestKeyFrame();
  }
}
