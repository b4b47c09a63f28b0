import type { ChatMessage } from '../protocol/messages.js';
import {
  DialInPinTaken,
  EGRESS_FIELD,
  ROOM_TTL_SECONDS,
  type EgressKind,
  type ParticipantRecord,
  type RoomListing,
  type RoomRecord,
  type RoomSettings,
  type RoomStore,
  type StreamKeyRecord,
} from './room-store.js';

interface RoomEntry {
  room: RoomRecord;
  participants: Map<string, ParticipantRecord>;
  revoked: Set<string>;
  streamKeys: StreamKeyRecord[];
  chat: ChatMessage[];
  touchedAt: number;
}

/**
 * Room state for a single node, kept in this process. Rooms idle for
 * ROOM_TTL_SECONDS with nobody in them are swept when new rooms are made,
 * as Redis would expire them.
 */
export class MemoryRoomStore implements RoomStore {
  private readonly rooms = new Map<string, RoomEntry>();
  private readonly pins = new Map<string, string>();

  async createRoom(room: RoomRecord): Promise<void> {
    this.sweep();
    if (this.rooms.has(room.id)) throw new Error(`room ${room.id} already exists`);
    if (room.dialInPin !== undefined) {
      if (this.pins.has(room.dialInPin)) throw new DialInPinTaken();
      this.pins.set(room.dialInPin, room.id);
    }
    this.rooms.set(room.id, { room: { ...room }, participants: new Map(), revoked: new Set(), streamKeys: [], chat: [], touchedAt: Date.now() });
  }

  private sweep(): void {
    const cutoff = Date.now() - ROOM_TTL_SECONDS * 1000;
    for (const [id, entry] of this.rooms) if (entry.touchedAt < cutoff && entry.participants.size === 0) this.forget(id);
  }

  private forget(roomId: string): void {
    const pin = this.rooms.get(roomId)?.room.dialInPin;
    if (pin !== undefined) this.pins.delete(pin);
    this.rooms.delete(roomId);
  }

  async roomIdByPin(pin: string): Promise<string | undefined> {
    return this.pins.get(pin);
  }

  async getRoom(roomId: string): Promise<RoomRecord | undefined> {
    const entry = this.rooms.get(roomId);
    return entry && { ...entry.room };
  }

  async listRooms(): Promise<RoomListing[]> {
    this.sweep();
    const count = (entry: RoomEntry, state: ParticipantRecord['state']) => [...entry.participants.values()].filter((p) => p.state === state).length;
    return [...this.rooms.values()]
      .map((entry) => ({ room: { ...entry.room }, joined: count(entry, 'joined'), waiting: count(entry, 'waiting') }))
      .sort((a, b) => a.room.createdAt - b.room.createdAt);
  }

  async updateRoom(roomId: string, settings: Partial<RoomSettings>): Promise<RoomRecord | undefined> {
    const entry = this.rooms.get(roomId);
    if (!entry) return undefined;
    Object.assign(entry.room, settings);
    entry.touchedAt = Date.now();
    return { ...entry.room };
  }

  async claimEgress(roomId: string, kind: EgressKind, nodeId: string): Promise<boolean | undefined> {
    const room = this.rooms.get(roomId)?.room;
    if (!room) return undefined;
    if (room[EGRESS_FIELD[kind]] !== undefined) return false;
    room[EGRESS_FIELD[kind]] = nodeId;
    return true;
  }

  async releaseEgress(roomId: string, kind: EgressKind, nodeId: string): Promise<RoomRecord | undefined> {
    const room = this.rooms.get(roomId)?.room;
    if (!room) return undefined;
    if (room[EGRESS_FIELD[kind]] === nodeId) delete room[EGRESS_FIELD[kind]];
    return { ...room };
  }

  async deleteRoom(roomId: string): Promise<void> {
    this.forget(roomId);
  }

  async addParticipant(roomId: string, participant: ParticipantRecord): Promise<void> {
    const entry = this.entry(roomId);
    entry.participants.set(participant.peerId, { ...participant });
    entry.touchedAt = Date.now();
  }

  async removeParticipant(roomId: string, peerId: string): Promise<void> {
    this.rooms.get(roomId)?.participants.delete(peerId);
  }

  async listParticipants(roomId: string): Promise<ParticipantRecord[]> {
    return [...(this.rooms.get(roomId)?.participants.values() ?? [])].map((participant) => ({ ...participant }));
  }

  async revokeCredential(roomId: string, credentialId: string): Promise<void> {
    this.rooms.get(roomId)?.revoked.add(credentialId);
  }

  async isCredentialRevoked(roomId: string, credentialId: string): Promise<boolean> {
    return this.rooms.get(roomId)?.revoked.has(credentialId) ?? false;
  }

  async addStreamKey(roomId: string, key: StreamKeyRecord, max: number): Promise<boolean | undefined> {
    const keys = this.rooms.get(roomId)?.streamKeys;
    if (!keys) return undefined;
    if (keys.length >= max) return false;
    keys.push({ ...key });
    return true;
  }

  async removeStreamKey(roomId: string, keyId: string): Promise<boolean> {
    const keys = this.rooms.get(roomId)?.streamKeys ?? [];
    const index = keys.findIndex((key) => key.id === keyId);
    if (index >= 0) keys.splice(index, 1);
    return index >= 0;
  }

  async listStreamKeys(roomId: string): Promise<StreamKeyRecord[]> {
    return (this.rooms.get(roomId)?.streamKeys ?? []).map((key) => ({ ...key })).sort((a, b) => a.createdAt - b.createdAt);
  }

  async appendChat(roomId: string, message: ChatMessage, keep: number): Promise<void> {
    const chat = this.entry(roomId).chat;
    chat.push({ ...message });
    if (chat.length > keep) chat.splice(0, chat.length - keep);
  }

  async recentChat(roomId: string): Promise<ChatMessage[]> {
    return (this.rooms.get(roomId)?.chat ?? []).map((message) => ({ ...message }));
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }

  private entry(roomId: string): RoomEntry {
    const entry = this.rooms.get(roomId);
    if (!entry) throw new Error(`room ${roomId} does not exist`);
    return entry;
  }
}
