/**
 * One signalling connection: its peer, the room it is attached to, and the
 * handler of each request method. Each method lists the peer states it is
 * valid in; anything else is answered with `invalid_state`.
 */
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type { FastifyBaseLogger } from 'fastify';
import { SignallingError } from '../protocol/errors.js';
import type { RtpCapabilities } from '../protocol/mediasoup-schemas.js';
import type { ClientRequest, RequestData, RequestMethod, ResponseData } from '../protocol/messages.js';
import { Peer, type Notify, type PeerState } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import type { RoomManager } from '../rooms/room-manager.js';
import type { RoomStore } from '../rooms/room-store.js';

export interface SessionDeps {
  rooms: RoomManager;
  store: RoomStore;
  logger: FastifyBaseLogger;
}

/** A handler's answer, and work to run once the answer has been sent. */
interface Outcome<M extends RequestMethod> {
  data: ResponseData<M>;
  afterResponse?: () => Promise<void>;
}

interface Handler<M extends RequestMethod> {
  states: readonly PeerState[];
  run(session: Session, data: RequestData<M>): Promise<Outcome<M>>;
}

const handlers: { [M in RequestMethod]: Handler<M> } = {
  getRouterRtpCapabilities: {
    states: ['connected'],
    async run(session) {
      const room = await session.attachedRoom();
      return { data: { rtpCapabilities: room.router.rtpCapabilities as RtpCapabilities } };
    },
  },
  join: {
    states: ['connected'],
    async run(session, { displayName, rtpCapabilities }) {
      const room = await session.attachedRoom();
      const peers = room.join(session.peer, displayName.trim(), rtpCapabilities as types.RtpCapabilities);
      await session.deps.store.addParticipant(room.id, { peerId: session.peer.id, displayName, joinedAt: Date.now() });
      return { data: { peerId: session.peer.id, peers } };
    },
  },
  createWebRtcTransport: {
    states: ['joined'],
    async run(session, { direction }) {
      const room = await session.attachedRoom();
      const data = await room.createTransport(session.peer, direction);
      return { data, afterResponse: direction === 'recv' ? () => room.consumeExisting(session.peer) : undefined };
    },
  },
  connectWebRtcTransport: {
    states: ['joined'],
    async run(session, data) {
      await (await session.attachedRoom()).connectTransport(session.peer, data);
      return { data: {} };
    },
  },
  produce: {
    states: ['joined'],
    async run(session, data) {
      const room = await session.attachedRoom();
      const producerId = await room.produce(session.peer, data);
      const { producer, source } = session.peer.producers.get(producerId)!;
      return { data: { producerId }, afterResponse: () => room.consumeFromAll(session.peer, producer, source) };
    },
  },
  pauseProducer: {
    states: ['joined'],
    async run(session, { producerId }) {
      await (await session.attachedRoom()).setProducerPaused(session.peer, producerId, true);
      return { data: {} };
    },
  },
  resumeProducer: {
    states: ['joined'],
    async run(session, { producerId }) {
      await (await session.attachedRoom()).setProducerPaused(session.peer, producerId, false);
      return { data: {} };
    },
  },
  resumeConsumer: {
    states: ['joined'],
    async run(session, { consumerId }) {
      await (await session.attachedRoom()).resumeConsumer(session.peer, consumerId);
      return { data: {} };
    },
  },
  leave: {
    states: ['connected', 'joined'],
    async run(session) {
      await session.close();
      return { data: {} };
    },
  },
};

export class Session {
  readonly peer: Peer;
  private room: Promise<Room> | undefined;
  private closing = false;

  constructor(
    readonly roomId: string,
    readonly deps: SessionDeps,
    notify: Notify,
  ) {
    this.peer = new Peer(randomUUID(), notify);
  }

  async handle(request: ClientRequest): Promise<Outcome<RequestMethod>> {
    const handler = handlers[request.method] as Handler<RequestMethod>;
    if (this.closing) throw new SignallingError('invalid_state', 'this session has ended');
    if (!handler.states.includes(this.peer.state)) {
      throw new SignallingError('invalid_state', `${request.method} is not allowed while ${this.peer.state}`);
    }
    return handler.run(this, request.data);
  }

  attachedRoom(): Promise<Room> {
    if (!this.room) {
      this.room = this.deps.rooms.attach(this.roomId, this.peer);
      this.room.catch(() => (this.room = undefined));
    }
    return this.room;
  }

  /** Leaves the room and frees every transport, producer and consumer. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const room = await this.room?.catch(() => undefined);
    const wasJoined = this.peer.state === 'joined';
    if (room) room.leave(this.peer);
    this.peer.close();
    if (room && wasJoined) await this.deps.store.removeParticipant(room.id, this.peer.id);
  }
}
