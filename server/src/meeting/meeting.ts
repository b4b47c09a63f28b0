/**
 * The rules of one meeting on this node: who gets in (admission, lobby,
 * lock, password), roles, host commands, chat and hands, and what this node
 * learns from the others. A webinar's own rules (who sees whom, the
 * audience count, questions, panel and audience) are in audience.ts. It owns the roster (who is here) and the media
 * room (what they send), writes the store only through MeetingRecords, and
 * tells the rest of the world what happened through MeetingEvents, which the
 * cluster layer forwards to other nodes. It knows nothing of sockets.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { FastifyBaseLogger } from 'fastify';
import type { CredentialClaims, Credentials } from '../auth/credentials.js';
import { checkPassword } from '../auth/room-password.js';
import type { MediaRoom, ProducerEvent } from '../media/media-room.js';
import { SignallingError } from '../protocol/errors.js';
import { CHAT_BURST, CHAT_REFILL_MS } from '../protocol/limits.js';
import type {
  ChatMessage,
  MediaSource,
  NotificationData,
  PeerInfo,
  Question,
  Reaction,
  RecordingInfo,
  RequestData,
  ResponseData,
  Role,
  RoomSettings,
  StreamKeyInfo,
} from '../protocol/messages.js';
import type { IceConfig } from '../rtc/ice-config.js';
import type { Peer } from '../roster/peer.js';
import type { RemotePeer, WaitingPeer } from '../roster/remote-peers.js';
import { Roster } from '../roster/roster.js';
import type { RoomRecord } from '../store/room-store.js';
import { decideAdmission, newcomerRole, type Admission, type AdmissionInput } from './admission.js';
import { Audience } from './audience.js';
import type { Egress, EgressKind } from './egress.js';
import { LobbyNotices } from './lobby-notices.js';
import type { PhoneBridge } from './phone-bridge.js';
import type { MeetingRecords } from './records.js';
import type { RoomLimit } from './room-limits.js';
import { streamCredentialId, streamKeyOf, type StreamKeys } from './stream-keys.js';
import { TokenBucket } from './token-bucket.js';

export type HostCommand =
  | 'admit'
  | 'deny'
  | 'promote'
  | 'mute'
  | 'askToUnmute'
  | 'stopCamera'
  | 'stopScreenShare'
  | 'remove'
  | 'makePanelist'
  | 'makeAttendee';
/** Commands aimed at someone in the lobby; the rest act on people in the meeting. */
const LOBBY_COMMANDS: readonly HostCommand[] = ['admit', 'deny'];

export type SessionEndCause = 'removed' | 'ended' | 'server' | 'replaced';

/** What happened in this meeting on this node; each describes this node's own people only. */
export type MeetingEvent =
  /** Someone here entered the meeting, or changed role, hand or media. */
  | { type: 'peer'; peer: PeerInfo; credentialId: string; owner: boolean }
  | { type: 'peerLeft'; peerId: string }
  /** Who waits in this node's lobby now. */
  | { type: 'lobby'; waiting: WaitingPeer[] }
  | { type: 'producer'; peerId: string; producerId: string; source: MediaSource }
  | { type: 'producerPaused'; producerId: string; paused: boolean }
  | { type: 'producerClosed'; producerId: string }
  | { type: 'chat'; message: ChatMessage }
  /** A webinar question's new state (asked, answered or dismissed) on this node. */
  | { type: 'question'; question: Question }
  | { type: 'reaction'; peerId: string; reaction: Reaction }
  | { type: 'room'; room: RoomSettings }
  | { type: 'ended'; reason: string }
  /** A host here stops the recording or stream another node runs; the host role was checked here. */
  | { type: 'stopEgress'; kind: EgressKind }
  /** For every host: a recording is ready, or a recording or stream failed. */
  | { type: 'hostNotice'; notice: HostNotice }
  /** A host here acts on someone another node serves; the host role was checked here. */
  | { type: 'command'; targetPeerId: string; command: HostCommand }
  /** Someone entered the meeting on this node (media from other nodes should flow here). */
  | { type: 'entered' }
  /** This node no longer serves the meeting. */
  | { type: 'closed' };

export type HostNotice =
  | { method: 'recordingReady'; data: NotificationData<'recordingReady'> }
  | { method: 'egressFailed'; data: NotificationData<'egressFailed'> };

/** The room as its people see it. */
function roomState(record: RoomRecord): RoomSettings {
  return {
    locked: record.locked,
    lobby: record.lobby,
    recording: record.recordingNode !== undefined,
    streaming: record.streamingNode !== undefined,
    webinar: record.webinar,
  };
}

export interface MeetingDeps {
  records: MeetingRecords;
  credentials: Credentials;
  ice: IceConfig;
  maxPeers: number;
  /** A webinar's attendees, on every node together. */
  maxAttendees: number;
  /** The room's password and knock budgets, which outlive this meeting object. */
  limits: RoomLimit;
  logger: FastifyBaseLogger;
  /** Present when this server takes phone calls. */
  phones: PhoneBridge | undefined;
  /** Present when this server records and streams. */
  egress: Egress<Meeting> | undefined;
  /** The keys WHIP publishers present. */
  streamKeys: StreamKeys;
}

/** What a WHEP player is called where viewers are listed. */
const VIEWER_NAME = 'WHEP viewer';
/** Between a player's viewer link (the credential's subject) and its own identity. */
const VIEWER_SEPARATOR = '/';

/** What a removal revokes: the person's credential, or for a WHEP player the viewer link it came with. */
function revokedOnRemoval(peer: Peer): string {
  return peer.kind === 'viewer' ? peer.credentialId.split(VIEWER_SEPARATOR)[0]! : peer.credentialId;
}

/** People from one address who may wait in one meeting's lobby at once. */
const WAITING_PER_ADDRESS = 3;
/** Reactions per person: a burst of 5, then one a second. */
const REACTION_BURST = 5;
const REACTION_REFILL_MS = 1_000;
/** Hosts hear about lobby changes at most this often (the first change at once). */
const LOBBY_NOTICE_MS = 250;

export class Meeting extends EventEmitter<{ event: [MeetingEvent] }> {
  readonly roster = new Roster();
  /** Capabilities of people in the lobby, needed once they are admitted. */
  private readonly capabilities = new Map<string, types.RtpCapabilities>();
  /** People being let in, so two hosts admitting at once let them in once. */
  private readonly admitting = new Set<string>();
  private readonly chatLimits = new WeakMap<Peer, TokenBucket>();
  private readonly reactionLimits = new WeakMap<Peer, TokenBucket>();
  private readonly lobbyNotices = new LobbyNotices(() => {
    this.emitEvent({ type: 'lobby', waiting: this.roster.localLobby() });
    this.roster.notifyHosts();
  }, LOBBY_NOTICE_MS);
  /** What this node records or streams for the meeting: it stays open for it even with nobody here. */
  private readonly egressRunning = new Set<EgressKind>();
  private isClosed = false;
  private readonly audience: Audience;

  constructor(
    readonly id: string,
    readonly media: MediaRoom,
    /** The room as last known here, to put back if the store loses it. */
    private record: RoomRecord,
    private readonly deps: MeetingDeps,
  ) {
    super();
    this.audience = new Audience({
      meetingId: id,
      roster: this.roster,
      media,
      records: deps.records,
      credentials: deps.credentials,
      info: (peer) => this.info(peer),
      publishPeer: (peer) => this.emitEvent({ type: 'peer', peer: this.info(peer), credentialId: peer.credentialId, owner: peer.owner }),
      publishQuestion: (question) => this.emitEvent({ type: 'question', question }),
    });
    media.on('producerAdded', ({ peerId, producerId, source }) => {
      this.announce(peerId);
      this.emitEvent({ type: 'producer', peerId, producerId, source });
    });
    media.on('producerPaused', ({ peerId, producerId, paused }) => {
      this.emitEvent({ type: 'producerPaused', producerId, paused });
      this.announce(peerId);
    });
    media.on('producerClosed', ({ peerId, producerId }: ProducerEvent) => {
      this.emitEvent({ type: 'producerClosed', producerId });
      this.announce(peerId);
    });
    media.on('speakers', (peerIds) => this.roster.broadcast('speakers', { peerIds }));
    // Only the media of the worker's people is lost: they stay in the meeting and set it up again.
    media.on('mediaLost', (peerIds) => {
      for (const peerId of peerIds) this.roster.get(peerId)?.notify('mediaReset', { reason: 'the media server restarted' });
    });
    media.on('failed', () => this.close('the media server restarted; please rejoin', 'server'));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The room's stream keys, for its hosts (see `endStreamOf` for revoking a live one). */
  get streamKeys(): StreamKeys {
    return this.deps.streamKeys;
  }

  /** A peer as everyone else sees it. */
  info(peer: Peer): PeerInfo {
    return {
      id: peer.id,
      displayName: peer.displayName,
      role: peer.role,
      handRaised: peer.handRaised,
      producers: this.media.producersOf(peer.id),
      ...(peer.phone ? { phone: true as const } : {}),
      ...(peer.kind === 'stream' ? { stream: true as const } : {}),
    };
  }

  /** A new connection for this meeting; it may then ask to join. */
  attach(peer: Peer): void {
    if (this.isClosed) throw new SignallingError('invalid_state', 'this meeting has closed');
    this.roster.attach(peer);
  }

  // --- Getting in -----------------------------------------------------------

  async join(peer: Peer, request: RequestData<'join'>): Promise<ResponseData<'join'>> {
    const { credentials, records } = this.deps;
    // The credential is checked here (no I/O); the room and the revocation list are read together.
    const claims = request.credential ? await credentials.verify(request.credential, this.id) : undefined;
    const [record, revoked] = await Promise.all([records.room(), claims ? records.isRevoked(claims.sub) : false]);
    if (!record) throw new SignallingError('room_not_found', 'this meeting link is not valid or the meeting has ended');
    const input: AdmissionInput = {
      peerState: peer.state,
      credential: claims?.role,
      revoked,
      locked: record.locked,
      lobby: record.lobby,
      webinar: record.webinar,
      hasPassword: record.passwordHash !== undefined,
      password: 'unchecked',
    };
    let admission = decideAdmission(input);
    if (admission.kind === 'check-password') {
      admission = decideAdmission({ ...input, password: await this.guessPassword(request.password, record.passwordHash!) });
    }
    if (admission.kind === 'refuse') throw new SignallingError(admission.code, admission.message);
    if (admission.kind === 'check-password') throw new Error('admission asked for the password twice');
    peer.identify(request.displayName.trim(), claims?.sub ?? randomUUID(), claims?.owner ?? false);
    const capabilities = request.rtpCapabilities as types.RtpCapabilities;
    if (admission.kind === 'lobby') {
      await this.wait(peer, capabilities);
      const ticket = await credentials.issue(this.id, 'guest', peer.credentialId);
      return { peerId: peer.id, status: 'waiting', credential: ticket };
    }
    const credential = await this.enter(peer, admission.role, capabilities, record);
    return { peerId: peer.id, status: 'joined', credential };
  }

  /**
   * Someone on a telephone. A caller who dialled the meeting's PIN is let in
   * by a guest's rules (the PIN is their link and password at once): refused
   * while the room is locked, held in the lobby while it is on. A phone a
   * host called (`invited`) enters at once. Phones are limited per source by
   * the phone bridge, so the lobby's per-address limit does not apply. A
   * phone always sends its sound, so it joins a webinar's panel.
   */
  async joinByPhone(peer: Peer, displayName: string, capabilities: types.RtpCapabilities, invited: boolean): Promise<'joined' | 'waiting'> {
    const record = await this.deps.records.room();
    if (!record) throw new SignallingError('room_not_found', 'this meeting has ended');
    const admission: Admission = invited
      ? { kind: 'enter', role: 'participant' }
      : decideAdmission({
          peerState: peer.state,
          credential: undefined,
          revoked: false,
          locked: record.locked,
          lobby: record.lobby,
          webinar: false,
          hasPassword: false,
          password: 'absent',
        });
    if (admission.kind === 'refuse') throw new SignallingError(admission.code, admission.message);
    if (admission.kind === 'check-password') throw new Error('a phone caller was asked for a password');
    peer.identify(displayName, randomUUID(), false);
    if (admission.kind === 'lobby') {
      await this.wait(peer, capabilities);
      return 'waiting';
    }
    await this.enter(peer, admission.role, capabilities, record);
    return 'joined';
  }

  /**
   * A WHIP publisher with one of the room's stream keys: a host's invitation
   * made in advance, so it enters at once, lobby and lock or not, under the
   * key's label. A second session with the same key replaces the first.
   */
  async joinAsStream(peer: Peer, key: StreamKeyInfo): Promise<void> {
    const credentialId = streamCredentialId(key.id);
    const [record, revoked] = await Promise.all([this.deps.records.room(), this.deps.records.isRevoked(credentialId)]);
    if (!record) throw new SignallingError('room_not_found', 'this meeting has ended');
    if (revoked) throw new SignallingError('credential_revoked', 'a host removed this stream: its key publishes no more');
    peer.identify(key.label, credentialId, false);
    await this.enter(peer, 'participant', this.media.router.rtpCapabilities, record);
    // A key revoked while this one joined: the revocation looked for it before it was here.
    if (!(await this.deps.streamKeys.has(this.id, key.id))) {
      await this.leave(peer);
      throw new SignallingError('credential_revoked', 'this stream key was revoked');
    }
  }

  /**
   * A WHEP player with a viewer token a host made: an attendee that enters
   * at once, lobby and lock or not, and receives what `capabilities` (its
   * offer) can take.
   */
  async joinAsViewer(peer: Peer, claims: CredentialClaims, capabilities: types.RtpCapabilities): Promise<void> {
    const [record, revoked] = await Promise.all([this.deps.records.room(), this.deps.records.isRevoked(claims.sub)]);
    if (!record) throw new SignallingError('room_not_found', 'this meeting has ended');
    if (revoked) throw new SignallingError('credential_revoked', 'a host turned this viewer away');
    // Each player is someone of its own (players sharing a link do not replace each other); removal revokes the link itself.
    peer.identify(VIEWER_NAME, `${claims.sub}${VIEWER_SEPARATOR}${randomUUID()}`, false);
    // Outside a webinar too, a player only receives, and is counted rather than listed.
    await this.enter(peer, 'attendee', capabilities, record);
  }

  /** A revoked stream key's stream ends, here or on the node that serves it. */
  async endStreamOf(keyId: string): Promise<void> {
    const credentialId = streamCredentialId(keyId);
    const local = this.roster.joined().filter((peer) => peer.credentialId === credentialId);
    const remote = this.roster.remote.byCredential(credentialId);
    await Promise.all([...local.map((peer) => peer.id), ...(remote ? [remote.info.id] : [])].map((peerId) => this.removeByServer(peerId)));
  }

  /** A host calls a phone into this meeting (see PhoneBridge.dialOut). */
  async dialOut(host: Peer, target: string): Promise<string> {
    if (!this.deps.phones) throw new SignallingError('forbidden', 'this server does not make phone calls');
    return this.deps.phones.dialOut(this.id, target, host.id);
  }

  /** How phones reach this meeting, for its hosts. */
  private dialIn(record: RoomRecord): { dialIn?: { pin: string; uri: string } } {
    const { phones } = this.deps;
    return phones && record.dialInPin ? { dialIn: { pin: record.dialInPin, uri: phones.dialInUri(record.dialInPin) } } : {};
  }

  /** One guess at the room's password, limited per meeting whoever guesses. */
  private async guessPassword(given: string | undefined, hash: string): Promise<'absent' | 'wrong' | 'right'> {
    if (given === undefined) return 'absent';
    if (!this.deps.limits.passwordGuesses.take()) {
      throw new SignallingError('rate_limited', 'too many password attempts for this meeting; try again in a minute');
    }
    return (await checkPassword(given, hash)) ? 'right' : 'wrong';
  }

  /** Puts a peer in the lobby and tells the hosts. */
  private async wait(peer: Peer, capabilities: types.RtpCapabilities): Promise<void> {
    if (this.roster.lobby().length >= this.deps.maxPeers) {
      throw new SignallingError('room_full', 'the lobby of this meeting is full; try again later');
    }
    if (peer.address && this.roster.waiting().filter((other) => other.address === peer.address).length >= WAITING_PER_ADDRESS) {
      throw new SignallingError('too_many_requests', 'too many people from your network are already waiting to join this meeting');
    }
    if (!this.deps.limits.knocks.take()) {
      throw new SignallingError('rate_limited', 'many people are asking to join this meeting right now; try again in a moment');
    }
    await this.deps.records.participant(peer.id, peer.displayName, 'participant', 'waiting');
    await this.afterWrite(peer, () => peer.transition('waiting'));
    this.capabilities.set(peer.id, capabilities);
    this.lobbyChanged();
    this.deps.logger.info({ peerId: peer.id }, 'peer waiting in the lobby');
  }

  /**
   * Brings a peer into the meeting with `role`, issues the credential that
   * lets it back in, and sends it the `joined` notification with the people,
   * the recent chat and its transports (an attendee's: receive only, with
   * the panel, the audience count and its questions), then offers it what
   * others send. Returns the credential. The transports are made while the store
   * is read, and closed again if the peer cannot enter after all.
   */
  private async enter(peer: Peer, role: Role, capabilities: types.RtpCapabilities, known?: RoomRecord): Promise<string> {
    this.assertRoom(role);
    const { records, credentials } = this.deps;
    const wasWaiting = peer.state === 'waiting';
    // Reads and the peer's transports at once; the store is written only once they are ready.
    const prepared = await Promise.all([
      credentials.issue(this.id, role, peer.credentialId, peer.owner),
      records.recentChat(),
      known ?? records.room(),
      this.prepareMedia(peer, capabilities, role),
    ]).catch((error: unknown) => {
      this.media.remove(peer.id);
      throw error;
    });
    const [credential, chatHistory, record, transports] = prepared;
    if (!record) {
      this.media.remove(peer.id);
      throw new SignallingError('room_not_found', 'this meeting has ended');
    }
    try {
      await records.participant(peer.id, peer.displayName, role, 'joined');
      await this.afterWrite(peer, () => {
        this.assertRoom(role);
        // The role with the state, at once: a joined attendee must never pass for a panelist to others' broadcasts.
        peer.setRole(role);
        peer.transition('joined');
      });
    } catch (error) {
      this.media.remove(peer.id);
      throw error;
    }
    this.capabilities.delete(peer.id);
    this.replaceEarlierSessions(peer.id, peer.credentialId);
    this.audience.joined(this.info(peer), peer);
    this.emitEvent({ type: 'peer', peer: this.info(peer), credentialId: peer.credentialId, owner: peer.owner });
    if (wasWaiting) this.lobbyChanged();
    else if (role === 'host') this.roster.notifyHosts();
    peer.notify('joined', {
      role,
      ...this.audience.welcome(peer, role),
      // The chat is the panel's: attendees ask questions instead.
      chatHistory: role === 'attendee' ? [] : chatHistory,
      room: roomState(record),
      credential,
      ...(transports ? { transports } : {}),
      ...(role === 'host' ? this.dialIn(record) : {}),
      ...this.deps.ice(peer.id),
    });
    this.deps.logger.info({ peerId: peer.id, role }, 'peer joined');
    this.emitEvent({ type: 'entered' });
    this.media.consumeExisting(peer.id).catch((error: unknown) => this.deps.logger.warn({ err: error, peerId: peer.id }, 'could not offer existing media'));
    return credential;
  }

  /**
   * The peer's media on this node, with a send and a receive transport. It
   * is invisible to others until the peer sends, and nothing flows before it
   * is `joined`: connecting a transport needs that state.
   */
  private async prepareMedia(peer: Peer, capabilities: types.RtpCapabilities, role: Role) {
    switch (peer.kind) {
      case 'phone':
        this.media.add(peer.id, capabilities, peer.notify, 'direct');
        await this.media.openDirect(peer.id);
        return undefined;
      case 'stream':
        this.media.add(peer.id, capabilities, peer.notify);
        await this.media.createTransport(peer.id, 'send');
        return undefined;
      case 'viewer':
        // A player's media is set up by its session, on a router of its own payload types (MediaRoom.addViewer).
        return undefined;
      case 'browser':
        break;
    }
    this.media.add(peer.id, capabilities, peer.notify);
    if (role === 'attendee') return { recv: await this.media.createTransport(peer.id, 'recv') };
    const [send, recv] = await Promise.all([this.media.createTransport(peer.id, 'send'), this.media.createTransport(peer.id, 'recv')]);
    return { send, recv };
  }

  /** The panel and the audience fill up apart: thousands may watch a panel of a few. */
  private assertRoom(role: Role): void {
    const audience = this.roster.audienceSize();
    if (role === 'attendee') {
      if (audience >= this.deps.maxAttendees) throw new SignallingError('room_full', `this webinar's audience is full (${this.deps.maxAttendees} attendees)`);
      return;
    }
    if (this.roster.headcount() - audience >= this.deps.maxPeers) {
      throw new SignallingError('room_full', `this room is full (${this.deps.maxPeers} participants)`);
    }
  }

  /**
   * The live half of a change whose store half is written: if the peer left
   * meanwhile, or the change is refused, the store write is undone.
   */
  private async afterWrite(peer: Peer, change: () => void): Promise<void> {
    try {
      if (!this.roster.isAttached(peer)) throw new SignallingError('invalid_state', 'this session has ended');
      change();
    } catch (error) {
      await this.deps.records.forgetBestEffort(peer.id, (undo) => this.deps.logger.warn({ err: undo }, 'could not undo a participant record'));
      throw error;
    }
  }

  /**
   * The same person (same credential) coming back, after a dropped
   * connection or through another node, replaces their earlier session, so
   * nobody sees them twice.
   */
  private replaceEarlierSessions(peerId: string, credentialId: string): void {
    const earlier = this.roster.earlierSessions(peerId, credentialId);
    for (const other of earlier.local) void this.dismiss(other, 'You joined from another tab or device.', 'replaced');
    for (const remoteId of earlier.remote) this.remotePeerLeft(remoteId);
  }

  // --- Being in the meeting ------------------------------------------------------

  async chat(peer: Peer, text: string): Promise<void> {
    const trimmed = text.trim();
    if (!trimmed) throw new SignallingError('bad_message', 'sendChat: /data/text: the message is empty');
    let limit = this.chatLimits.get(peer);
    if (!limit) this.chatLimits.set(peer, (limit = new TokenBucket(CHAT_BURST, CHAT_REFILL_MS)));
    if (!limit.take()) throw new SignallingError('rate_limited', 'you are sending messages too quickly; wait a moment');
    const message = { id: randomUUID(), peerId: peer.id, displayName: peer.displayName, text: trimmed, sentAt: Date.now() };
    await this.deps.records.chat(message);
    this.roster.broadcast('chatMessage', { message }, undefined, 'panelists');
    this.emitEvent({ type: 'chat', message });
  }

  /**
   * A reaction for everyone to see, the sender included, at a bounded rate
   * per person. An attendee's reaches the panel (and the sender), not the
   * whole audience.
   */
  react(peer: Peer, reaction: Reaction): void {
    let limit = this.reactionLimits.get(peer);
    if (!limit) this.reactionLimits.set(peer, (limit = new TokenBucket(REACTION_BURST, REACTION_REFILL_MS)));
    if (!limit.take()) throw new SignallingError('rate_limited', 'you are sending reactions too quickly; wait a moment');
    this.roster.broadcast('reaction', { peerId: peer.id, reaction }, undefined, peer.role === 'attendee' ? 'panelists' : 'everyone');
    if (peer.role === 'attendee') peer.notify('reaction', { peerId: peer.id, reaction });
    this.emitEvent({ type: 'reaction', peerId: peer.id, reaction });
  }

  // --- Webinars (the rules are in audience.ts) ------------------------------------------

  askQuestion(peer: Peer, text: string): string {
    return this.audience.ask(peer, text);
  }

  answerQuestion(peer: Peer, questionId: string, text: string): void {
    this.audience.answer(peer, questionId, text);
  }

  dismissQuestion(questionId: string): void {
    this.audience.dismiss(questionId);
  }

  remoteQuestion(question: Question): void {
    this.audience.remoteQuestion(question);
  }

  /** The meeting is no longer a webinar: this node's attendees join the panel. */
  private async openPanel(): Promise<void> {
    // WHEP players stay in the audience: they only watch.
    const attendees = this.roster.joined().filter((peer) => peer.role === 'attendee' && peer.kind !== 'viewer');
    const results = await Promise.allSettled(attendees.map((peer) => this.audience.makePanelist(peer)));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) this.deps.logger.warn({ err: failed.reason }, 'could not make every attendee a panelist');
  }

  setHandRaised(peer: Peer, raised: boolean): void {
    if (peer.handRaised === raised) return;
    peer.setHandRaised(raised);
    this.announce(peer.id);
  }

  /**
   * A peer leaves: live first, whatever the store says (its connection is
   * gone), then its record is dropped. The meeting closes on this node with
   * its last peer.
   */
  async leave(peer: Peer): Promise<void> {
    if (!this.roster.detach(peer)) return;
    const was = peer.state;
    if (was !== 'closed') peer.transition('closed');
    this.capabilities.delete(peer.id);
    this.media.remove(peer.id);
    if (was === 'joined') {
      this.audience.left(peer.id, peer.role);
      this.emitEvent({ type: 'peerLeft', peerId: peer.id });
      this.deps.logger.info({ peerId: peer.id }, 'peer left');
    }
    if (was === 'waiting') this.lobbyChanged();
    if (this.roster.size === 0 && this.egressRunning.size === 0) this.close();
    await this.deps.records.forgetBestEffort(peer.id, (error) => this.deps.logger.warn({ err: error }, 'could not drop a participant record'));
  }

  /** Ends one peer's session: it is told why, then disconnected. */
  private async dismiss(peer: Peer, reason: string, cause: SessionEndCause): Promise<void> {
    peer.notify('sessionClosed', { reason, cause });
    peer.disconnect();
    await this.leave(peer);
  }

  // --- Hosts ---------------------------------------------------------------------

  /**
   * A host's command: runs here when the target is this node's, else goes to
   * the node that serves them. Only the meeting's creator may remove the
   * meeting's creator.
   */
  async command(actor: Peer, targetPeerId: string, command: HostCommand): Promise<void> {
    const targetIsOwner = this.roster.get(targetPeerId)?.owner ?? this.roster.remote.get(targetPeerId)?.owner ?? false;
    if (command === 'remove' && targetIsOwner && !actor.owner) {
      throw new SignallingError('forbidden', 'only the person who started this meeting can remove its creator');
    }
    if (command === 'makeAttendee' && targetIsOwner && !actor.owner) {
      throw new SignallingError('forbidden', 'only the person who started this meeting can make its creator an attendee');
    }
    return this.dispatch(targetPeerId, command);
  }

  /**
   * The operator (the HTTP API, with an API key) removes someone: a host's
   * remove for a person in the meeting, a deny for one in the lobby, here or
   * on the node that serves them. The operator stands above every host, so
   * the meeting's creator may be removed too.
   */
  removeByServer(targetPeerId: string): Promise<void> {
    const waiting = this.roster.get(targetPeerId)?.state === 'waiting' || this.roster.remote.isWaiting(targetPeerId);
    return this.dispatch(targetPeerId, waiting ? 'deny' : 'remove');
  }

  /** Runs a command whose actor was allowed it: on this node's peer, or through the node that serves them. */
  private async dispatch(targetPeerId: string, command: HostCommand): Promise<void> {
    const local = this.roster.get(targetPeerId);
    if (local && local.state !== 'closed') return this.runCommand(local, command);
    const remoteJoined = this.roster.remote.has(targetPeerId);
    const remoteWaiting = this.roster.remote.isWaiting(targetPeerId);
    if (!remoteJoined && !remoteWaiting) throw new SignallingError('not_found', 'that participant is no longer here');
    if (LOBBY_COMMANDS.includes(command) !== remoteWaiting) {
      throw new SignallingError('invalid_state', remoteWaiting ? 'that person is still in the lobby' : 'that person is not in the lobby');
    }
    this.emitEvent({ type: 'command', targetPeerId, command });
  }

  /** Runs a host command on a peer of this node: from a host here, or from another node. */
  async runCommand(target: Peer, command: HostCommand): Promise<void> {
    const expected = LOBBY_COMMANDS.includes(command) ? 'waiting' : 'joined';
    if (target.state !== expected) {
      throw new SignallingError('invalid_state', expected === 'waiting' ? 'that person is not in the lobby' : 'that person is not in the meeting');
    }
    switch (command) {
      case 'admit':
        return this.admit(target);
      case 'deny':
        await this.deps.records.revoke(target.credentialId);
        target.notify('denied', { reason: 'The host did not let you in.' });
        target.disconnect();
        return this.leave(target);
      case 'promote':
        return this.promote(target);
      case 'mute':
        return this.stopMedia(target, ['mic']);
      case 'askToUnmute':
        // Only a request: the person decides, and unmutes (or not) themselves.
        return target.notify('unmuteRequested', {});
      case 'stopCamera':
        return this.stopMedia(target, ['camera']);
      case 'stopScreenShare':
        return this.stopMedia(target, ['screen', 'screen-audio']);
      case 'remove':
        await this.deps.records.revoke(revokedOnRemoval(target));
        // A removed stream's key goes with it, so the list of keys tells the truth.
        if (target.kind === 'stream') await this.deps.streamKeys.revoke(this.id, streamKeyOf(target.credentialId)).catch(() => {});
        return this.dismiss(target, 'A host removed you from the meeting.', 'removed');
      case 'makePanelist':
        return this.audience.makePanelist(target);
      case 'makeAttendee':
        return this.audience.makeAttendee(target);
    }
  }

  /** Everyone waiting, on this node and on others, comes in. */
  async admitAll(actor: Peer): Promise<void> {
    const waiting = this.roster.lobby().map((peer) => peer.peerId);
    await Promise.all(waiting.map((peerId) => this.command(actor, peerId, 'admit')));
  }

  /**
   * Mutes every microphone in the meeting but the actor's own, on this node
   * and on others (each node mutes its own people). Everyone muted is told
   * and may unmute.
   */
  async muteAll(actor: Peer): Promise<void> {
    const local = this.roster.joined(actor).map((peer) => this.runCommand(peer, 'mute'));
    for (const { id } of this.roster.remote.infos()) this.emitEvent({ type: 'command', targetPeerId: id, command: 'mute' });
    const results = await Promise.allSettled(local);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) this.deps.logger.warn({ err: failed.reason }, 'could not mute everyone');
  }

  /** Locks or unlocks the room, or turns the lobby on or off (off lets in whoever waits). */
  async updateSettings(actor: Peer, settings: Partial<RoomSettings>): Promise<void> {
    const record = await this.deps.records.settings(settings);
    if (!record) throw new SignallingError('room_not_found', 'this meeting has ended');
    this.roomChanged(record);
    if (settings.lobby === false) await this.admitAll(actor);
    if (settings.webinar === false) await this.openPanel();
  }

  /** Everyone here and on other nodes learns the room's new state. */
  private roomChanged(record: RoomRecord): void {
    this.record = record;
    const room = roomState(record);
    this.roster.broadcast('roomUpdated', { room });
    this.emitEvent({ type: 'room', room });
  }

  // --- Recording and streaming -----------------------------------------------------

  /** Records the meeting on this node: everyone sees that it is recorded, and newcomers learn it before they send. */
  startRecording(options: { tracks: boolean }): Promise<void> {
    return this.startEgress('recording', (egress) => egress.startRecording(this, options));
  }

  /** Streams the meeting live to `url` (RTMP or RTMPS) from this node. */
  startStreaming(url: string): Promise<void> {
    return this.startEgress('streaming', (egress) => egress.startStreaming(this, url));
  }

  /** Stops the recording or stream, here or on the node that runs it. */
  async stopEgress(kind: EgressKind): Promise<void> {
    const record = await this.deps.records.room();
    if (!record) throw new SignallingError('room_not_found', 'this meeting has ended');
    const node = kind === 'recording' ? record.recordingNode : record.streamingNode;
    if (node === undefined) throw new SignallingError('invalid_state', kind === 'recording' ? 'this meeting is not being recorded' : 'this meeting is not being streamed');
    if (node === this.deps.records.nodeId) await this.deps.egress?.stop(this.id, kind);
    else this.emitEvent({ type: 'stopEgress', kind });
  }

  /** The meeting's finished recordings, for hosts. */
  recordings(): Promise<RecordingInfo[]> {
    return this.deps.egress?.recordings(this.id) ?? Promise.resolve([]);
  }

  /**
   * A recording or stream of this node ended, by request or on its own
   * (`failure` says why, for the hosts). The room is marked free again, and
   * a meeting kept open only for it closes.
   */
  async egressEnded(kind: EgressKind, failure?: string): Promise<void> {
    this.egressRunning.delete(kind);
    try {
      const record = await this.deps.records.releaseEgress(kind);
      if (record && !this.isClosed) this.roomChanged(record);
    } catch (error) {
      this.deps.logger.warn({ err: error, kind }, 'could not mark the end of a recording or stream');
    }
    if (failure) this.hostNotice({ method: 'egressFailed', data: { what: kind, reason: failure } });
    if (this.roster.size === 0 && this.egressRunning.size === 0) this.close();
  }

  /** A recording of this meeting is ready: every host, here and elsewhere, gets its link. */
  recordingReady(recording: RecordingInfo): void {
    this.hostNotice({ method: 'recordingReady', data: { recording } });
  }

  /** A recording of this meeting could not be finished: every host hears why. */
  recordingFailed(reason: string): void {
    this.hostNotice({ method: 'egressFailed', data: { what: 'recording', reason } });
  }

  /** Whether media from other nodes should come here: someone is here, or something records it. */
  wantsRemoteMedia(): boolean {
    return this.roster.joined().length > 0 || this.egressRunning.size > 0;
  }

  private async startEgress(kind: EgressKind, start: (egress: Egress<Meeting>) => Promise<void>): Promise<void> {
    const { egress, records } = this.deps;
    if (!egress) throw new SignallingError('forbidden', 'this server does not record or stream meetings');
    if (!this.deps.limits.egressStarts.take()) {
      throw new SignallingError('rate_limited', 'recordings and streams were started too often in this meeting; try again in a minute');
    }
    const claimed = await records.claimEgress(kind);
    if (claimed === undefined) throw new SignallingError('room_not_found', 'this meeting has ended');
    if (!claimed) throw new SignallingError('invalid_state', kind === 'recording' ? 'this meeting is already being recorded' : 'this meeting is already being streamed');
    this.egressRunning.add(kind);
    try {
      await start(egress);
    } catch (error) {
      this.egressRunning.delete(kind);
      await records.releaseEgress(kind).catch(() => {});
      throw error;
    }
    const record = await records.room();
    if (record) this.roomChanged(record);
    // Media of people on other nodes comes here from now on.
    this.emitEvent({ type: 'entered' });
  }

  private hostNotice(notice: HostNotice, local = false): void {
    for (const host of this.roster.joined().filter((peer) => peer.role === 'host')) host.notify(notice.method, notice.data as never);
    if (!local) this.emitEvent({ type: 'hostNotice', notice });
  }

  /** Ends the meeting for everyone: its link stops working. Close the meeting once the host has the answer. */
  async end(reason = 'The host ended the meeting.'): Promise<string> {
    await this.deps.records.end();
    this.emitEvent({ type: 'ended', reason });
    return reason;
  }

  private async admit(target: Peer): Promise<void> {
    if (this.admitting.has(target.id)) return;
    this.admitting.add(target.id);
    try {
      await this.enter(target, newcomerRole(this.record.webinar), this.capabilities.get(target.id)!);
    } finally {
      this.admitting.delete(target.id);
    }
  }

  private async promote(target: Peer): Promise<void> {
    if (target.role === 'host') return;
    if (target.role === 'attendee') throw new SignallingError('invalid_state', 'make an attendee a panelist before making them a host');
    const credential = await this.deps.credentials.issue(this.id, 'host', target.credentialId);
    await this.deps.records.participant(target.id, target.displayName, 'host', 'joined');
    target.setRole('host');
    target.notify('promoted', { credential, ...this.dialIn(this.record) });
    this.announce(target.id);
    this.roster.notifyHosts();
  }

  private async stopMedia(target: Peer, sources: MediaSource[]): Promise<void> {
    for (const { producerId, source } of await this.media.stopMedia(target.id, sources)) {
      target.notify('mediaStoppedByHost', { producerId, source });
    }
  }

  // --- Other nodes -----------------------------------------------------------------

  /** A peer on another node joined or changed. */
  remotePeer(peer: RemotePeer): void {
    this.replaceEarlierSessions(peer.info.id, peer.credentialId);
    const before = this.roster.remote.get(peer.info.id)?.info.role;
    this.roster.remote.set(peer);
    if (before === undefined) this.audience.joined(peer.info);
    else this.audience.changed(peer.info, before);
  }

  remotePeerLeft(peerId: string): void {
    const role = this.roster.remote.get(peerId)?.info.role;
    if (!role || !this.roster.remote.delete(peerId)) return;
    this.media.closePipedOf(peerId);
    this.audience.left(peerId, role);
  }

  remoteLobby(nodeId: string, waiting: WaitingPeer[]): void {
    this.roster.remote.setWaiting(nodeId, waiting);
    this.roster.notifyHosts();
  }

  remoteSettings(room: RoomSettings): void {
    const wasWebinar = this.record.webinar;
    this.record = { ...this.record, locked: room.locked, lobby: room.lobby, webinar: room.webinar };
    this.roster.broadcast('roomUpdated', { room });
    if (wasWebinar && !room.webinar) void this.openPanel();
  }

  /** A host on another node stopped a recording or stream, which may be this node's. */
  async remoteStopEgress(kind: EgressKind): Promise<void> {
    if (this.egressRunning.has(kind)) await this.deps.egress?.stop(this.id, kind);
  }

  /** A notice for hosts from another node. */
  remoteHostNotice(notice: HostNotice): void {
    this.hostNotice(notice, true);
  }

  remoteChat(message: ChatMessage): void {
    this.roster.broadcast('chatMessage', { message }, undefined, 'panelists');
  }

  remoteReaction(peerId: string, reaction: Reaction): void {
    const role = this.roster.remote.get(peerId)?.info.role;
    if (role) this.roster.broadcast('reaction', { peerId, reaction }, undefined, role === 'attendee' ? 'panelists' : 'everyone');
  }

  /** A host command from another node, for a peer of this node; the role was checked there. */
  remoteCommand(targetPeerId: string, command: HostCommand): Promise<void> {
    const target = this.roster.get(targetPeerId);
    return target ? this.runCommand(target, command) : Promise.resolve();
  }

  /** A node stopped serving the meeting, or died: its people are gone. */
  nodeGone(nodeId: string): void {
    for (const peerId of this.roster.remote.peersOn(nodeId)) this.remotePeerLeft(peerId);
    this.roster.remote.forgetLobby(nodeId);
    this.roster.notifyHosts();
    this.releaseEgressOf(nodeId).catch((error: unknown) => this.deps.logger.warn({ err: error, nodeId }, 'could not end the recording of a lost node'));
  }

  /** What a lost node recorded or streamed has stopped; its files are repaired when it restarts. */
  private async releaseEgressOf(nodeId: string): Promise<void> {
    const record = await this.deps.records.room();
    for (const kind of ['recording', 'streaming'] as const) {
      if ((kind === 'recording' ? record?.recordingNode : record?.streamingNode) !== nodeId) continue;
      const after = await this.deps.records.releaseEgress(kind, nodeId);
      if (after && !this.isClosed) this.roomChanged(after);
    }
  }

  /** Everything other nodes need to know about this node's people, as events. */
  announceEveryone(): void {
    for (const peer of this.roster.joined()) {
      this.emitEvent({ type: 'peer', peer: this.info(peer), credentialId: peer.credentialId, owner: peer.owner });
      for (const { id, source } of this.media.producersOf(peer.id)) {
        this.emitEvent({ type: 'producer', peerId: peer.id, producerId: id, source });
      }
    }
    this.emitEvent({ type: 'lobby', waiting: this.roster.localLobby() });
    this.audience.publishQuestions();
  }

  /** The store came back, perhaps empty: put back the room and this node's people. */
  async restoreRecords(): Promise<void> {
    await this.deps.records.restore(this.record);
    for (const peer of this.roster.joined()) {
      await this.deps.records.participant(peer.id, peer.displayName, peer.role, 'joined');
    }
  }

  // --- Closing -----------------------------------------------------------------------

  /** Ends every session of the meeting on this node; with a reason, peers are told why. */
  close(reason?: string, cause: SessionEndCause = 'server'): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const peers = this.roster.all();
    for (const peer of peers) {
      if (reason) peer.notify('sessionClosed', { reason, cause });
      this.roster.detach(peer);
      if (peer.state !== 'closed') peer.transition('closed');
      peer.disconnect();
      void this.deps.records.forgetBestEffort(peer.id, () => {});
    }
    if (reason) this.deps.logger.warn({ reason }, 'meeting closed on this node');
    this.lobbyNotices.stop();
    this.audience.stop();
    this.media.close();
    this.emitEvent({ type: 'closed' });
  }

  /** Everyone else learns this peer's new role, hand or media state. */
  private announce(peerId: string): void {
    const peer = this.roster.get(peerId);
    if (peer?.state !== 'joined') return;
    const info = this.info(peer);
    this.audience.changed(info, peer.role, peer);
    this.emitEvent({ type: 'peer', peer: info, credentialId: peer.credentialId, owner: peer.owner });
  }

  /** Tells the hosts and the other nodes who waits now (at a bounded rate). */
  private lobbyChanged(): void {
    this.lobbyNotices.changed();
  }

  private emitEvent(event: MeetingEvent): void {
    this.emit('event', event);
  }
}
