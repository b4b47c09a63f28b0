/**
 * One signalling connection: its peer, the room it is attached to, and the
 * dispatch of each request to its handler. A request is refused with
 * `invalid_state` outside the peer states its handler lists, and with
 * `forbidden` when it is a host control and the peer is not a host.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Credentials } from '../auth/credentials.js';
import type { Metrics } from '../metrics.js';
import { checkPassword } from '../auth/room-password.js';
import { SignallingError } from '../protocol/errors.js';
import { CHAT_BURST, CHAT_REFILL_MS } from '../protocol/limits.js';
import type { ClientRequest, NotificationData, RequestMethod } from '../protocol/messages.js';
import { Peer, type Connection } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import type { RoomManager } from '../rooms/room-manager.js';
import type { RoomStore } from '../rooms/room-store.js';
import type { Handler, HandlerTable, Outcome } from './handler.js';
import { hostHandlers } from './host-handlers.js';
import { participantHandlers } from './participant-handlers.js';
import type { SuspendedSessions } from './suspended-sessions.js';
import { TokenBucket } from './token-bucket.js';

/** ICE servers and policy for a peer that enters the meeting. */
export type IceConfig = (peerId: string) => Pick<NotificationData<'joined'>, 'iceServers' | 'iceTransportPolicy'>;

export interface SessionDeps {
  /** This node, as recorded with each participant. */
  nodeId: string;
  suspended: SuspendedSessions;
  metrics: Metrics;
  ice: IceConfig;
  rooms: RoomManager;
  store: RoomStore;
  credentials: Credentials;
  logger: FastifyBaseLogger;
}

const handlers: HandlerTable<RequestMethod> = { ...participantHandlers, ...hostHandlers };
const MAX_WRONG_PASSWORDS = 5;

export class Session {
  readonly peer: Peer;
  readonly chatLimiter = new TokenBucket(CHAT_BURST, CHAT_REFILL_MS);
  readonly openedAt = Date.now();
  /** Browsers report time to first media once per session. */
  firstMediaReported = false;
  private room: Promise<Room> | undefined;
  private closing = false;
  private wrongPasswords = 0;

  constructor(
    readonly roomId: string,
    readonly deps: SessionDeps,
    connection: Connection,
  ) {
    this.peer = new Peer(randomUUID(), connection);
  }

  /** Whether this session has ended (or is ending). */
  get ended(): boolean {
    return this.closing;
  }

  async handle(request: ClientRequest): Promise<Outcome<RequestMethod>> {
    const handler = handlers[request.method] as Handler<RequestMethod>;
    if (this.closing) throw new SignallingError('invalid_state', 'this session has ended');
    if (!handler.states.includes(this.peer.state)) {
      throw new SignallingError('invalid_state', `${request.method} is not allowed while ${this.peer.state}`);
    }
    if (handler.hostOnly && this.peer.role !== 'host') {
      throw new SignallingError('forbidden', `only a host can ${request.method}`);
    }
    return handler.run(this, request.data);
  }

  /** Checks a room password; the fifth wrong one ends the connection. */
  async checkPassword(password: string | undefined, hash: string): Promise<void> {
    if (password === undefined) throw new SignallingError('password_required', 'this meeting needs a password');
    if (await checkPassword(password, hash)) return;
    if (++this.wrongPasswords >= MAX_WRONG_PASSWORDS) this.peer.disconnect();
    throw new SignallingError('password_incorrect', 'that password is not right');
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
    if (room) room.leave(this.peer);
    this.peer.close();
    // Also when a host or the room ended the session first.
    if (room) await this.deps.store.removeParticipant(room.id, this.peer.id);
  }
}
