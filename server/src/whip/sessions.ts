/**
 * The WHIP and WHEP sessions of this node, as the HTTP routes see them:
 * who may start one (a room's stream key for WHIP; a viewer token, or any
 * credential of the room, for WHEP), the caps that keep one client from
 * taking what others need, the ICE restarts and trickle of PATCH, and the
 * end of DELETE. Each meeting's stage and mix are shared by its viewers
 * here and closed with the last of them.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { CredentialClaims, Credentials } from '../auth/credentials.js';
import type { types } from 'mediasoup';
import type { Meeting } from '../meeting/meeting.js';
import type { Meetings } from '../meeting/meetings.js';
import { SignallingError } from '../protocol/errors.js';
import type { WorkerPool } from '../rtc/worker-pool.js';
import type { HttpSession } from './http-session.js';
import { WhipPublisher } from './publisher.js';
import { RoomMix } from './room-mix.js';
import { parseSdpFragment, writeSdpFragment } from './sdp-fragment.js';
import { parseOffer } from './sdp-offer.js';
import { Shared } from './shared.js';
import { Stage } from './stage.js';
import { WhepViewer, type ViewerFeeds } from './viewer.js';
import { WhipError } from './whip-error.js';

export type SessionKind = 'whip' | 'whep';

/** Sessions on one node, and from one address: a player or encoder needs one, a studio a few. */
export const MAX_SESSIONS = 1_000;
export const MAX_SESSIONS_PER_ADDRESS = 20;
/** Routers of players' payload types per meeting per node: Chrome's, Firefox's, Safari's, one more. */
const MAX_PLAYER_ROUTERS = 4;

export interface WhipSessionsDeps {
  meetings: Meetings;
  /** The workers, for routers of players' payload types. */
  pool: () => WorkerPool;
  credentials: Credentials;
  logger: FastifyBaseLogger;
}

export interface Started {
  sessionId: string;
  answer: string;
  etag: string;
}

export class WhipSessions {
  private readonly sessions = new Map<string, { kind: SessionKind; session: HttpSession }>();
  private readonly stages = new Shared<Stage>();
  private readonly mixes = new Shared<RoomMix>();
  private readonly routers = new Shared<types.Router>();
  private readonly followed = new WeakSet<Meeting>();
  private readonly meetingKeys = new WeakMap<Meeting, string>();
  /** Starts in progress, by address. */
  private readonly starting = new Map<string, number>();

  constructor(private readonly deps: WhipSessionsDeps) {}

  /** POST /whip/<room>: publishes the offer with the room's stream key. */
  async publish(roomId: string, authorization: string | undefined, sdp: string, address: string): Promise<Started> {
    const token = bearer(authorization);
    await this.assertRoom(roomId);
    const key = await this.deps.meetings.streamKeys.verify(roomId, token);
    if (!key) throw new WhipError(403, 'this stream key is not one of the meeting’s: a host creates keys under More → Studio');
    const offer = parseOffer(sdp, 'publish');
    const { session, answer } = await this.reserved(address, () => WhipPublisher.start(this.deps.meetings, roomId, key, offer, address, this.deps.logger));
    return this.track('whip', session, answer, token);
  }

  /** POST /whep/<room>: a player watches with a viewer token (or any credential of the room). */
  async watch(roomId: string, authorization: string | undefined, sdp: string, address: string): Promise<Started> {
    const token = bearer(authorization);
    await this.assertRoom(roomId);
    const claims = await this.viewer(roomId, token);
    const offer = parseOffer(sdp, 'watch');
    const { session, answer } = await this.reserved(address, () => WhepViewer.start(this.deps.meetings, this.feeds, roomId, claims, offer, address, this.deps.logger));
    return this.track('whep', session, answer, token);
  }

  /**
   * PATCH: trickled candidates (Parley is ICE-lite and needs none, so they
   * are checked and dropped: undefined, 204) or an ICE restart (new
   * credentials in the fragment): the server's new fragment and ETag.
   */
  async update(
    kind: SessionKind,
    roomId: string,
    sessionId: string,
    authorization: string | undefined,
    ifMatch: string | undefined,
    fragment: string,
  ): Promise<{ fragment: string; etag: string } | undefined> {
    const session = this.find(kind, roomId, sessionId, authorization);
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== session.etag) {
      throw new WhipError(412, 'this session’s ICE has restarted since: its ETag is no longer that one');
    }
    const parsed = parseSdpFragment(fragment);
    if (parsed.iceUfrag === undefined) return undefined;
    const transport = await session.restartIce();
    return {
      fragment: writeSdpFragment({ ice: transport.iceParameters, candidates: transport.iceCandidates, mids: session.mids }),
      etag: session.etag,
    };
  }

  /** DELETE: the session ends and its stream leaves the meeting. */
  remove(kind: SessionKind, roomId: string, sessionId: string, authorization: string | undefined): void {
    this.find(kind, roomId, sessionId, authorization).end();
  }

  closeAll(): void {
    for (const { session } of [...this.sessions.values()]) session.end();
  }

  get size(): number {
    return this.sessions.size;
  }

  private readonly feeds: ViewerFeeds = {
    stage: async (meeting) => {
      const { value, release } = await this.stages.acquire(this.keyOf(meeting), async () => new Stage(meeting.media));
      return { stage: value, release };
    },
    mix: async (meeting) => {
      const { value, release } = await this.mixes.acquire(this.keyOf(meeting), () => RoomMix.start(meeting.media, this.deps.logger));
      return { mix: value, release };
    },
    router: async (meeting, codecs) => {
      const prefix = `${this.keyOf(meeting)} `;
      const key = `${prefix}${JSON.stringify(codecs)}`;
      if (this.routers.count(prefix) >= MAX_PLAYER_ROUTERS && !this.routers.has(key)) {
        throw new WhipError(503, 'this meeting has players of too many kinds on this node; try a common browser');
      }
      const { value, release } = await this.routers.acquire(key, () => playerRouter(this.deps.pool().leastLoaded(), codecs));
      return { router: value, release };
    },
  };

  /** Feeds are a meeting's on this node: one that closes and opens again gets new ones. */
  private keyOf(meeting: Meeting): string {
    let key = this.meetingKeys.get(meeting);
    if (!key) this.meetingKeys.set(meeting, (key = randomUUID()));
    return key;
  }

  private track(kind: SessionKind, session: HttpSession, answer: string, token: string): Started {
    if (session.ended) throw new WhipError(409, 'the session ended while it was being set up');
    session.rememberToken(token);
    this.sessions.set(session.id, { kind, session });
    session.onEnded(() => this.sessions.delete(session.id));
    this.follow(session);
    return { sessionId: session.id, answer, etag: session.etag };
  }

  /** Transport states reach each meeting's sessions through one listener per meeting. */
  private follow(session: HttpSession): void {
    const meeting = session.attachedMeeting;
    if (!meeting || this.followed.has(meeting)) return;
    this.followed.add(meeting);
    meeting.media.on('transportState', ({ peerId, state }) => {
      for (const { session: candidate } of this.sessions.values()) if (candidate.peer.id === peerId) candidate.transportState(state);
    });
  }

  /** The session at that URL, to a client holding the token that made it (RFC 9725 §4.5). */
  private find(kind: SessionKind, roomId: string, sessionId: string, authorization: string | undefined): HttpSession {
    const token = bearer(authorization);
    const entry = this.sessions.get(sessionId);
    if (!entry || entry.kind !== kind || entry.session.roomId !== roomId || entry.session.ended) {
      throw new WhipError(404, 'no such session: it has ended, or it lives on another node');
    }
    if (!entry.session.madeWith(token)) throw new WhipError(403, 'this session was made with another token');
    return entry.session;
  }

  private async assertRoom(roomId: string): Promise<void> {
    if (!(await this.deps.meetings.describe(roomId))) throw new WhipError(404, 'no such meeting: it has ended or expired, or never existed');
  }

  /**
   * Runs a session's start within the caps, counting the starts still in
   * progress: many POSTs at once cannot all pass the check before any is tracked.
   */
  private async reserved<T>(address: string, start: () => Promise<T>): Promise<T> {
    const starting = [...this.starting.values()].reduce((sum, count) => sum + count, 0);
    if (this.sessions.size + starting >= MAX_SESSIONS) throw new WhipError(503, 'this server has as many streams as it takes; try again later');
    const fromAddress = [...this.sessions.values()].filter(({ session }) => session.peer.address === address).length + (this.starting.get(address) ?? 0);
    if (address && fromAddress >= MAX_SESSIONS_PER_ADDRESS) throw new WhipError(429, 'too many streams from your address; end one first');
    this.starting.set(address, (this.starting.get(address) ?? 0) + 1);
    try {
      return await start();
    } finally {
      const left = this.starting.get(address)! - 1;
      if (left > 0) this.starting.set(address, left);
      else this.starting.delete(address);
    }
  }

  private async viewer(roomId: string, token: string): Promise<CredentialClaims> {
    try {
      const claims = await this.deps.credentials.verify(token, roomId);
      if (claims.role === 'guest') throw new WhipError(403, 'a lobby ticket does not let you watch; ask a host for a viewer link');
      return claims;
    } catch (error) {
      if (error instanceof SignallingError) throw new WhipError(403, error.message);
      throw error;
    }
  }
}

/**
 * A router whose codecs carry a player's payload types. mediasoup gives each
 * video codec an RTX payload type from its own list as it goes, which may be
 * one the player gave a later codec: other orders are tried before the
 * player is told its numbers cannot be served.
 */
async function playerRouter(worker: types.Worker, codecs: types.RouterRtpCodecCapability[]): Promise<types.Router> {
  const audioFirst = [...codecs].sort((a, b) => (a.kind === b.kind ? (a.preferredPayloadType ?? 0) - (b.preferredPayloadType ?? 0) : a.kind === 'audio' ? -1 : 1));
  for (const order of [audioFirst, [...audioFirst].reverse(), codecs]) {
    try {
      return await worker.createRouter({ mediaCodecs: order });
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
  }
  throw new WhipError(406, 'Parley cannot send with the payload type numbers this offer gives; offer others');
}

/** The bearer token of an Authorization header (RFC 6750), or a 401 saying what is missing. */
function bearer(authorization: string | undefined): string {
  const match = /^Bearer ([\x21-\x7e]{1,4096})$/i.exec(authorization ?? '');
  if (!match) throw new WhipError(401, 'a token is required: Authorization: Bearer TOKEN');
  return match[1]!;
}
