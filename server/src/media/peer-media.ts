/**
 * One participant's media on this node: its router, its two transports and
 * the producers and consumers on them. A browser's transports are WebRTC; a
 * phone's are DirectTransports, through which the phone bridge sends and
 * receives RTP inside this process. Only MediaRoom creates and changes it.
 */
import type { types } from 'mediasoup';
import type { MediaSource, NotificationData, NotificationMethod } from '../protocol/messages.js';

export type Direction = 'send' | 'recv';
/**
 * How the participant's media reaches this node: a browser's WebRTC, a
 * phone's DirectTransports, or a viewer's WebRTC that receives only what it
 * is given (see MediaRoom.consumeAs), not everything the room has.
 */
export type MediaLink = 'webrtc' | 'direct' | 'viewer';
export type Notify = <M extends NotificationMethod>(method: M, data: NotificationData<M>) => void;

export interface PeerProducer {
  producer: types.Producer;
  source: MediaSource;
}

export class PeerMedia {
  /** The router this peer's transports live on (assigned with the first transport). */
  router: types.Router | undefined;
  readonly transports = new Map<Direction, types.WebRtcTransport | types.DirectTransport>();
  readonly producers = new Map<string, PeerProducer>();
  readonly consumers = new Map<string, types.Consumer>();
  /** Producers this peer receives or is about to receive, so none is consumed twice. */
  readonly consumedProducerIds = new Set<string>();
  private isClosed = false;

  constructor(
    readonly peerId: string,
    readonly rtpCapabilities: types.RtpCapabilities,
    readonly notify: Notify,
    readonly link: MediaLink = 'webrtc',
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  producerFor(source: MediaSource): PeerProducer | undefined {
    return [...this.producers.values()].find((entry) => entry.source === source);
  }

  transportById(transportId: string): types.WebRtcTransport | types.DirectTransport | undefined {
    return [...this.transports.values()].find((transport) => transport.id === transportId);
  }

  /** Closing the transports closes every producer and consumer on them. */
  close(): void {
    this.isClosed = true;
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
    this.consumedProducerIds.clear();
  }
}
