/**
 * One signalling connection: its peer, the meeting it is attached to, and
 * the dispatch of each request to its handler. A request is refused with
 * `invalid_state` outside the peer states its handler lists, and with
 * `forbidden` when it is a host control and the peer is not a host, or the
 * peer's role is not among the handler's roles (a webinar's attendees
 * send no media and no chat).
 *
 * Concurrency rule: **the requests of one connection are handled one at a
 * time**, in the order they arrived. A request starts only when the one
 * before it has been answered, so its handler sees the state the previous
 * one left (two `join`s in one burst are one join and one `invalid_state`).
 * Work that runs after an answer (consuming what exists) re-checks that the
 * peer is still in the meeting.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Credentials } from '../auth/credentials.js';
import type { Meeting } from '../meeting/meeting.js';
import type { Meetings } from '../meeting/meetings.js';
import type { SuspendedSessions } from '../meeting/suspended-sessions.js';
import { SignallingError } from '../protocol/errors.js';
import type { ClientRequest, RequestMethod } from '../protocol/messages.js';
import { Peer, type Connection } from '../roster/peer.js';
import type { Handler, HandlerSession, HandlerTable, Outcome, SessionMetrics } from './handler.js';
import { hostHandlers } from './host-handlers.js';
import { participantHandlers } from './participant-handlers.js';

export interface SessionDeps {
  meetings: Meetings;
  suspended: SuspendedSessions<HandlerSession>;
  credentials: Credentials;
  metrics: SessionMetrics;
  logger: FastifyBaseLogger;
}

const handlers: HandlerTable<RequestMethod> = { ...participantHandlers, ...hostHandlers };
/** Wrong room passwords one connection may give; the last one ends it. */
const MAX_WRONG_PASSWORDS = 5;

export class Session implements HandlerSession {
  readonly peer: Peer;
  /** Browsers report time to first media once per session. */
  firstMediaReported = false;
  private meeting: Promise<Meeting> | undefined;
  private closing = false;
  private wrongPasswords = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly roomId: string,
    address: string,
    readonly deps: SessionDeps,
    connection: Connection,
  ) {
    this.peer = new Peer(randomUUID(), connection, address);
  }

  /** Whether this session has ended (or is ending). */
  get ended(): boolean {
    return this.closing;
  }

  /** Handles `request` once every earlier request of this connection has been answered. */
  handle(request: ClientRequest): Promise<Outcome<RequestMethod>> {
    const turn = this.queue.then(() => this.dispatch(request));
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async dispatch(request: ClientRequest): Promise<Outcome<RequestMethod>> {
    const handler = handlers[request.method] as Handler<RequestMethod>;
    if (this.closing) throw new SignallingError('invalid_state', 'this session has ended');
    if (!handler.states.includes(this.peer.state)) {
      throw new SignallingError('invalid_state', `${request.method} is not allowed while ${this.peer.state}`);
    }
    if (handler.hostOnly && this.peer.role !== 'host') {
      throw new SignallingError('forbidden', `only a host can ${request.method}`);
    }
    if (handler.roles && !handler.roles.includes(this.peer.role)) {
      throw new SignallingError('forbidden', this.peer.role === 'attendee' ? `attendees cannot ${request.method}` : `only attendees can ${request.method}`);
    }
    try {
      return await handler.run(this, request.data);
    } catch (error) {
      // Guessing a room's password over one connection ends it after a few tries (refused guesses count too).
      const guess = error instanceof SignallingError && request.method === 'join' && (error.code === 'password_incorrect' || error.code === 'rate_limited');
      if (guess && ++this.wrongPasswords >= MAX_WRONG_PASSWORDS) {
        this.peer.disconnect();
      }
      throw error;
    }
  }

  attachedMeeting(): Promise<Meeting> {
    if (!this.meeting) {
      this.meeting = this.deps.meetings.attach(this.roomId, this.peer);
      this.meeting.catch(() => (this.meeting = undefined));
    }
    return this.meeting;
  }

  /** Leaves the meeting, which frees every transport, producer and consumer. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const meeting = await this.meeting?.catch(() => undefined);
    await meeting?.leave(this.peer);
  }
}
