/**
 * A live room on this node: its routers (see RouterGroup), the peers attached to it
 * (waiting in the lobby or in the meeting) and who is speaking. Consumers
 * are always created paused and resumed by the receiving client once it is
 * ready, so a video stream needs only one keyframe.
 */
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { FastifyBaseLogger } from 'fastify';
import { SignallingError } from '../protocol/errors.js';
import type { RtpParameters } from '../protocol/mediasoup-schemas.js';
import type {
  MediaSource,
  NotificationData,
  NotificationMethod,
  PeerInfo,
  RequestData,
  ResponseData,
  Role,
} from '../protocol/messages.js';
import type { Config } from '../config.js';
import { webRtcTransportOptions } from '../rtc/transport-options.js';
import type { WorkerPool } from '../rtc/worker-pool.js';
import type { ClusterEvent } from '../cluster/events.js';
import type { Direction, Peer } from './peer.js';
import { RemotePeers, type RemotePeer } from './remote-peers.js';
import { RouterGroup } from './router-group.js';
import { SpeakerDetector } from './speaker-detector.js';

const KIND_OF_SOURCE: Record<MediaSource, 'audio' | 'video'> = {
  mic: 'audio',
  camera: 'video',
  screen: 'video',
  'screen-audio': 'audio',
};

export type SessionEndCause = 'removed' | 'ended' | 'server' | 'replaced';

/** A producer of a peer on another node, piped into this room's router. */
export interface PipedProducer {
  producer: types.Producer;
  peerId: string;
  source: MediaSource;
}

export class Room extends EventEmitter<{ closed: []; joined: [Peer] }> {
  readonly peers = new Map<string, Peer>();
  /** Peers, lobbies and producers of this room on other nodes. */
  readonly remote = new RemotePeers();
  readonly piped = new Map<string, PipedProducer>();
  /** Tells the other nodes serving this room; a no-op on a single node. */
  publish: (event: ClusterEvent) => void = () => {};
  private isClosed = false;

  private readonly assignments = new Map<Peer, Promise<types.Router>>();
  /** Transports and producers being created, so concurrent requests cannot make two of one kind. */
  private readonly creating = new Set<string>();

  private constructor(
    readonly id: string,
    private readonly group: RouterGroup,
    private readonly speakers: SpeakerDetector,
    private readonly config: Config,
    private readonly logger: FastifyBaseLogger,
  ) {
    super();
    group.onRouterLost = () => this.close('the media server restarted; please rejoin', 'server');
    speakers.on('changed', (peerIds) => this.broadcast('speakers', { peerIds }));
  }

  static async create(id: string, pool: WorkerPool, config: Config, logger: FastifyBaseLogger): Promise<Room> {
    const group = await RouterGroup.create(pool, config.PARLEY_ROOM_PEERS_PER_ROUTER);
    const speakers = await SpeakerDetector.create(group.primary);
    return new Room(id, group, speakers, config, logger.child({ roomId: id }));
  }

  /** The first router: its capabilities are every router's, and other nodes pipe into it. */
  get router(): types.Router {
    return this.group.primary;
  }

  private routerOf(peer: Peer): Promise<types.Router> {
    let assignment = this.assignments.get(peer);
    if (!assignment) {
      assignment = this.group.assign().then((router) => (peer.router = router));
      this.assignments.set(peer, assignment);
    }
    return assignment;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  attach(peer: Peer): void {
    this.peers.set(peer.id, peer);
  }

  joinedPeers(except?: Peer): Peer[] {
    return [...this.peers.values()].filter((peer) => peer.state === 'joined' && peer !== except);
  }

  /** Everyone in the meeting, on this node and elsewhere. */
  peerInfos(except?: Peer): PeerInfo[] {
    return [...this.joinedPeers(except).map((peer) => peer.info()), ...[...this.remote.peers.values()].map(({ info }) => info)];
  }

  waitingPeers(): Peer[] {
    return [...this.peers.values()].filter((peer) => peer.state === 'waiting');
  }

  /** Sends a notification to every joined peer (but `except`). */
  broadcast<M extends NotificationMethod>(method: M, data: NotificationData<M>, except?: Peer): void {
    for (const peer of this.joinedPeers(except)) peer.notify(method, data);
  }

  /** Everyone else learns this peer's new role, hand or media state. */
  announce(peer: Peer): void {
    if (peer.state !== 'joined') return;
    this.broadcast('peerUpdated', { peer: peer.info() }, peer);
    this.publish({ type: 'peer', peer: peer.info(), credentialId: peer.credentialId });
  }

  /** Puts a peer in the lobby and tells the hosts. */
  wait(peer: Peer, displayName: string, rtpCapabilities: types.RtpCapabilities): void {
    this.assertAttached(peer);
    peer.displayName = displayName;
    peer.rtpCapabilities = rtpCapabilities;
    peer.state = 'waiting';
    this.publishLobby();
    this.notifyLobby();
    this.logger.info({ peerId: peer.id }, 'peer waiting in the lobby');
  }

  /** Brings a peer (named, with its capabilities set) into the meeting. */
  enter(peer: Peer, role: Role): void {
    this.assertAttached(peer);
    if (this.joinedPeers().length + this.remote.peers.size >= this.config.PARLEY_MAX_PEERS_PER_ROOM) {
      throw new SignallingError('room_full', `this room is full (${this.config.PARLEY_MAX_PEERS_PER_ROOM} participants)`);
    }
    const wasWaiting = peer.state === 'waiting';
    peer.role = role;
    peer.state = 'joined';
    this.replaceEarlierSession(peer.id, peer.credentialId);
    this.broadcast('peerJoined', { peer: peer.info() }, peer);
    this.publish({ type: 'peer', peer: peer.info(), credentialId: peer.credentialId });
    if (wasWaiting) this.publishLobby();
    if (wasWaiting || role === 'host') this.notifyLobby();
    this.logger.info({ peerId: peer.id, role }, 'peer joined');
    this.emit('joined', peer);
  }

  /**
   * The same person (same credential) coming back, after a dropped
   * connection or through another node, replaces their earlier session, so
   * nobody sees them twice.
   */
  private replaceEarlierSession(id: string, credentialId: string): void {
    for (const other of this.joinedPeers()) {
      if (other.id !== id && other.credentialId === credentialId) this.dismiss(other, 'You joined from another tab or device.', 'replaced');
    }
    const remote = this.remote.byCredential(credentialId);
    if (remote && remote.info.id !== id) this.removeRemotePeer(remote.info.id);
  }

  /** A peer on another node joined or changed. */
  addRemotePeer(peer: RemotePeer): void {
    const known = this.remote.peers.has(peer.info.id);
    this.replaceEarlierSession(peer.info.id, peer.credentialId);
    this.remote.peers.set(peer.info.id, peer);
    this.broadcast(known ? 'peerUpdated' : 'peerJoined', { peer: peer.info });
  }

  removeRemotePeer(peerId: string): void {
    if (!this.remote.peers.has(peerId)) return;
    this.remote.removePeer(peerId);
    for (const piped of this.piped.values()) if (piped.peerId === peerId) piped.producer.close();
    this.broadcast('peerLeft', { peerId });
  }

  /** This node's lobby, for hosts on other nodes. */
  publishLobby(): void {
    this.publish({ type: 'lobby', waiting: this.waitingPeers().map((peer) => ({ peerId: peer.id, displayName: peer.displayName })) });
  }

  /** Tells every host who is waiting now. */
  notifyLobby(): void {
    const waiting = [
      ...this.waitingPeers().map((peer) => ({ peerId: peer.id, displayName: peer.displayName })),
      ...this.remote.waiting(),
    ];
    for (const host of this.joinedPeers().filter((peer) => peer.role === 'host')) host.notify('lobbyChanged', { waiting });
  }

  async createTransport(peer: Peer, direction: Direction): Promise<ResponseData<'createWebRtcTransport'>> {
    const key = `${peer.id}:${direction}`;
    if (peer.transports.has(direction) || this.creating.has(key)) {
      throw new SignallingError('invalid_state', `a ${direction} transport already exists`);
    }
    this.creating.add(key);
    let transport: types.WebRtcTransport;
    try {
      const router = await this.routerOf(peer);
      transport = await router.createWebRtcTransport(webRtcTransportOptions(this.config));
    } finally {
      this.creating.delete(key);
    }
    if (peer.state !== 'joined') {
      transport.close();
      throw new SignallingError('invalid_state', 'the session has closed');
    }
    peer.transports.set(direction, transport);
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.logger.warn({ peerId: peer.id, direction, state }, 'DTLS ended');
    });
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    } as ResponseData<'createWebRtcTransport'>;
  }

  async restartIce(peer: Peer, transportId: string): Promise<types.IceParameters> {
    const transport = peer.transportById(transportId);
    if (!transport) throw new SignallingError('not_found', `no transport ${transportId}`);
    return transport.restartIce();
  }

  async connectTransport(peer: Peer, { transportId, dtlsParameters }: RequestData<'connectWebRtcTransport'>): Promise<void> {
    const transport = peer.transportById(transportId);
    if (!transport) throw new SignallingError('not_found', `no transport ${transportId}`);
    await transport.connect({ dtlsParameters });
  }

  async produce(peer: Peer, request: RequestData<'produce'>): Promise<types.Producer> {
    const transport = peer.transports.get('send');
    if (!transport || transport.id !== request.transportId) {
      throw new SignallingError('not_found', `no send transport ${request.transportId}`);
    }
    const key = `${peer.id}:${request.source}`;
    if (peer.producerFor(request.source) || this.creating.has(key)) {
      throw new SignallingError('invalid_state', `already sending ${request.source}`);
    }
    if (request.kind !== KIND_OF_SOURCE[request.source]) {
      throw new SignallingError('bad_message', `/kind: ${request.source} must be ${KIND_OF_SOURCE[request.source]}`);
    }
    this.creating.add(key);
    let producer: types.Producer;
    try {
      producer = await transport.produce({
        kind: request.kind,
        rtpParameters: request.rtpParameters as types.RtpParameters,
        paused: request.paused ?? false,
      });
    } finally {
      this.creating.delete(key);
    }
    if (peer.state !== 'joined') {
      producer.close();
      throw new SignallingError('invalid_state', 'the session has closed');
    }
    peer.producers.set(producer.id, { producer, source: request.source });
    this.group.addProducer(producer, peer.router!);
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      this.publish({ type: 'producerClosed', producerId: producer.id });
      this.announce(peer);
    });
    if (request.source === 'mic') await this.listenTo(producer, peer.id);
    this.announce(peer);
    this.publish({ type: 'producer', peerId: peer.id, producerId: producer.id, source: request.source });
    return producer;
  }

  /** A producer of a peer on another node, now piped into this router: every local peer receives it. */
  async addPipedProducer(producer: types.Producer, peerId: string, source: MediaSource): Promise<void> {
    this.piped.set(producer.id, { producer, peerId, source });
    this.group.addProducer(producer, this.router);
    producer.observer.once('close', () => this.piped.delete(producer.id));
    if (source === 'mic') await this.listenTo(producer, peerId);
    await Promise.all(this.joinedPeers().map((peer) => this.consume(peer, peerId, producer, source)));
  }

  /** A producer of this node, made consumable in the first router, where node-to-node pipes live. */
  async ensureInPrimary(producerId: string): Promise<void> {
    await this.group.ensureIn(producerId, this.router);
  }

  /** Speaker detection runs on the first router; a mic on another router is piped there. */
  private async listenTo(mic: types.Producer, peerId: string): Promise<void> {
    await this.ensureInPrimary(mic.id);
    await this.speakers.add(mic, peerId);
  }

  /** Every other joined peer starts receiving this producer. */
  async consumeFromAll(producerPeer: Peer, producer: types.Producer, source: MediaSource): Promise<void> {
    await Promise.all(this.joinedPeers(producerPeer).map((peer) => this.consume(peer, producerPeer.id, producer, source)));
  }

  /** A peer whose receive transport just appeared gets everything already produced. */
  async consumeExisting(peer: Peer): Promise<void> {
    const work: Promise<void>[] = [];
    for (const other of this.joinedPeers(peer)) {
      for (const { producer, source } of other.producers.values()) work.push(this.consume(peer, other.id, producer, source));
    }
    for (const { producer, peerId, source } of this.piped.values()) work.push(this.consume(peer, peerId, producer, source));
    await Promise.all(work);
  }

  async setProducerPaused(peer: Peer, producerId: string, paused: boolean): Promise<void> {
    const entry = peer.producers.get(producerId);
    if (!entry) throw new SignallingError('not_found', `no producer ${producerId}`);
    await (paused ? entry.producer.pause() : entry.producer.resume());
    this.publish({ type: 'producerPaused', producerId, paused });
    this.announce(peer);
  }

  closeProducer(peer: Peer, producerId: string): void {
    const entry = peer.producers.get(producerId);
    if (!entry) throw new SignallingError('not_found', `no producer ${producerId}`);
    entry.producer.close();
  }

  async setConsumerPaused(peer: Peer, consumerId: string, paused: boolean): Promise<void> {
    const consumer = this.consumerOf(peer, consumerId);
    await (paused ? consumer.pause() : consumer.resume());
  }

  /** Simulcast: the receiver asks for the layer that fits its tile; other consumers ignore it. */
  async setPreferredLayers(peer: Peer, consumerId: string, spatialLayer: number): Promise<void> {
    const consumer = this.consumerOf(peer, consumerId);
    if (consumer.type === 'simulcast' || consumer.type === 'svc') await consumer.setPreferredLayers({ spatialLayer });
  }

  /** Host control: pause a mic or camera, or end a screen share, and tell its owner. */
  async stopMedia(target: Peer, sources: MediaSource[]): Promise<void> {
    for (const source of sources) {
      const entry = target.producerFor(source);
      if (!entry) continue;
      if (source === 'screen' || source === 'screen-audio') entry.producer.close();
      else if (!entry.producer.paused) {
        await entry.producer.pause();
        this.publish({ type: 'producerPaused', producerId: entry.producer.id, paused: true });
      } else continue;
      target.notify('mediaStoppedByHost', { producerId: entry.producer.id, source });
    }
    this.announce(target);
  }

  leave(peer: Peer): void {
    if (!this.peers.delete(peer.id)) return;
    const wasJoined = peer.state === 'joined';
    const wasWaiting = peer.state === 'waiting';
    peer.close();
    if (peer.router) this.group.release(peer.router);
    this.assignments.delete(peer);
    if (wasJoined) {
      this.broadcast('peerLeft', { peerId: peer.id });
      this.publish({ type: 'peerLeft', peerId: peer.id });
      this.logger.info({ peerId: peer.id }, 'peer left');
    }
    if (wasWaiting) {
      this.publishLobby();
      this.notifyLobby();
    }
    if (this.peers.size === 0) this.close();
  }

  /** Ends one peer's session: it is told why, then disconnected. */
  dismiss(peer: Peer, reason: string, cause: SessionEndCause): void {
    peer.notify('sessionClosed', { reason, cause });
    peer.disconnect();
    this.leave(peer);
  }

  /** Ends every session in the room; with a reason, peers are told why. */
  close(reason?: string, cause: SessionEndCause = 'server'): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const peer of this.peers.values()) {
      if (reason) peer.notify('sessionClosed', { reason, cause });
      if (peer.router) this.group.release(peer.router);
      peer.close();
      peer.disconnect();
    }
    if (reason) this.logger.warn({ reason }, 'room closed');
    this.publish({ type: 'nodeLeft' });
    this.peers.clear();
    this.group.close();
    this.emit('closed');
  }

  private assertAttached(peer: Peer): void {
    if (this.peers.get(peer.id) !== peer) throw new SignallingError('invalid_state', 'this session has ended');
  }

  private consumerOf(peer: Peer, consumerId: string): types.Consumer {
    const consumer = peer.consumers.get(consumerId);
    if (!consumer) throw new SignallingError('not_found', `no consumer ${consumerId}`);
    return consumer;
  }

  private async consume(peer: Peer, producerPeerId: string, producer: types.Producer, source: MediaSource): Promise<void> {
    const transport = peer.transports.get('recv');
    const { rtpCapabilities, router } = peer;
    if (!transport || !rtpCapabilities || !router || producer.closed || peer.consumedProducerIds.has(producer.id)) return;
    peer.consumedProducerIds.add(producer.id);
    let consumer: types.Consumer;
    try {
      await this.group.ensureIn(producer.id, router);
      if (!router.canConsume({ producerId: producer.id, rtpCapabilities })) {
        peer.consumedProducerIds.delete(producer.id);
        return;
      }
      consumer = await transport.consume({ producerId: producer.id, rtpCapabilities, paused: true });
    } catch (error) {
      // The producer or the transport closed meanwhile.
      peer.consumedProducerIds.delete(producer.id);
      this.logger.debug({ err: error, peerId: peer.id }, 'consume skipped');
      return;
    }
    if (consumer.closed || peer.state !== 'joined') return;
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => {
      peer.consumers.delete(consumer.id);
      peer.consumedProducerIds.delete(producer.id);
    });
    consumer.on('producerclose', () => peer.notify('consumerClosed', { consumerId: consumer.id }));
    consumer.on('producerpause', () => peer.notify('consumerPaused', { consumerId: consumer.id }));
    consumer.on('producerresume', () => peer.notify('consumerResumed', { consumerId: consumer.id }));
    peer.notify('newConsumer', {
      consumerId: consumer.id,
      producerId: producer.id,
      peerId: producerPeerId,
      kind: consumer.kind,
      source,
      rtpParameters: consumer.rtpParameters as RtpParameters,
      producerPaused: consumer.producerPaused,
    });
  }
}
