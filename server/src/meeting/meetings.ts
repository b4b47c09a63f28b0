/**
 * The meetings of this node. A meeting must exist in the room store first
 * (created here, for the HTTP API); it goes live on this node when its first
 * peer attaches, with a media room on the least-loaded worker, and closes
 * with its last peer. Whoever wants to know when a meeting goes live (the
 * cluster link) registers with `onOpen`.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Credentials } from '../auth/credentials.js';
import { hashPassword } from '../auth/room-password.js';
import type { Config } from '../config.js';
import { MediaRoom } from '../media/media-room.js';
import { SignallingError } from '../protocol/errors.js';
import type { RecordingInfo } from '../protocol/messages.js';
import type { IceConfig } from '../rtc/ice-config.js';
import type { WorkerPool } from '../rtc/worker-pool.js';
import type { Peer } from '../roster/peer.js';
import { newDialInPin, newRoomId } from '../store/room-id.js';
import { DialInPinTaken, type RoomStore } from '../store/room-store.js';
import { Meeting } from './meeting.js';
import type { Egress } from './egress.js';
import type { PhoneBridge } from './phone-bridge.js';
import { MeetingRecords } from './records.js';
import { RoomLimits } from './room-limits.js';
import { StreamKeys } from './stream-keys.js';

export interface MeetingsDeps {
  store: RoomStore;
  credentials: Credentials;
  ice: IceConfig;
  pool: WorkerPool;
  config: Config;
  nodeId: string;
  logger: FastifyBaseLogger;
}

export interface NewMeeting {
  id: string;
  /** The credential of the link that makes its holder a host. */
  hostCredential: string;
  /** How phones reach it, when this server takes phone calls. */
  dialIn?: { pin: string; uri: string };
}

export interface RoomDescription {
  lobby: boolean;
  passwordRequired: boolean;
  /** Someone opening the link learns it before they send anything. */
  recording: boolean;
  /** Newcomers enter as attendees: they watch, and send nothing until a host makes them panelists. */
  webinar: boolean;
}

type OpenHook = (meeting: Meeting) => Promise<void>;

export class Meetings {
  private readonly byRoom = new Map<string, Promise<Meeting>>();
  private readonly openHooks: OpenHook[] = [];
  private readonly limits = new RoomLimits();
  readonly streamKeys: StreamKeys;

  private phones: PhoneBridge | undefined;
  private egress: Egress<Meeting> | undefined;

  constructor(private readonly deps: MeetingsDeps) {
    this.streamKeys = new StreamKeys(deps.store, deps.nodeId);
  }

  /** Meetings opened from now on offer dial-in to hosts and dial-out through `bridge`. */
  usePhoneBridge(bridge: PhoneBridge): void {
    this.phones = bridge;
  }

  /** Meetings opened from now on can be recorded and streamed through `egress`. */
  useEgress(egress: Egress<Meeting>): void {
    this.egress = egress;
  }

  /** Runs `hook` on every meeting that goes live on this node, before anyone joins it. */
  onOpen(hook: OpenHook): void {
    this.openHooks.push(hook);
  }

  /** A new meeting: its id, settings and password, and a host credential for its creator. */
  async create(settings: { lobby: boolean; password?: string; webinar?: boolean }): Promise<NewMeeting> {
    const id = newRoomId();
    const passwordHash = settings.password === undefined ? undefined : await hashPassword(settings.password);
    const record = { id, createdAt: Date.now(), lobby: settings.lobby, locked: false, webinar: settings.webinar ?? false, ...(passwordHash ? { passwordHash } : {}) };
    // A PIN clash among a billion is rare; three draws make a failure all but impossible.
    let pin = newDialInPin();
    for (let draw = 1; ; draw++) {
      try {
        await MeetingRecords.create(this.deps.store, { ...record, dialInPin: pin });
        break;
      } catch (error) {
        if (!(error instanceof DialInPinTaken) || draw === 3) throw error;
        pin = newDialInPin();
      }
    }
    const hostCredential = await this.deps.credentials.issue(id, 'host', undefined, true);
    return { id, hostCredential, ...(this.phones ? { dialIn: { pin, uri: this.phones.dialInUri(pin) } } : {}) };
  }

  /** A WHEP player's token for `roomId` (see Credentials' `viewer`). */
  async viewerToken(roomId: string): Promise<string> {
    if (!(await this.deps.store.getRoom(roomId))) throw new SignallingError('room_not_found', 'no such meeting: it has ended or expired, or never existed');
    return this.deps.credentials.issue(roomId, 'viewer');
  }

  /** The room a phone reaches with this PIN, if it exists. */
  async roomByPin(pin: string): Promise<string | undefined> {
    const roomId = await this.deps.store.roomIdByPin(pin);
    const record = roomId === undefined ? undefined : await this.deps.store.getRoom(roomId);
    return record?.dialInPin === pin ? record.id : undefined;
  }

  /**
   * What a meeting link's page may know before it turns on a camera: whether
   * the meeting exists, waits in a lobby, wants a password. Undefined when it
   * does not exist (never created, ended, or expired).
   */
  async describe(roomId: string): Promise<RoomDescription | undefined> {
    const record = await this.deps.store.getRoom(roomId);
    if (!record) return undefined;
    return { lobby: record.lobby, passwordRequired: record.passwordHash !== undefined, recording: record.recordingNode !== undefined, webinar: record.webinar };
  }

  /** Attaches a new connection's peer to a meeting, opening it on this node if needed. */
  async attach(roomId: string, peer: Peer): Promise<Meeting> {
    // Asked every time, so that an ended meeting, or a store that cannot be reached, is told at once.
    if (!(await this.deps.store.getRoom(roomId))) {
      throw new SignallingError('room_not_found', 'this meeting link is not valid or the meeting has ended');
    }
    let meeting = await this.open(roomId);
    if (meeting.closed) meeting = await this.open(roomId);
    meeting.attach(peer);
    return meeting;
  }

  /** The meeting of `roomId` if it is live on this node; never opens one. */
  async live(roomId: string): Promise<Meeting | undefined> {
    const meeting = await this.byRoom.get(roomId)?.catch(() => undefined);
    return meeting && !meeting.closed ? meeting : undefined;
  }

  /** Ends a meeting that no node serves (nobody is in it anywhere): its link stops working. */
  endUnattended(roomId: string): Promise<void> {
    return new MeetingRecords(this.deps.store, roomId, this.deps.nodeId).end();
  }

  /** A room's finished recordings as this node's recorder knows them, with no meeting live. */
  recordings(roomId: string): Promise<RecordingInfo[]> {
    return this.egress?.recordings(roomId) ?? Promise.resolve([]);
  }

  async list(): Promise<Meeting[]> {
    const settled = await Promise.all([...this.byRoom.values()].map((pending) => pending.catch(() => undefined)));
    return settled.filter((meeting): meeting is Meeting => meeting !== undefined);
  }

  async closeAll(reason: string): Promise<void> {
    for (const meeting of await this.list()) meeting.close(reason);
  }

  private open(roomId: string): Promise<Meeting> {
    let pending = this.byRoom.get(roomId);
    if (!pending) {
      pending = this.start(roomId);
      this.byRoom.set(roomId, pending);
      const forget = () => this.byRoom.get(roomId) === pending && this.byRoom.delete(roomId);
      pending.then(
        (meeting) => meeting.on('event', (event) => event.type === 'closed' && forget()),
        forget,
      );
    }
    return pending;
  }

  private async start(roomId: string): Promise<Meeting> {
    const { store, credentials, ice, pool, config, nodeId, logger } = this.deps;
    const records = new MeetingRecords(store, roomId, nodeId);
    const record = await records.room();
    if (!record) throw new SignallingError('room_not_found', 'this meeting link is not valid or the meeting has ended');
    const child = logger.child({ roomId });
    const media = await MediaRoom.create(pool, config, child);
    const meeting = new Meeting(roomId, media, record, {
      records,
      credentials,
      ice,
      maxPeers: config.PARLEY_MAX_PEERS_PER_ROOM,
      maxAttendees: config.PARLEY_MAX_ATTENDEES_PER_ROOM,
      limits: this.limits.of(roomId),
      logger: child,
      phones: this.phones,
      egress: this.egress,
      streamKeys: this.streamKeys,
    });
    try {
      for (const hook of this.openHooks) await hook(meeting);
    } catch (error) {
      meeting.close();
      throw error;
    }
    return meeting;
  }
}
