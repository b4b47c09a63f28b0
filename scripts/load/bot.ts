/**
 * A participant without a browser: it joins through Parley's real HTTP and
 * WebSocket protocol, with mediasoup-client's logic running on werift
 * (msc-node), sends synthetic RTP if it publishes (or real VP8 and Opus
 * from recorded-media.ts), and counts what it receives: packets, losses
 * from sequence gaps, and bytes. A receiver either lets werift decrypt and
 * parse every packet ('decrypt', what a real client does) or counts
 * clear-text RTP headers only ('headers', see rtp-header-tap.ts), which
 * costs the load generator far less CPU.
 */
import { Device, MediaStreamTrack, RTCRtpCodecParameters, type types } from 'msc-node';
import WebSocket from 'ws';
import { nextEvent, withDeadline } from '../../server/testkit/wait.js';
import { countPacket, newStream, type ReceivedStream } from './received-stream.js';
import { tapRtpHeaders, type CountsElsewhere, type HandableSocket } from './rtp-header-tap.js';
import { sendClip, type ClipSender, type RecordedMedia } from './recorded-media.js';
import { AUDIO, VIDEO, sendSynthetic, type SyntheticSender } from './synthetic-media.js';

export type ReceiveMode = 'decrypt' | 'headers';

export interface BotOptions {
  baseUrl: string;
  roomId: string;
  name: string;
  publish: boolean;
  subscribe: boolean;
  /** How received media is counted; 'decrypt' unless said. */
  receive?: ReceiveMode;
  /** Real VP8 and Opus to publish (recorded-media.ts) instead of synthetic packets. */
  media?: RecordedMedia;
  /** Joins with this credential: a host's (from the room's host link) makes the bot a host. */
  credential?: string;
  /** Every notification the server sends, for a caller that waits for one (`recordingReady`). */
  onNotification?: (method: string, data: any) => void;
}

const NATIVE_CODECS = {
  codecs: {
    audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
    video: [
      new RTCRtpCodecParameters({
        mimeType: 'video/VP8',
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
      }),
    ],
  },
};
/** Bounds on connecting and on each answer: a server that stops answering fails the bot, not hangs it. */
const CONNECT_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 60_000;

// werift leaves out loopback candidates unless told to add them.
const LOOPBACK = { additionalSettings: { iceAdditionalHostAddresses: ['127.0.0.1'] } };

export class Bot {
  readonly received = new Map<string, ReceivedStream>();
  /** When the first packet of any stream arrived, for time-to-media figures. */
  firstMediaAt: number | undefined;
  readonly startedAt = Date.now();
  private readonly device = new Device(NATIVE_CODECS, { handlerName: 'werift' });
  private readonly pending = new Map<number, { resolve(data: any): void; reject(error: Error): void }>();
  private readonly senders: (SyntheticSender | ClipSender)[] = [];
  private readonly transports: types.Transport[] = [];
  /** Streams by SSRC, for the header tap, which sees SSRCs, not consumers. */
  private readonly bySsrc = new Map<number, ReceivedStream>();
  /**
   * The UDP sockets whose RTP this bot counts from headers ('headers' mode,
   * once connected), for a counter in another process to take over
   * (rtp-counter-process.ts); `add` adds what that counter saw.
   */
  readonly tapped: HandableSocket[] = [];
  /** Why header counting cannot work (no socket to tap, no SSRC): totals() then fails rather than report silence. */
  private countingFailure: Error | undefined;
  /** Why receiving has not started, for a caller that waits in vain: the last consume that failed, and the receive transport's state. */
  consumeFailure: Error | undefined;
  recvConnectionState = 'new';
  /** The role the server gave in `joined` (`attendee` for a webinar's newcomers); undefined from a server that names none. */
  role: string | undefined;
  private nextId = 1;
  private recvTransport!: Promise<types.Transport>;
  /** Transports Parley makes with its welcome (`joined`); the bare SFU makes none, so they are asked for. */
  private givenTransports: Partial<Record<'send' | 'recv', object>> = {};

  private constructor(
    private readonly ws: WebSocket,
    private readonly options: BotOptions,
  ) {
    ws.on('message', (raw) => this.receive(JSON.parse(raw.toString())));
    ws.on('error', () => {});
  }

  /** Connects and joins; resolves once in the meeting with its transports set up. */
  static async join(options: BotOptions): Promise<Bot> {
    const ws = new WebSocket(`${options.baseUrl.replace(/^http/, 'ws')}/ws?room=${options.roomId}`);
    ws.on('error', () => {});
    try {
      await nextEvent(ws, 'open', CONNECT_TIMEOUT_MS, `${options.name} to connect`);
    } catch (error) {
      ws.terminate();
      throw error;
    }
    const bot = new Bot(ws, options);
    try {
      await bot.start();
    } catch (error) {
      bot.close();
      throw error;
    }
    return bot;
  }

  /** Sends a request and resolves with its answer's data; rejects with the error the server gave. */
  request(method: string, data: object = {}): Promise<any> {
    const id = this.nextId++;
    const answered = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ type: 'request', id, method, data }));
    });
    return withDeadline(answered, REQUEST_TIMEOUT_MS, `${this.options.name}: the response to ${method}`).finally(() => this.pending.delete(id));
  }

  private async start(): Promise<void> {
    const { rtpCapabilities } = await this.request('getRouterRtpCapabilities');
    await this.device.load({ routerRtpCapabilities: rtpCapabilities });
    let resolveRecv!: (transport: types.Transport) => void;
    this.recvTransport = new Promise((resolve) => (resolveRecv = resolve));
    const credential = this.options.credential ? { credential: this.options.credential } : {};
    const answer = await this.request('join', { displayName: this.options.name, rtpCapabilities: this.device.rtpCapabilities, ...credential });
    if (answer.status !== 'joined') throw new Error(`${this.options.name} was put in the lobby; use a room without one`);
    if (this.options.subscribe) resolveRecv(await this.transport('recv'));
    if (!this.options.publish) return;
    const send = await this.transport('send');
    for (const [shape, source, ssrc] of [[VIDEO, 'camera', 1000], [AUDIO, 'mic', 2000]] as const) {
      const track = new MediaStreamTrack({ kind: shape.kind });
      await send.produce({ track, appData: { source } });
      const clip = this.options.media?.[shape.kind];
      this.senders.push(clip ? sendClip(track, clip, ssrc + this.nextId) : sendSynthetic(track, shape, ssrc + this.nextId));
    }
  }

  private async transport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const options = this.givenTransports[direction] ?? (await this.request('createWebRtcTransport', { direction }));
    const transport =
      direction === 'send'
        ? this.device.createSendTransport({ ...options, ...LOOPBACK })
        : this.device.createRecvTransport({ ...options, ...LOOPBACK });
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters }).then(callback, errback);
    });
    if (direction === 'recv') transport.on('connectionstatechange', (state) => (this.recvConnectionState = state));
    if (direction === 'recv' && this.options.receive === 'headers') {
      transport.on('connectionstatechange', (state) => {
        if (state !== 'connected') return;
        const tapped = tapRtpHeaders(transport, (ssrc, sequence, bytes) => {
          const stream = this.bySsrc.get(ssrc);
          if (!stream) return;
          const now = Date.now();
          this.firstMediaAt ??= now;
          countPacket(stream, sequence, bytes, now);
        });
        this.tapped.push(...tapped.map((socket) => ({ ...socket, add: (counts: CountsElsewhere) => this.addCounts(counts) })));
        if (tapped.length === 0) this.countingFailure = new Error(`${this.options.name}: found no werift UDP socket to tap for RTP headers`);
      });
    }
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.request('produce', { transportId: transport.id, kind, rtpParameters, source: appData['source'] }).then(
        ({ producerId }: { producerId: string }) => callback({ id: producerId }),
        errback,
      );
    });
    this.transports.push(transport);
    return transport;
  }

  private receive(message: any): void {
    if (message.type === 'response') {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.data);
      else waiter?.reject(new Error(`${message.error.code}: ${message.error.message}`));
      return;
    }
    this.options.onNotification?.(message.method, message.data);
    if (message.method === 'joined') {
      this.role = message.data.role;
      if (message.data.transports) this.givenTransports = message.data.transports;
    }
    if (message.method === 'newConsumer') void this.consume(message.data).catch((error: Error) => (this.consumeFailure = error));
  }

  private async consume(data: { consumerId: string; producerId: string; kind: 'audio' | 'video'; rtpParameters: types.RtpParameters }): Promise<void> {
    const transport = await this.recvTransport;
    const consumer = await transport.consume({ id: data.consumerId, producerId: data.producerId, kind: data.kind, rtpParameters: data.rtpParameters });
    const stream = newStream(data.producerId, data.kind);
    this.received.set(data.consumerId, stream);
    const ssrc = data.rtpParameters.encodings?.[0]?.ssrc;
    if (this.options.receive === 'headers') {
      if (ssrc === undefined) this.countingFailure = new Error(`${this.options.name}: consumer ${data.consumerId} has no SSRC to count`);
      else this.bySsrc.set(ssrc, stream);
    } else {
      consumer.track.onReceiveRtp.subscribe((packet) => {
        const now = Date.now();
        this.firstMediaAt ??= now;
        countPacket(stream, packet.header.sequenceNumber, packet.payload.length, now);
      });
    }
    await this.request('resumeConsumer', { consumerId: data.consumerId });
  }

  get name(): string {
    return this.options.name;
  }

  private addCounts({ ssrc, packets, lost, bytes }: CountsElsewhere): void {
    const stream = this.bySsrc.get(ssrc);
    if (!stream || packets === 0) return;
    const now = Date.now();
    if (stream.packets === 0) stream.firstAt = now;
    stream.packets += packets;
    stream.lost += lost;
    stream.bytes += bytes;
    stream.lastAt = now;
  }

  /** RTP packets this bot has sent so far, over all it publishes. */
  sentPackets(): number {
    return this.senders.reduce((sum, sender) => sum + sender.sent, 0);
  }

  /** Totals over every stream received. */
  totals(): { streams: number; packets: number; lost: number; lossRatio: number; kbps: number } {
    if (this.countingFailure) throw this.countingFailure;
    let packets = 0;
    let lost = 0;
    let kbps = 0;
    for (const stream of this.received.values()) {
      packets += stream.packets;
      lost += stream.lost;
      const seconds = (stream.lastAt - stream.firstAt) / 1000;
      if (seconds > 0) kbps += (stream.bytes * 8) / 1000 / seconds;
    }
    return { streams: this.received.size, packets, lost, lossRatio: packets + lost ? lost / (packets + lost) : 0, kbps: Math.round(kbps) };
  }

  close(): void {
    for (const sender of this.senders) sender.stop();
    for (const transport of this.transports) transport.close();
    this.ws.close();
  }
}
