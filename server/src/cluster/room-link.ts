/**
 * Joins this node's part of a meeting to the other nodes serving it: turns
 * the meeting's events into ClusterEvents on the room's channel, hands what
 * the other nodes say to the meeting, and pipes media between routers on
 * demand (node-to-node PipeTransports, set up through a signed internal
 * HTTP request).
 */
import type { types } from 'mediasoup';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Meeting, MeetingEvent } from '../meeting/meeting.js';
import type { RtpParameters } from '../protocol/mediasoup-schemas.js';
import type { MediaSource } from '../protocol/messages.js';
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

export interface RoomLinkDeps {
  cluster: Cluster;
  config: Config;
  secret: string;
  logger: FastifyBaseLogger;
}

/** A producer on another node that may be piped in here. */
interface RemoteProducer {
  nodeId: string;
  peerId: string;
  source: MediaSource;
}

export class RoomLink {
  private pipes: NodePipes;
  private readonly remoteProducers = new Map<string, RemoteProducer>();
  private readonly piping = new Map<string, Promise<void>>();
  private channel: RoomChannel | undefined;

  private constructor(
    private readonly meeting: Meeting,
    private readonly deps: RoomLinkDeps,
  ) {
    this.pipes = this.pipesOn(meeting.media.router);
  }

  private pipesOn(router: types.Router): NodePipes {
    const { config } = this.deps;
    return new NodePipes(router, {
      protocol: 'udp',
      ip: config.PARLEY_RTC_LISTEN_IP,
      announcedAddress: config.PARLEY_RTC_ANNOUNCED_ADDRESS,
      portRange: { min: config.PARLEY_RTC_MIN_PORT, max: config.PARLEY_RTC_MAX_PORT },
    });
  }

  /** The room's first router died with its worker: what came from other nodes is piped into the new one. */
  private repipe(router: types.Router): void {
    this.pipes.closeAll();
    this.pipes = this.pipesOn(router);
    if (this.meeting.wantsRemoteMedia()) this.pipeInAll();
  }

  static async open(meeting: Meeting, deps: RoomLinkDeps, onClosed: () => void): Promise<RoomLink> {
    const link = new RoomLink(meeting, deps);
    link.channel = await deps.cluster.openRoomChannel(meeting.id, (event, from) => {
      // Events arrive from the Redis subscriber; a failure here must not reach it.
      try {
        link.handle(event, from);
      } catch (error) {
        deps.logger.error({ err: error, event: event.type, from }, 'could not apply an event from another node');
      }
    });
    meeting.on('event', (event) => link.forward(event, onClosed));
    meeting.media.on('primaryReplaced', (router) => link.repipe(router));
    link.publish({ type: 'hello' });
    return link;
  }

  /** The far side of a pipe: consume one of our producers on the pipe to `fromNode`. */
  async servePipe({ fromNode, offer, producerId }: PipeRequest): Promise<PipeAnswer | undefined> {
    const producer = await this.meeting.media.localProducer(producerId);
    if (!producer) return undefined;
    const pipe = await this.pipes.connect(fromNode, offer);
    const consumer = await pipe.transport.consume({ producerId: producer.id });
    return {
      offer: pipe.offer,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters as RtpParameters,
      paused: consumer.producerPaused,
    };
  }

  /** A node stopped serving the room, or died: its people and producers are gone. */
  nodeGone(nodeId: string): void {
    for (const [producerId, producer] of this.remoteProducers) if (producer.nodeId === nodeId) this.remoteProducers.delete(producerId);
    this.meeting.nodeGone(nodeId);
    this.pipes.close(nodeId);
  }

  /**
   * Redis came back, perhaps empty: the meeting puts back what this node
   * knows, and everyone resends their state.
   */
  async resync(): Promise<void> {
    await this.meeting.restoreRecords();
    this.publish({ type: 'hello' });
    this.meeting.announceEveryone();
  }

  private publish(event: ClusterEvent): void {
    this.channel?.publish(event);
  }

  /** The meeting's events, as the other nodes hear them. */
  private forward(event: MeetingEvent, onClosed: () => void): void {
    switch (event.type) {
      case 'entered':
        return this.pipeInAll();
      case 'closed':
        this.publish({ type: 'nodeLeft' });
        this.pipes.closeAll();
        onClosed();
        void this.channel?.close();
        return;
      default:
        return this.publish(event);
    }
  }

  private handle(event: ClusterEvent, from: string): void {
    const { meeting } = this;
    switch (event.type) {
      case 'hello':
        return meeting.announceEveryone();
      case 'peer':
        return meeting.remotePeer({ info: event.peer, nodeId: from, credentialId: event.credentialId, owner: event.owner });
      case 'peerLeft':
        for (const [producerId, producer] of this.remoteProducers) if (producer.peerId === event.peerId) this.remoteProducers.delete(producerId);
        return meeting.remotePeerLeft(event.peerId);
      case 'lobby':
        return meeting.remoteLobby(from, event.waiting);
      case 'producer':
        this.remoteProducers.set(event.producerId, { nodeId: from, peerId: event.peerId, source: event.source });
        if (meeting.wantsRemoteMedia()) this.pipeIn(event.producerId);
        return;
      case 'producerPaused':
        meeting.media.setPipedPaused(event.producerId, event.paused).catch(() => {});
        return;
      case 'producerClosed':
        this.remoteProducers.delete(event.producerId);
        return meeting.media.closePiped(event.producerId);
      case 'chat':
        return meeting.remoteChat(event.message);
      case 'question':
        return meeting.remoteQuestion(event.question);
      case 'reaction':
        return meeting.remoteReaction(event.peerId, event.reaction);
      case 'room':
        return meeting.remoteSettings(event.room);
      case 'ended':
        return meeting.close(event.reason, 'ended');
      case 'command':
        meeting.remoteCommand(event.targetPeerId, event.command).catch((error: unknown) =>
          this.deps.logger.warn({ err: error, command: event.command }, 'host command from another node failed'),
        );
        return;
      case 'stopEgress':
        meeting.remoteStopEgress(event.kind).catch((error: unknown) => this.deps.logger.warn({ err: error, kind: event.kind }, 'could not stop a recording or stream'));
        return;
      case 'hostNotice':
        return meeting.remoteHostNotice(event.notice);
      case 'nodeLeft':
        return this.nodeGone(from);
    }
  }

  /** A local peer joined: bring in every producer from elsewhere. */
  private pipeInAll(): void {
    for (const producerId of this.remoteProducers.keys()) this.pipeIn(producerId);
  }

  private pipeIn(producerId: string): void {
    if (this.meeting.media.isPiped(producerId) || this.piping.has(producerId)) return;
    const task = this.pipeInOnce(producerId)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, producerId }, 'could not pipe a producer in'))
      .finally(() => this.piping.delete(producerId));
    this.piping.set(producerId, task);
  }

  private async pipeInOnce(producerId: string): Promise<void> {
    const source = this.remoteProducers.get(producerId);
    const node = source && (await this.deps.cluster.node(source.nodeId));
    if (!source || !node) return;
    const local = await this.pipes.local(source.nodeId);
    const answer = await postInternal<PipeAnswer | null>(
      node.internalUrl,
      '/internal/pipe',
      { roomId: this.meeting.id, fromNode: this.deps.cluster.nodeId, offer: local.offer, producerId } satisfies PipeRequest,
      this.deps.secret,
    );
    if (!answer || this.meeting.closed || !this.remoteProducers.has(producerId)) return;
    const pipe = await this.pipes.connect(source.nodeId, answer.offer);
    const producer = await pipe.transport.produce({
      id: producerId,
      kind: answer.kind,
      rtpParameters: answer.rtpParameters as types.RtpParameters,
      paused: answer.paused,
    });
    await this.meeting.media.addPiped(producer, source.peerId, source.source);
  }
}
