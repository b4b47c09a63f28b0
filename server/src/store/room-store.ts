/**
 * Shared room state. The in-memory store serves one node; a Redis store
 * drops in behind the same interface so several nodes can share rooms.
 */
import type { ChatMessage, Role } from '../protocol/messages.js';

/** An idle room is forgotten after a week (Redis key expiry, or the memory store's sweep). */
export const ROOM_TTL_SECONDS = 7 * 24 * 3600;

export interface RoomSettings {
  /** Newcomers wait in the lobby until a host admits them. */
  lobby: boolean;
  /** Nobody new gets in, not even to the lobby. */
  locked: boolean;
  /** A webinar: newcomers enter as attendees, who only watch and ask. */
  webinar: boolean;
}

export interface RoomRecord extends RoomSettings {
  id: string;
  createdAt: number;
  /** scrypt hash of the room password, if it has one. */
  passwordHash?: string;
  /** The numeric PIN phones dial to reach this room; unique among live rooms. */
  dialInPin?: string;
  /** The node recording this room, while one does. */
  recordingNode?: string;
  /** The node streaming this room live, while one does. */
  streamingNode?: string;
}

/** What runs for a room on one node at a time: its recording and its live stream. */
export type EgressKind = 'recording' | 'streaming';
export const EGRESS_FIELD = { recording: 'recordingNode', streaming: 'streamingNode' } as const satisfies Record<EgressKind, keyof RoomRecord>;

/** Someone in the meeting or in its lobby, and the node that serves them. */
export interface ParticipantRecord {
  peerId: string;
  displayName: string;
  role: Role;
  state: 'waiting' | 'joined';
  nodeId: string;
  joinedAt: number;
}

/** A host's key for publishing into the room over WHIP; only its hash is kept. */
export interface StreamKeyRecord {
  id: string;
  /** The name the stream has on the stage ("OBS — Studio A"). */
  label: string;
  /** SHA-256 of the key's secret, hex. */
  secretHash: string;
  createdAt: number;
}

/** A live room as the management API lists it: its record and how many people it has. */
export interface RoomListing {
  room: RoomRecord;
  /** People in the meeting, on any node. */
  joined: number;
  /** People in its lobby, on any node. */
  waiting: number;
}

/** The shared room state cannot be reached right now (Redis is down); the request may be retried. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('room state is unreachable', { cause });
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Only the meeting layer (meeting/records.ts) calls the methods that write;
 * everyone else may read.
 */
export interface RoomStore {
  /** Throws if the id is taken, and DialInPinTaken if another room has the PIN. */
  createRoom(room: RoomRecord): Promise<void>;
  getRoom(roomId: string): Promise<RoomRecord | undefined>;
  /** Every room that has neither ended nor expired, oldest first. */
  listRooms(): Promise<RoomListing[]>;
  /** The room whose dial-in PIN this is, while it exists. */
  roomIdByPin(pin: string): Promise<string | undefined>;
  /** Changes settings; undefined if the room does not exist. */
  updateRoom(roomId: string, settings: Partial<RoomSettings>): Promise<RoomRecord | undefined>;
  /**
   * Marks `kind` as running on `nodeId` unless a node already runs it: true
   * if this call claimed it, false if taken, undefined if there is no room.
   */
  claimEgress(roomId: string, kind: EgressKind, nodeId: string): Promise<boolean | undefined>;
  /** Clears the mark if `nodeId` holds it; the room as it is afterwards. */
  releaseEgress(roomId: string, kind: EgressKind, nodeId: string): Promise<RoomRecord | undefined>;
  /** Forgets the room and everything about it: its link stops working. */
  deleteRoom(roomId: string): Promise<void>;
  addParticipant(roomId: string, participant: ParticipantRecord): Promise<void>;
  removeParticipant(roomId: string, peerId: string): Promise<void>;
  listParticipants(roomId: string): Promise<ParticipantRecord[]>;
  /** A denied or removed person's credential stops working in this room. */
  revokeCredential(roomId: string, credentialId: string): Promise<void>;
  isCredentialRevoked(roomId: string, credentialId: string): Promise<boolean>;
  /** Adds a stream key unless the room has `max` already: false then; undefined if there is no room. */
  addStreamKey(roomId: string, key: StreamKeyRecord, max: number): Promise<boolean | undefined>;
  /** Forgets a stream key; false if the room had no such key. */
  removeStreamKey(roomId: string, keyId: string): Promise<boolean>;
  /** The room's stream keys, oldest first. */
  listStreamKeys(roomId: string): Promise<StreamKeyRecord[]>;
  /** Keeps the newest `keep` messages. */
  appendChat(roomId: string, message: ChatMessage, keep: number): Promise<void>;
  recentChat(roomId: string): Promise<ChatMessage[]>;
  close(): Promise<void>;
}

/** Another live room already has this dial-in PIN: draw another. */
export class DialInPinTaken extends Error {
  constructor() {
    super('this dial-in PIN belongs to another room');
  }
}
