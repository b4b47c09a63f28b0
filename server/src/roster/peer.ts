/**
 * One participant on this node, as the roster sees it: who they are, their
 * role and hand, and the signalling connection they are reached through.
 *
 * A peer's state moves only forward, through `transition`, along the table
 * below: `connected` (socket open) -> `waiting` (in the lobby) -> `joined`
 * (in the meeting) -> `closed`. `waiting` is skipped when nobody has to
 * admit them; any state may close.
 */
import { SignallingError } from '../protocol/errors.js';
import type { Role } from '../protocol/messages.js';
import type { Notify } from '../media/peer-media.js';

export type PeerState = 'connected' | 'waiting' | 'joined' | 'closed';

/**
 * What is on the other end: a browser (Parley's page or the load
 * generator), a telephone call, a WHIP publisher (OBS, an encoder), or a
 * WHEP player.
 */
export type PeerKind = 'browser' | 'phone' | 'stream' | 'viewer';

const TRANSITIONS: Record<PeerState, readonly PeerState[]> = {
  connected: ['waiting', 'joined', 'closed'],
  waiting: ['joined', 'closed'],
  joined: ['closed'],
  closed: [],
};

/** The signalling connection a peer is reached through. */
export interface Connection {
  notify: Notify;
  disconnect(): void;
}

/** Notifications held while the connection is away; more than this and the session cannot be resumed. */
const MAX_BACKLOG = 500;

export class Peer {
  private current: PeerState = 'connected';
  private name = '';
  private currentRole: Role = 'participant';
  private hand = false;
  private credential = '';
  private isOwner = false;
  private connection: Connection | undefined;
  private backlog: Parameters<Notify>[] = [];
  private backlogOverflowed = false;

  constructor(
    readonly id: string,
    connection: Connection,
    /** The client's address, for limits per address. */
    readonly address = '',
    readonly kind: PeerKind = 'browser',
  ) {
    this.connection = connection;
  }

  /** A telephone call: the phone bridge is its connection. */
  get phone(): boolean {
    return this.kind === 'phone';
  }

  get state(): PeerState {
    return this.current;
  }

  get displayName(): string {
    return this.name;
  }

  get role(): Role {
    return this.currentRole;
  }

  get handRaised(): boolean {
    return this.hand;
  }

  /** The subject of the credential this peer came with; revoked on denial or removal. */
  get credentialId(): string {
    return this.credential;
  }

  /** The meeting's creator, whom other hosts cannot remove. */
  get owner(): boolean {
    return this.isOwner;
  }

  /** Moves to `next`, or throws `invalid_state` if the table does not allow it. */
  transition(next: PeerState): void {
    if (!TRANSITIONS[this.current].includes(next)) {
      throw new SignallingError('invalid_state', `this session cannot go from ${this.current} to ${next}`);
    }
    this.current = next;
  }

  /** Who knocks or enters: set once, when the peer first asks to join. */
  identify(displayName: string, credentialId: string, owner = false): void {
    if (this.current !== 'connected') throw new SignallingError('invalid_state', 'this session has already joined');
    this.name = displayName;
    this.credential = credentialId;
    this.isOwner = owner;
  }

  setRole(role: Role): void {
    this.currentRole = role;
  }

  setHandRaised(raised: boolean): void {
    this.hand = raised;
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
    if (this.backlogOverflowed || this.current !== 'joined') return false;
    this.connection = connection;
    for (const [method, data] of this.backlog.splice(0)) connection.notify(method, data);
    return true;
  }
}
