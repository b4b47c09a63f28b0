/**
 * One participant on this node. A peer moves through explicit states:
 * `connected` (socket open, attached to a room) -> `waiting` (in the lobby)
 * -> `joined` (may send and receive media) -> `closed`. A peer may skip
 * `waiting` when the lobby lets it straight in.
 */
import type { types } from 'mediasoup';
import type { MediaSource, NotificationData, NotificationMethod, PeerInfo, Role } from '../protocol/messages.js';

export type PeerState = 'connected' | 'waiting' | 'joined' | 'closed';
export type Direction = 'send' | 'recv';

export type Notify = <M extends NotificationMethod>(method: M, data: NotificationData<M>) => void;

/** The signalling connection a peer is reached through. */
export interface Connection {
  notify: Notify;
  disconnect(): void;
}

const MAX_BACKLOG = 500;

export interface PeerProducer {
  producer: types.Producer;
  source: MediaSource;
}

export class Peer {
  state: PeerState = 'connected';
  displayName = '';
  role: Role = 'participant';
  handRaised = false;
  /** The subject of the credential this peer entered with; revoked on denial or removal. */
  credentialId = '';
  rtpCapabilities: types.RtpCapabilities | undefined;
  /** The router of the room this peer's transports live on (assigned with the first transport). */
  router: types.Router | undefined;
  readonly transports = new Map<Direction, types.WebRtcTransport>();
  readonly producers = new Map<string, PeerProducer>();
  readonly consumers = new Map<string, types.Consumer>();
  /** Producers this peer receives or is about to receive, so none is consumed twice. */
  readonly consumedProducerIds = new Set<string>();

  private connection: Connection | undefined;
  /** Notifications held while the connection is away, delivered on resume. */
  private backlog: Parameters<Notify>[] = [];
  private backlogOverflowed = false;

  constructor(
    readonly id: string,
    connection: Connection,
  ) {
    this.connection = connection;
  }

  notify: Notify = (method, data) => {
    if (this.connection) return this.connection.notify(method, data);
    if (this.backlog.length < MAX_BACKLOG) this.backlog.push([method, data] as Parameters<Notify>);
    else this.backlogOverflowed = true;
  };

  /** Closes this peer's signalling connection, if it has one. */
  disconnect(): void {
    this.connection?.disconnect();
  }

  /** The connection dropped: hold notifications until it comes back. */
  suspend(): void {
    this.connection = undefined;
  }

  /** A new connection takes over; false when too much was missed to catch up. */
  resume(connection: Connection): boolean {
    if (this.backlogOverflowed || this.state !== 'joined') return false;
    this.connection = connection;
    for (const [method, data] of this.backlog.splice(0)) connection.notify(method, data);
    return true;
  }

  producerFor(source: MediaSource): PeerProducer | undefined {
    return [...this.producers.values()].find((entry) => entry.source === source);
  }

  transportById(transportId: string): types.WebRtcTransport | undefined {
    return [...this.transports.values()].find((transport) => transport.id === transportId);
  }

  info(): PeerInfo {
    return {
      id: this.id,
      displayName: this.displayName,
      role: this.role,
      handRaised: this.handRaised,
      producers: [...this.producers.values()].map(({ producer, source }) => ({
        id: producer.id,
        source,
        paused: producer.paused,
      })),
    };
  }

  /** Closing the transports closes every producer and consumer on them. */
  close(): void {
    this.state = 'closed';
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
    this.consumedProducerIds.clear();
  }
}
