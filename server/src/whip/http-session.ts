/**
 * What a WHIP publisher and a WHEP player have in common: a `Peer` of the
 * meeting whose connection is an HTTP resource rather than a WebSocket, one
 * WebRTC transport, and an end that comes from `DELETE`, from the meeting
 * (removed, ended, replaced, its worker lost), from the transport (DTLS
 * closed, ICE consent lapsed), or from never connecting at all.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { types } from 'mediasoup';
import type { Meeting } from '../meeting/meeting.js';
import type { NotificationMethod } from '../protocol/messages.js';
import { Peer, type Connection, type PeerKind } from '../roster/peer.js';
import type { Offer } from './sdp-offer.js';
import { WhipError } from './whip-error.js';

/** How long a session may take to connect after its answer before it is given up. */
const CONNECT_TIMEOUT_MS = 30_000;
/** What ends the session from the meeting's side. */
const ENDING: readonly NotificationMethod[] = ['sessionClosed', 'denied', 'mediaReset'];

export interface TransportDescription {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

export abstract class HttpSession implements Connection {
  readonly id = randomUUID();
  readonly peer: Peer;
  /** Set as soon as the peer is attached, so that `end` always leaves. */
  protected meeting: Meeting | undefined;
  protected transport: TransportDescription | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private isEnded = false;
  /** SHA-256 of the bearer token that made the session: PATCH and DELETE must bring it again. */
  private tokenHash: Buffer | undefined;
  private readonly endedHandlers: (() => void)[] = [];

  constructor(
    readonly roomId: string,
    kind: PeerKind,
    peerId: string,
    address: string,
    protected readonly logger: FastifyBaseLogger,
  ) {
    this.peer = new Peer(peerId, this, address, kind);
  }

  get attachedMeeting(): Meeting | undefined {
    return this.meeting;
  }

  get ended(): boolean {
    return this.isEnded;
  }

  /** The entity tag of the session's ICE state: it changes with each ICE restart. */
  get etag(): string {
    return `"${this.transport?.iceParameters.usernameFragment ?? ''}"`;
  }

  /** The mids of the offer's accepted m-lines, for the ICE restart's fragment. */
  abstract get mids(): string[];

  rememberToken(token: string): void {
    this.tokenHash = sha256(token);
  }

  madeWith(token: string): boolean {
    return this.tokenHash !== undefined && timingSafeEqual(this.tokenHash, sha256(token));
  }

  /** Runs `handler` when the session ends: at once if it already has (it may end while its POST is still being answered). */
  onEnded(handler: () => void): void {
    if (this.isEnded) handler();
    else this.endedHandlers.push(handler);
  }

  /** Throws if the session ended meanwhile (removed, replaced, the meeting over) while its POST was being answered. */
  protected assertLive(): void {
    if (this.isEnded) throw new WhipError(409, 'the session ended while it was being set up: a host removed it, or a newer one with the same key replaced it');
  }

  notify = (method: NotificationMethod): void => {
    if (ENDING.includes(method)) this.end();
  };

  disconnect(): void {
    this.end();
  }

  /** The meeting changed the transport's state (see MediaRoom's `transportState`). */
  transportState(state: 'connected' | 'ended'): void {
    if (state === 'connected') clearTimeout(this.connectTimer);
    else this.end();
  }

  /** New ICE credentials (RFC 9725 §4.4): the client restarts ICE against them. */
  async restartIce(): Promise<TransportDescription> {
    if (!this.meeting || !this.transport || this.isEnded) throw new Error('the session has not started');
    const iceParameters = await this.meeting.media.restartIce(this.peer.id, this.transport.id);
    this.transport = { ...this.transport, iceParameters };
    return this.transport;
  }

  /** Leaves the meeting, once, whatever ended the session. */
  end(): void {
    if (this.isEnded) return;
    this.isEnded = true;
    clearTimeout(this.connectTimer);
    if (this.meeting) {
      this.meeting.leave(this.peer).catch((error: unknown) => this.logger.warn({ err: error }, 'a WHIP or WHEP session could not leave its meeting'));
    }
    for (const handler of this.endedHandlers.splice(0)) handler();
  }

  /** Connects the session's transport with the offer's DTLS parameters, and gives up if nothing connects in time. */
  protected async connect(meeting: Meeting, transport: TransportDescription, offer: Offer): Promise<void> {
    this.transport = transport;
    await meeting.media.connectTransport(this.peer.id, { transportId: transport.id, dtlsParameters: offer.dtls } as never);
    this.connectTimer = setTimeout(() => {
      this.logger.info({ sessionId: this.id }, 'a WHIP or WHEP session never connected');
      this.end();
    }, CONNECT_TIMEOUT_MS);
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();
