/**
 * The media of one room on this node: its routers (see RouterGroup), the
 * media of each participant in the meeting (PeerMedia), producers piped in
 * from other nodes, and who is speaking. It knows nothing of roles, lobbies
 * or connections: the meeting adds a participant's media when they enter and
 * removes it when they leave, and listens to the events below.
 *
 * Consumers are always created paused and resumed by the receiving client
 * once it is ready, so a video stream needs only one keyframe.
 */
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { SignallingError } from '../protocol/errors.js';
import type { RtpParameters } from '../protocol/mediasoup-schemas.js';
import type { MediaSource, PeerInfo, RequestData, ResponseData } from '../protocol/messages.js';
import { webRtcTransportOptions } from '../rtc/transport-options.js';
import type { WorkerPool } from '../rtc/worker-pool.js';
import { media } from './media-error.js';
import { PeerMedia, type Direction, type MediaLink, type Notify } from './peer-media.js';
import { RouterGroup } from './router-group.js';
import { SpeakerDetector } from './speaker-detector.js';

const KIND_OF_SOURCE: Record<MediaSource, 'audio' | 'video'> = {
  mic: 'audio',
  camera: 'video',
  screen: 'video',
  'screen-audio': 'audio',
};

/** A producer of a peer on another node, piped into this room's router. */
interface PipedProducer {
  producer: types.Producer;
  peerId: string;
  source: MediaSource;
}

/** The simulcast layers a new video consumer starts at (other consumers ignore them). */
const FIRST_LAYERS = { spatialLayer: 0 };

export interface ProducerEvent {
  peerId: string;
  producerId: string;
  source: MediaSource;
}

export interface MediaRoomEvents {
  producerAdded: [ProducerEvent];
  producerPaused: [ProducerEvent & { paused: boolean }];
  producerClosed: [ProducerEvent];
  /** Who is speaking now, loudest first. */
  speakers: [peerIds: string[]];
  /**
   * A router died with its worker. These participants' transports,
   * producers and consumers died with it; they stay in the meeting with
   * fresh, empty media and must create their transports again.
   */
  mediaLost: [peerIds: string[]];
  /** The first router was replaced (its worker died): pipes from other nodes must be set up again into this one. */
  primaryReplaced: [router: types.Router];
  /** A lost router could not be replaced: the room's media is gone. */
  failed: [];
  /** A producer of a peer on another node is now piped in (see `inPrimary`). */
  pipedAdded: [ProducerEvent];
  /**
   * A participant's WebRTC transport connected, or ended (DTLS closed or
   * failed, or ICE consent lapsed). Browsers are followed through their
   * WebSocket instead; a WHIP or WHEP session has only this.
   */
  transportState: [{ peerId: string; state: 'connected' | 'ended' }];
}

export class MediaRoom extends EventEmitter<MediaRoomEvents> {
  private readonly peers = new Map<string, PeerMedia>();
  private readonly piped = new Map<string, PipedProducer>();
  /** Media made for viewers only (the WHEP mix): never announced, never offered to participants. */
  private readonly forViewers = new Map<string, types.Producer>();
  private readonly assignments = new Map<PeerMedia, Promise<types.Router>>();
  /** Transports and producers being created, so concurrent requests cannot make two of one kind. */
  private readonly creating = new Set<string>();
  private isClosed = false;

  private constructor(
    private readonly group: RouterGroup,
    private speakers: SpeakerDetector,
    private readonly config: Config,
    private readonly logger: FastifyBaseLogger,
  ) {
    super();
    group.onRouterLost = (router, wasPrimary) =>
      void this.recover(router, wasPrimary).catch((error: unknown) => this.logger.error({ err: error }, 'moving the participants of a lost router failed'));
    speakers.on('changed', (peerIds) => this.emit('speakers', peerIds));
  }

  static async create(pool: WorkerPool, config: Config, logger: FastifyBaseLogger): Promise<MediaRoom> {
    const group = await RouterGroup.create(pool, config.PARLEY_ROOM_PEERS_PER_ROUTER);
    const speakers = await SpeakerDetector.create(group.primary);
    return new MediaRoom(group, speakers, config, logger);
  }

  /** The first router: its capabilities are every router's, and other nodes pipe into it. */
  get router(): types.Router {
    return this.group.primary;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** A participant entered the meeting: it may now send and receive. */
  add(peerId: string, rtpCapabilities: types.RtpCapabilities, notify: Notify, link: MediaLink = 'webrtc'): void {
    if (this.isClosed) throw new SignallingError('invalid_state', 'this meeting has closed');
    this.peers.set(peerId, new PeerMedia(peerId, rtpCapabilities, notify, link));
  }

  /**
   * A viewer (a WHEP player) whose transport lives on `router`, a router
   * made with the player's own payload types (mediasoup sends with its
   * router's numbers, and an offerer expects its own). What it receives is
   * piped there from the room's routers.
   */
  addViewer(peerId: string, rtpCapabilities: types.RtpCapabilities, notify: Notify, router: types.Router): void {
    if (this.isClosed) throw new SignallingError('invalid_state', 'this meeting has closed');
    const peer = new PeerMedia(peerId, rtpCapabilities, notify, 'viewer');
    peer.router = router;
    this.peers.set(peerId, peer);
    this.assignments.set(peer, Promise.resolve(router));
  }

  /** A phone's two DirectTransports (see PeerMedia), made once; their ids name them in `produce`. */
  async openDirect(peerId: string): Promise<{ send: string; recv: string }> {
    const peer = this.member(peerId);
    if (peer.link !== 'direct') throw new SignallingError('invalid_state', 'this participant uses WebRTC');
    if (peer.transports.size === 0) {
      const router = await this.assignRouter(peer);
      const [send, recv] = await media(() => Promise.all([router.createDirectTransport(), router.createDirectTransport()]));
      if (peer.closed) {
        send.close();
        recv.close();
        throw new SignallingError('invalid_state', 'the session has closed');
      }
      peer.transports.set('send', send);
      peer.transports.set('recv', recv);
    }
    return { send: peer.transports.get('send')!.id, recv: peer.transports.get('recv')!.id };
  }

  /** A phone's producer, to which the phone bridge hands the RTP it receives. */
  producer(peerId: string, producerId: string): types.Producer | undefined {
    return this.peers.get(peerId)?.producers.get(producerId)?.producer;
  }

  /** A participant left: its transports close, and with them its producers and consumers. */
  remove(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this.peers.delete(peerId);
    peer.close();
    if (peer.router && peer.link !== 'viewer') this.group.release(peer.router);
    this.assignments.delete(peer);
  }

  /** What a participant sends, as others see it. */
  producersOf(peerId: string): PeerInfo['producers'] {
    return [...(this.peers.get(peerId)?.producers.values() ?? [])].map(({ producer, source }) => ({
      id: producer.id,
      source,
      paused: producer.paused,
    }));
  }

  /** The router a participant's transports are on (tests and metrics). */
  routerOf(peerId: string): types.Router | undefined {
    return this.peers.get(peerId)?.router;
  }

  /** A participant's consumers (tests and metrics). */
  consumersOf(peerId: string): types.Consumer[] {
    return [...(this.peers.get(peerId)?.consumers.values() ?? [])];
  }

  counts(): { producers: number; consumers: number } {
    let producers = 0;
    let consumers = 0;
    for (const peer of this.peers.values()) {
      producers += peer.producers.size;
      consumers += peer.consumers.size;
    }
    return { producers, consumers };
  }

  /** The participant's transport in `direction`: the one it has, or a new one. */
  async createTransport(peerId: string, direction: Direction): Promise<ResponseData<'createWebRtcTransport'>> {
    const peer = this.member(peerId);
    if (peer.link === 'direct') throw new SignallingError('invalid_state', 'this participant does not use WebRTC');
    const existing = peer.transports.get(direction);
    if (existing?.type === 'webrtc') return describeTransport(existing);
    const key = `${peerId}:${direction}`;
    if (this.creating.has(key)) throw new SignallingError('invalid_state', `a ${direction} transport is being made`);
    this.creating.add(key);
    let transport: types.WebRtcTransport;
    try {
      const router = await this.assignRouter(peer);
      transport = await media(() => router.createWebRtcTransport(webRtcTransportOptions(this.config)));
    } finally {
      this.creating.delete(key);
    }
    if (peer.closed) {
      transport.close();
      throw new SignallingError('invalid_state', 'the session has closed');
    }
    peer.transports.set(direction, transport);
    transport.on('dtlsstatechange', (state) => {
      if (state === 'connected') this.emit('transportState', { peerId, state: 'connected' });
      if (state === 'failed' || state === 'closed') {
        this.logger.warn({ peerId, direction, state }, 'DTLS ended');
        this.emit('transportState', { peerId, state: 'ended' });
      }
    });
    // ICE consent lapsed (mediasoup's 30 s without a STUN check): the other end is gone.
    transport.on('icestatechange', (state) => state === 'disconnected' && this.emit('transportState', { peerId, state: 'ended' }));
    return describeTransport(transport);
  }

  async restartIce(peerId: string, transportId: string): Promise<types.IceParameters> {
    const transport = this.transportOf(peerId, transportId);
    return media(() => transport.restartIce());
  }

  async connectTransport(peerId: string, { transportId, dtlsParameters }: RequestData<'connectWebRtcTransport'>): Promise<void> {
    const transport = this.transportOf(peerId, transportId);
    await media(() => transport.connect({ dtlsParameters }));
  }

  async produce(peerId: string, request: RequestData<'produce'>): Promise<string> {
    const peer = this.member(peerId);
    const transport = peer.transports.get('send');
    if (!transport || transport.id !== request.transportId) {
      throw new SignallingError('not_found', `no send transport ${request.transportId}`);
    }
    const key = `${peerId}:${request.source}`;
    if (peer.producerFor(request.source) || this.creating.has(key)) {
      throw new SignallingError('invalid_state', `already sending ${request.source}`);
    }
    if (request.kind !== KIND_OF_SOURCE[request.source]) {
      throw new SignallingError('bad_message', `/kind: ${request.source} must be ${KIND_OF_SOURCE[request.source]}`);
    }
    this.creating.add(key);
    let producer: types.Producer;
    try {
      producer = await media(() =>
        transport.produce({ kind: request.kind, rtpParameters: request.rtpParameters as types.RtpParameters, paused: request.paused ?? false }),
      );
    } finally {
      this.creating.delete(key);
    }
    if (peer.closed) {
      producer.close();
      throw new SignallingError('invalid_state', 'the session has closed');
    }
    const event = { peerId, producerId: producer.id, source: request.source };
    peer.producers.set(producer.id, { producer, source: request.source });
    this.group.addProducer(producer, peer.router!);
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      this.emit('producerClosed', event);
    });
    if (request.source === 'mic') await this.listenTo(producer, peerId);
    this.emit('producerAdded', event);
    return producer.id;
  }

  /**
   * A viewer receives exactly what it is given: one producer on the m-line
   * `mid` of its offer, flowing at once (a WHEP player resumes nothing).
   */
  async consumeAs(peerId: string, producerId: string, mid: string): Promise<types.Consumer> {
    const peer = this.member(peerId);
    const transport = peer.transports.get('recv');
    if (peer.link !== 'viewer' || !transport || !peer.router) throw new SignallingError('invalid_state', 'this viewer has no receive transport');
    const consumer = await media(async () => {
      const piped = await this.group.pipeOut(producerId, peer.router!);
      return transport.consume({ producerId: piped, rtpCapabilities: peer.rtpCapabilities, mid, paused: false });
    });
    if (peer.closed) {
      consumer.close();
      throw new SignallingError('invalid_state', 'the session has closed');
    }
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    return consumer;
  }

  /** Media for viewers only, sent into a direct participant's send transport (see `forViewers`). */
  async produceForViewers(peerId: string, kind: 'audio' | 'video', rtpParameters: types.RtpParameters): Promise<types.Producer> {
    const peer = this.member(peerId);
    const transport = peer.transports.get('send');
    if (peer.link !== 'direct' || !transport) throw new SignallingError('invalid_state', 'media for viewers needs a direct transport');
    const producer = await media(() => transport.produce({ kind, rtpParameters }));
    this.forViewers.set(producer.id, producer);
    this.group.addProducer(producer, peer.router!);
    producer.observer.once('close', () => this.forViewers.delete(producer.id));
    return producer;
  }

  /** Every video of the room here, this node's people's and piped in from others. */
  videos(): ProducerEvent[] {
    const local = [...this.peers.values()].flatMap((peer) =>
      [...peer.producers.values()].filter(({ producer }) => producer.kind === 'video').map(({ producer, source }) => ({ peerId: peer.peerId, producerId: producer.id, source })),
    );
    const piped = [...this.piped.values()].filter(({ producer }) => producer.kind === 'video').map(({ producer, peerId, source }) => ({ peerId, producerId: producer.id, source }));
    return [...local, ...piped];
  }

  /** Every other participant starts receiving this producer. */
  async consumeFromAll(producerPeerId: string, producerId: string): Promise<void> {
    const entry = this.peers.get(producerPeerId)?.producers.get(producerId);
    if (!entry) return;
    const receivers = [...this.peers.values()].filter((peer) => peer.peerId !== producerPeerId);
    await Promise.all(receivers.map((peer) => this.consume(peer, producerPeerId, entry.producer, entry.source)));
  }

  /** A participant whose receive transport just appeared gets everything already produced. */
  async consumeExisting(peerId: string): Promise<void> {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    const work: Promise<void>[] = [];
    for (const other of this.peers.values()) {
      if (other === peer) continue;
      for (const { producer, source } of other.producers.values()) work.push(this.consume(peer, other.peerId, producer, source));
    }
    for (const { producer, peerId: owner, source } of this.piped.values()) work.push(this.consume(peer, owner, producer, source));
    await Promise.all(work);
  }

  async setProducerPaused(peerId: string, producerId: string, paused: boolean): Promise<void> {
    const entry = this.member(peerId).producers.get(producerId);
    if (!entry) throw new SignallingError('not_found', `no producer ${producerId}`);
    // Nothing changes, so nobody is told: a pause storm costs the sender only.
    if (entry.producer.paused === paused) return;
    await media(() => (paused ? entry.producer.pause() : entry.producer.resume()));
    this.emit('producerPaused', { peerId, producerId, source: entry.source, paused });
  }

  closeProducer(peerId: string, producerId: string): void {
    const entry = this.member(peerId).producers.get(producerId);
    if (!entry) throw new SignallingError('not_found', `no producer ${producerId}`);
    entry.producer.close();
  }

  async setConsumerPaused(peerId: string, consumerId: string, paused: boolean): Promise<void> {
    const consumer = this.consumerOf(peerId, consumerId);
    await media(() => (paused ? consumer.pause() : consumer.resume()));
  }

  /** Simulcast: the receiver asks for the layer that fits its tile; other consumers ignore it. */
  async setPreferredLayers(peerId: string, consumerId: string, spatialLayer: number): Promise<void> {
    const consumer = this.consumerOf(peerId, consumerId);
    if (consumer.type === 'simulcast' || consumer.type === 'svc') await media(() => consumer.setPreferredLayers({ spatialLayer }));
  }

  /**
   * Host control: pauses a mic or camera, or ends a screen share. Returns
   * what it stopped (a paused producer is left alone).
   */
  async stopMedia(peerId: string, sources: MediaSource[]): Promise<ProducerEvent[]> {
    const stopped: ProducerEvent[] = [];
    const peer = this.peers.get(peerId);
    if (!peer) return stopped;
    for (const source of sources) {
      const entry = peer.producerFor(source);
      if (!entry) continue;
      const event = { peerId, producerId: entry.producer.id, source };
      if (source === 'screen' || source === 'screen-audio') entry.producer.close();
      else if (!entry.producer.paused) {
        await media(() => entry.producer.pause());
        this.emit('producerPaused', { ...event, paused: true });
      } else continue;
      stopped.push(event);
    }
    return stopped;
  }

  /** The participant stops sending for good (a webinar's panelist made an attendee): its producers and send transport close. */
  closeSending(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    for (const { producer } of [...peer.producers.values()]) producer.close();
    peer.transports.get('send')?.close();
    peer.transports.delete('send');
  }

  /** A producer of this node's participant, ready to be sent to another node (it lives in the first router). */
  async localProducer(producerId: string): Promise<types.Producer | undefined> {
    for (const peer of this.peers.values()) {
      const entry = peer.producers.get(producerId);
      if (!entry) continue;
      await media(() => this.group.ensureIn(producerId, this.router));
      return entry.producer;
    }
    return undefined;
  }

  /**
   * Any producer of the room, this node's or piped in, made available in the
   * first router (for the recorder's transports there); undefined if it is
   * not (yet) here.
   */
  async inPrimary(producerId: string): Promise<types.Producer | undefined> {
    const piped = this.piped.get(producerId)?.producer;
    if (piped) return piped.closed ? undefined : piped;
    return this.localProducer(producerId);
  }

  /** A producer of a peer on another node, now piped into this router: every participant here receives it. */
  async addPiped(producer: types.Producer, peerId: string, source: MediaSource): Promise<void> {
    this.piped.set(producer.id, { producer, peerId, source });
    this.group.addProducer(producer, this.router);
    producer.observer.once('close', () => this.piped.delete(producer.id));
    if (source === 'mic') await this.listenTo(producer, peerId);
    this.emit('pipedAdded', { peerId, producerId: producer.id, source });
    await Promise.all([...this.peers.values()].map((peer) => this.consume(peer, peerId, producer, source)));
  }

  isPiped(producerId: string): boolean {
    return this.piped.has(producerId);
  }

  async setPipedPaused(producerId: string, paused: boolean): Promise<void> {
    const piped = this.piped.get(producerId)?.producer;
    if (piped) await media(() => (paused ? piped.pause() : piped.resume()));
  }

  closePiped(producerId: string): void {
    this.piped.get(producerId)?.producer.close();
  }

  /** A peer on another node left: what was piped in from it closes. */
  closePipedOf(peerId: string): void {
    for (const piped of [...this.piped.values()]) if (piped.peerId === peerId) piped.producer.close();
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const peerId of [...this.peers.keys()]) this.remove(peerId);
    this.group.close();
  }

  /**
   * A router died with its worker. The participants it served get fresh,
   * empty media, once the room has a first router again, and are named in
   * `mediaLost`; everyone else only sees their consumers of the dead
   * producers close.
   */
  private async recover(lost: types.Router, wasPrimary: boolean): Promise<void> {
    if (this.isClosed) return;
    const affected = [...this.peers.values()].filter((peer) => peer.router === lost);
    for (const old of affected) {
      old.close();
      this.assignments.delete(old);
      this.peers.set(old.peerId, new PeerMedia(old.peerId, old.rtpCapabilities, old.notify, old.link));
    }
    this.logger.warn({ peers: affected.length, wasPrimary }, 'a router died with its worker; moving its participants');
    try {
      if (wasPrimary) await this.restorePrimary();
    } catch (error) {
      this.logger.error({ err: error }, 'could not replace a lost router');
      if (!this.isClosed) this.emit('failed');
      return;
    }
    if (affected.length > 0 && !this.isClosed) this.emit('mediaLost', affected.map((peer) => peer.peerId));
  }

  /** A new first router, and speaker detection on it for every microphone still alive. */
  private async restorePrimary(): Promise<void> {
    const router = await this.group.restore();
    this.speakers.removeAllListeners();
    this.speakers = await SpeakerDetector.create(router);
    this.speakers.on('changed', (peerIds) => this.emit('speakers', peerIds));
    const mics = [...this.peers.values()].flatMap((peer) =>
      [...peer.producers.values()].filter(({ source }) => source === 'mic').map(({ producer }) => this.listenTo(producer, peer.peerId)),
    );
    await Promise.all(mics);
    this.emit('primaryReplaced', router);
  }

  private member(peerId: string): PeerMedia {
    const peer = this.peers.get(peerId);
    if (!peer) throw new SignallingError('invalid_state', 'this session is not in the meeting');
    return peer;
  }

  private transportOf(peerId: string, transportId: string): types.WebRtcTransport {
    const transport = this.member(peerId).transportById(transportId);
    if (transport?.type !== 'webrtc') throw new SignallingError('not_found', `no transport ${transportId}`);
    return transport;
  }

  private consumerOf(peerId: string, consumerId: string): types.Consumer {
    const consumer = this.member(peerId).consumers.get(consumerId);
    if (!consumer) throw new SignallingError('not_found', `no consumer ${consumerId}`);
    return consumer;
  }

  private assignRouter(peer: PeerMedia): Promise<types.Router> {
    let assignment = this.assignments.get(peer);
    if (!assignment) {
      assignment = media(() => this.group.assign()).then((router) => (peer.router = router));
      this.assignments.set(peer, assignment);
    }
    return assignment;
  }

  /** Speaker detection runs on the first router; a mic on another router is piped there. */
  private async listenTo(mic: types.Producer, peerId: string): Promise<void> {
    await media(async () => {
      await this.group.ensureIn(mic.id, this.router);
      await this.speakers.add(mic, peerId);
    });
  }

  private async consume(peer: PeerMedia, producerPeerId: string, producer: types.Producer, source: MediaSource): Promise<void> {
    const transport = peer.transports.get('recv');
    const { rtpCapabilities, router } = peer;
    if (peer.link === 'viewer' || !transport || !router || producer.closed || peer.consumedProducerIds.has(producer.id)) return;
    peer.consumedProducerIds.add(producer.id);
    let consumer: types.Consumer;
    try {
      await this.group.ensureIn(producer.id, router);
      if (!router.canConsume({ producerId: producer.id, rtpCapabilities })) {
        peer.consumedProducerIds.delete(producer.id);
        return;
      }
      // Video starts at the smallest layer, whose keyframe comes soonest; the receiver's tile then asks for the one it fits.
      consumer = await transport.consume({ producerId: producer.id, rtpCapabilities, paused: true, preferredLayers: FIRST_LAYERS });
    } catch (error) {
      // The producer or the transport closed meanwhile.
      peer.consumedProducerIds.delete(producer.id);
      this.logger.debug({ err: error, peerId: peer.peerId }, 'consume skipped');
      return;
    }
    if (consumer.closed || peer.closed) return;
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

/** What a client needs to set up its side of `transport`. */
function describeTransport(transport: types.WebRtcTransport): ResponseData<'createWebRtcTransport'> {
  return {
    id: transport.id,
    iceParameters: transport.iceParameters,
    iceCandidates: transport.iceCandidates,
    dtlsParameters: transport.dtlsParameters,
  } as ResponseData<'createWebRtcTransport'>;
}
