/**
 * Joins this node's part of a room to the other nodes serving it: publishes
 * what happens here, applies what happens there, and pipes media between
 * routers on demand (node-to-node PipeTransports, set up through a signed
 * internal HTTP request).
 */
import type { types } from 'mediasoup';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { RtpParameters } from '../protocol/mediasoup-schemas.js';
import type { Room } from '../rooms/room.js';
import type { RoomRecord } from '../rooms/room-store.js';
import { participantRecord, type EntryDeps } from '../signalling/admission.js';
import { runHostCommand } from '../signalling/host-commands.js';
import type { Cluster, RoomChannel } from './cluster.js';
import type { ClusterEvent } from './events.js';
import { postInternal } from './internal-client.js';
import { NodePipes, type PipeOffer } from './node-pipes.js';

export interface PipeRequest {
  roomId: string;
  fromNode: string;
  offer: PipeOffer;
  producerId: string;
}

export interface PipeAnswer {
  offer: PipeOffer;
  kind: 'audio' | 'video';
  rtpParameters: RtpParameters;
  paused: boolean;
}

export interface RoomLinkDeps extends EntryDeps {
  cluster: Cluster;
  config: Config;
  secret: string;
  logger: FastifyBaseLogger;
}

export class RoomLink {
  private readonly pipes: NodePipes;
  private readonly piping = new Map<string, Promise<void>>();
  private channel: RoomChannel | undefined;
  /** The room's record as last known here, to put back if Redis loses it. */
  private record: RoomRecord | undefined;

  private constructor(
    private readonly room: Room,
    private readonly deps: RoomLinkDeps,
  ) {
    this.pipes = new NodePipes(room.router, {
      protocol: 'udp',
      ip: deps.config.PARLEY_RTC_LISTEN_IP,
      announcedAddress: deps.config.PARLEY_RTC_ANNOUNCED_ADDRESS,
      portRange: { min: deps.config.PARLEY_RTC_MIN_PORT, max: deps.config.PARLEY_RTC_MAX_PORT },
    });
  }

  static async open(room: Room, deps: RoomLinkDeps): Promise<RoomLink> {
    const link = new RoomLink(room, deps);
    link.record = await deps.store.getRoom(room.id);
    link.channel = await deps.cluster.openRoomChannel(room.id, (event, from) => {
      // Events arrive from the Redis subscriber; a failure here must not reach it.
      try {
        link.handle(event, from);
      } catch (error) {
        deps.logger.error({ err: error, event: event.type, from }, 'could not apply an event from another node');
      }
    });
    room.publish = (event) => {
      if (event.type === 'room' && link.record) link.record = { ...link.record, ...event.room };
      link.channel?.publish(event);
    };
    room.on('joined', () => link.pipeInAll());
    room.once('closed', () => void link.close());
    room.publish({ type: 'hello' });
    return link;
  }

  /** The far side of a pipe: consume one of our producers on the pipe to `fromNode`. */
  async servePipe({ fromNode, offer, producerId }: PipeRequest): Promise<PipeAnswer | undefined> {
    const owner = [...this.room.peers.values()].find((peer) => peer.producers.has(producerId));
    if (!owner) return undefined;
    await this.room.ensureInPrimary(producerId);
    const pipe = await this.pipes.connect(fromNode, offer);
    const consumer = await pipe.transport.consume({ producerId });
    return {
      offer: pipe.offer,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters as RtpParameters,
      paused: consumer.producerPaused,
    };
  }

  /** A node stopped serving the room, or died: its peers are gone. */
  nodeGone(nodeId: string): void {
    for (const peerId of this.room.remote.peersOn(nodeId)) this.room.removeRemotePeer(peerId);
    this.room.remote.forgetLobby(nodeId);
    this.pipes.close(nodeId);
    this.room.notifyLobby();
  }

  /**
   * Redis came back, perhaps empty: put back what this node knows (the room,
   * its settings and our participants) and ask the others to resend theirs.
   */
  async resync(): Promise<void> {
    const { store } = this.deps;
    if (!(await store.getRoom(this.room.id)) && this.record) {
      await store.createRoom(this.record).catch(() => {});
    }
    for (const peer of this.room.joinedPeers()) {
      await store.addParticipant(this.room.id, participantRecord(peer, peer.role, 'joined', this.deps.cluster.nodeId));
    }
    this.room.publish({ type: 'hello' });
    this.sendState();
  }

  private async close(): Promise<void> {
    this.pipes.closeAll();
    await this.channel?.close();
  }

  /** Everything the other nodes need to know about our peers. */
  private sendState(): void {
    for (const peer of this.room.joinedPeers()) {
      this.room.publish({ type: 'peer', peer: peer.info(), credentialId: peer.credentialId });
      for (const { producer, source } of peer.producers.values()) {
        this.room.publish({ type: 'producer', peerId: peer.id, producerId: producer.id, source });
      }
    }
    this.room.publishLobby();
  }

  private handle(event: ClusterEvent, from: string): void {
    const { room } = this;
    switch (event.type) {
      case 'hello':
        return this.sendState();
      case 'peer':
        return room.addRemotePeer({ info: event.peer, nodeId: from, credentialId: event.credentialId });
      case 'peerLeft':
        return room.removeRemotePeer(event.peerId);
      case 'lobby':
        room.remote.setWaiting(from, event.waiting);
        return room.notifyLobby();
      case 'producer':
        room.remote.producers.set(event.producerId, { nodeId: from, peerId: event.peerId, source: event.source });
        if (room.joinedPeers().length > 0) this.pipeIn(event.producerId);
        return;
      case 'producerPaused': {
        const piped = room.piped.get(event.producerId)?.producer;
        if (piped) void (event.paused ? piped.pause() : piped.resume()).catch(() => {});
        return;
      }
      case 'producerClosed':
        room.remote.producers.delete(event.producerId);
        return room.piped.get(event.producerId)?.producer.close();
      case 'chat':
        return room.broadcast('chatMessage', { message: event.message });
      case 'room':
        if (this.record) this.record = { ...this.record, ...event.room };
        return room.broadcast('roomUpdated', { room: event.room });
      case 'ended':
        return room.close(event.reason, 'ended');
      case 'command': {
        const target = room.peers.get(event.targetPeerId);
        if (!target) return;
        runHostCommand(room, target, event.command, this.deps).catch((error: unknown) =>
          this.deps.logger.warn({ err: error, command: event.command }, 'host command from another node failed'),
        );
        return;
      }
      case 'nodeLeft':
        return this.nodeGone(from);
    }
  }

  /** A local peer joined: bring in every producer from elsewhere. */
  private pipeInAll(): void {
    for (const producerId of this.room.remote.producers.keys()) this.pipeIn(producerId);
  }

  private pipeIn(producerId: string): void {
    if (this.room.piped.has(producerId) || this.piping.has(producerId)) return;
    const task = this.pipeInOnce(producerId)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, producerId }, 'could not pipe a producer in'))
      .finally(() => this.piping.delete(producerId));
    this.piping.set(producerId, task);
  }

  private async pipeInOnce(producerId: string): Promise<void> {
    const source = this.room.remote.producers.get(producerId);
    const node = source && (await this.deps.cluster.node(source.nodeId));
    if (!source || !node) return;
    const local = await this.pipes.local(source.nodeId);
    const answer = await postInternal<PipeAnswer | null>(
      node.internalUrl,
      '/internal/pipe',
      { roomId: this.room.id, fromNode: this.deps.cluster.nodeId, offer: local.offer, producerId } satisfies PipeRequest,
      this.deps.secret,
    );
    if (!answer || this.room.closed || !this.room.remote.producers.has(producerId)) return;
    const pipe = await this.pipes.connect(source.nodeId, answer.offer);
    const producer = await pipe.transport.produce({
      id: producerId,
      kind: answer.kind,
      rtpParameters: answer.rtpParameters as types.RtpParameters,
      paused: answer.paused,
    });
    await this.room.addPipedProducer(producer, source.peerId, source.source);
  }
}
