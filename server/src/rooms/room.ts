/**
 * A live room on this node: one mediasoup router and the peers attached to
 * it. Consumers are always created paused and resumed by the receiving
 * client once it is ready, so a video stream needs only one keyframe.
 */
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { FastifyBaseLogger } from 'fastify';
import { SignallingError } from '../protocol/errors.js';
import type { MediaSource, PeerInfo, RequestData, ResponseData } from '../protocol/messages.js';
import type { RtpParameters } from '../protocol/mediasoup-schemas.js';
import type { Config } from '../config.js';
import { mediaCodecs } from '../rtc/media-codecs.js';
import { webRtcTransportOptions } from '../rtc/transport-options.js';
import type { WorkerPool } from '../rtc/worker-pool.js';
import type { Direction, Peer } from './peer.js';

export class Room extends EventEmitter<{ closed: [] }> {
  readonly peers = new Map<string, Peer>();
  private isClosed = false;

  private constructor(
    readonly id: string,
    private readonly worker: types.Worker,
    readonly router: types.Router,
    private readonly pool: WorkerPool,
    private readonly config: Config,
    private readonly logger: FastifyBaseLogger,
  ) {
    super();
    router.observer.once('close', () => this.close('the media server restarted; please rejoin'));
  }

  static async create(id: string, pool: WorkerPool, config: Config, logger: FastifyBaseLogger): Promise<Room> {
    const worker = pool.leastLoaded();
    const router = await worker.createRouter({ mediaCodecs });
    return new Room(id, worker, router, pool, config, logger.child({ roomId: id }));
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

  join(peer: Peer, displayName: string, rtpCapabilities: types.RtpCapabilities): PeerInfo[] {
    if (this.peers.get(peer.id) !== peer) throw new SignallingError('invalid_state', 'this session has ended');
    if (this.joinedPeers().length >= this.config.PARLEY_MAX_PEERS_PER_ROOM) {
      throw new SignallingError('room_full', `this room is full (${this.config.PARLEY_MAX_PEERS_PER_ROOM} participants)`);
    }
    peer.displayName = displayName;
    peer.rtpCapabilities = rtpCapabilities;
    peer.state = 'joined';
    this.pool.adjustLoad(this.worker, +1);
    for (const other of this.joinedPeers(peer)) other.notify('peerJoined', { peer: peer.info() });
    this.logger.info({ peerId: peer.id }, 'peer joined');
    return this.joinedPeers(peer).map((other) => other.info());
  }

  async createTransport(peer: Peer, direction: Direction): Promise<ResponseData<'createWebRtcTransport'>> {
    if (peer.transports.has(direction)) {
      throw new SignallingError('invalid_state', `a ${direction} transport already exists`);
    }
    const transport = await this.router.createWebRtcTransport(webRtcTransportOptions(this.config));
    if (peer.state === 'closed') {
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

  async connectTransport(peer: Peer, { transportId, dtlsParameters }: RequestData<'connectWebRtcTransport'>): Promise<void> {
    const transport = peer.transportById(transportId);
    if (!transport) throw new SignallingError('not_found', `no transport ${transportId}`);
    await transport.connect({ dtlsParameters });
  }

  async produce(peer: Peer, request: RequestData<'produce'>): Promise<string> {
    const transport = peer.transports.get('send');
    if (!transport || transport.id !== request.transportId) {
      throw new SignallingError('not_found', `no send transport ${request.transportId}`);
    }
    if ([...peer.producers.values()].some(({ source }) => source === request.source)) {
      throw new SignallingError('invalid_state', `already sending ${request.source}`);
    }
    const expectedKind = request.source === 'mic' ? 'audio' : 'video';
    if (request.kind !== expectedKind) {
      throw new SignallingError('bad_message', `/kind: ${request.source} must be ${expectedKind}`);
    }
    const producer = await transport.produce({
      kind: request.kind,
      rtpParameters: request.rtpParameters as types.RtpParameters,
      paused: request.paused ?? false,
    });
    if (peer.state !== 'joined') {
      producer.close();
      throw new SignallingError('invalid_state', 'the session has closed');
    }
    peer.producers.set(producer.id, { producer, source: request.source });
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    return producer.id;
  }

  /** Every other joined peer starts receiving this producer. */
  async consumeFromAll(producerPeer: Peer, producer: types.Producer, source: MediaSource): Promise<void> {
    await Promise.all(this.joinedPeers(producerPeer).map((peer) => this.consume(peer, producerPeer, producer, source)));
  }

  /** A peer whose receive transport just appeared gets everything already produced. */
  async consumeExisting(peer: Peer): Promise<void> {
    const work: Promise<void>[] = [];
    for (const other of this.joinedPeers(peer)) {
      for (const { producer, source } of other.producers.values()) work.push(this.consume(peer, other, producer, source));
    }
    await Promise.all(work);
  }

  setProducerPaused(peer: Peer, producerId: string, paused: boolean): Promise<void> {
    const entry = peer.producers.get(producerId);
    if (!entry) throw new SignallingError('not_found', `no producer ${producerId}`);
    return paused ? entry.producer.pause() : entry.producer.resume();
  }

  async resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
    const consumer = peer.consumers.get(consumerId);
    if (!consumer) throw new SignallingError('not_found', `no consumer ${consumerId}`);
    await consumer.resume();
  }

  leave(peer: Peer): void {
    if (!this.peers.delete(peer.id)) return;
    const wasJoined = peer.state === 'joined';
    peer.close();
    if (wasJoined) {
      this.pool.adjustLoad(this.worker, -1);
      for (const other of this.joinedPeers()) other.notify('peerLeft', { peerId: peer.id });
      this.logger.info({ peerId: peer.id }, 'peer left');
    }
    if (this.peers.size === 0) this.close();
  }

  /** Ends every session in the room; with a reason, peers are told why. */
  close(reason?: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const peer of this.peers.values()) {
      if (reason) peer.notify('sessionClosed', { reason });
      peer.close();
    }
    if (reason) this.logger.warn({ reason }, 'room closed');
    this.peers.clear();
    this.router.close();
    this.emit('closed');
  }

  private async consume(peer: Peer, producerPeer: Peer, producer: types.Producer, source: MediaSource): Promise<void> {
    const transport = peer.transports.get('recv');
    const rtpCapabilities = peer.rtpCapabilities;
    if (!transport || !rtpCapabilities || producer.closed || peer.consumedProducerIds.has(producer.id)) return;
    if (!this.router.canConsume({ producerId: producer.id, rtpCapabilities })) return;
    peer.consumedProducerIds.add(producer.id);
    let consumer: types.Consumer;
    try {
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
      peerId: producerPeer.id,
      kind: consumer.kind,
      source,
      rtpParameters: consumer.rtpParameters as RtpParameters,
      producerPaused: consumer.producerPaused,
    });
  }
}
